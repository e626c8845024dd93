import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FpnnClient } from "@rtmkit/fpnn";
import { MessageCategory, RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { generate, loadConfig, writeGenerated } from "../../../generator/src/index.js";

const pkg = new URL("..", import.meta.url).pathname;
const repo = new URL("../../..", import.meta.url).pathname;
// Inside the package so that the copies resolve their dependencies as src/ does.
const work = mkdtempSync(join(pkg, ".tmp-unimplemented-"));

/** Points a copied emulator at a copied SDK (the one generated from the changed IDL). */
function useSdkCopy(dir: string, sdkIndex: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    writeFileSync(path, readFileSync(path, "utf8").replaceAll('"@rtmkit/rtm-server-sdk"', JSON.stringify(sdkIndex)));
  }
}
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An endpoint added to the IDL that the emulator has no handler for yet. */
const newMethod = `
  getMessageInfo:
    fpnn: getmsginfo
    doc: An endpoint the emulator does not implement.
    params:
      mid: { wire: mid, type: int64, doc: message id }
    answer:
      mtime: { type: int64, doc: "server time, ms" }
`;

describe("an IDL method without an emulator handler", () => {
  it("the emulator starts, warns once naming it, answers it 20004 and serves the rest", async () => {
    cpSync(join(repo, "idl"), join(work, "idl"), { recursive: true });
    const chatIdl = join(work, "idl/rtm/chat.yaml");
    writeFileSync(chatIdl, readFileSync(chatIdl, "utf8").replace("\nmethods:\n", `\nmethods:\n${newMethod}`));
    cpSync(join(repo, "packages/rtm-server-sdk/src"), join(work, "sdk"), { recursive: true, filter: (p) => !p.includes("/generated") });
    writeGenerated(generate(loadConfig(undefined, { idl: join(work, "idl"), sdk: join(work, "sdk/generated") }, repo)));
    cpSync(join(pkg, "src"), join(work, "emulator"), { recursive: true });
    useSdkCopy(join(work, "emulator"), join(work, "sdk/index.ts"));
    const copy = (await import(join(work, "emulator/index.ts"))) as typeof import("../src/index.js");

    const lines: string[] = [];
    const emulator = await copy.startEmulator({ projects: { 11000001: "secret" }, logLevel: "warn", log: (line) => lines.push(line) });
    const raw = new FpnnClient({ endpoint: emulator.endpoint, autoReconnect: false });
    const sdk = new RTMServerClient({ pid: 11000001, secret: "secret", endpoint: emulator.endpoint });
    try {
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/ WARN .*without an emulator handler.*: getmsginfo\n$/);

      await expect(raw.quest("getmsginfo", { mid: 1 })).rejects.toMatchObject({ code: 20004, message: expect.stringContaining("getmsginfo") });
      const { mid } = await sdk.sendChat(1001n, 1002n, "still served", "");
      expect(await sdk.getChat(mid, 1001n, 1002n, MessageCategory.P2PMessage)).toMatchObject({ message: "still served" });
    } finally {
      await sdk.close();
      await raw.close();
      await emulator.close();
    }
  });
});
