import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RunningEmulator } from "@rtmkit/rtm-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulator, envOf, type Run } from "./helpers.js";

const bin = fileURLToPath(new URL("../bin/rtmkit.mjs", import.meta.url));

/** The installed `rtmkit` bin as its own process. */
function spawnRtmkit(argv: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [bin, ...argv], { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") reject(error);
      else resolve({ code: child.exitCode ?? -1, stdout, stderr });
    });
  });
}

let server: RunningEmulator;
beforeAll(async () => {
  server = await emulator();
});
afterAll(() => server.close());

describe("the rtmkit bin as a process", () => {
  it("sends and reads back a chat, exits 0; a wrong secret exits 1; a bad value exits 2", async () => {
    const sent = await spawnRtmkit(["call", "sendChat", "1001", "1002", "from a process", ""], envOf(server));
    expect(sent).toMatchObject({ code: 0, stderr: "" });
    const { mid } = JSON.parse(sent.stdout) as { mid: string };

    const got = await spawnRtmkit(["call", "getChat", mid, "1001", "1002", "P2PMessage"], envOf(server));
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ message: "from a process", messageType: 30 });

    const refused = await spawnRtmkit(["call", "sendChat", "1001", "1002", "x", ""], envOf(server, "wrong"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error 200002: /);

    const usage = await spawnRtmkit(["call", "sendChat", "x", "1002", "x", ""], envOf(server));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/sendChat: fromUid: "x" is not an int64/);
  });
});
