import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate, loadConfig, writeGenerated } from "../../../generator/src/index.js";
import { implement, startEmulator } from "../src/index.js";

const pkg = new URL("..", import.meta.url).pathname;
const repo = new URL("../../..", import.meta.url).pathname;
// Inside the package so that the generated code resolves @rtmkit/protocol and @rtmkit/rtm-server-sdk as a user's would.
const work = mkdtempSync(join(pkg, ".tmp-user-idl-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const followersIdl = `service: followers
auth: signed
doc: Friends, an API of the user's own next to RTM's.
methods:
  getFollowers:
    fpnn: getfollowers
    doc: The followers of a user.
    params:
      uid: { wire: uid, type: int64, doc: user id }
    answer:
      uids: { name: followers, type: set<int64>, doc: follower uids }
  countByCategory:
    fpnn: countbycategory
    doc: Uses a type of the RTM IDL it extends.
    params:
      category: { wire: type, type: MessageCategory, doc: where }
    answer:
      num: { type: int32 }
`;

describe("rtmkit-gen for a user's own IDL that extends the RTM IDL", () => {
  it("generates a client extending RTMServerClient and handler contracts; the emulator serves them through startEmulator({ handlers })", async () => {
    mkdirSync(join(work, "idl/app"), { recursive: true });
    writeFileSync(join(work, "idl/app/followers.yaml"), followersIdl);
    writeFileSync(join(work, "rtmkit.config.yaml"), "idl: ./idl\nextends: rtm\nout:\n  sdk: ./src/rtm\n");
    const written = writeGenerated(generate(loadConfig(join(work, "rtmkit.config.yaml"), {}, work)));
    expect(written.map((p) => p.slice(work.length + 1)).sort()).toEqual(["src/rtm/client.ts", "src/rtm/followers.ts", "src/rtm/index.ts"]);
    writeFileSync(join(work, "tsconfig.json"), JSON.stringify({ extends: "../../../tsconfig.base.json", include: ["src"] }));
    execFileSync(join(repo, "node_modules/.bin/tsc"), ["-p", work], { stdio: "pipe" });

    const generated = (await import(join(work, "src/rtm/index.ts"))) as {
      RtmClient: new (options: { pid: number; secret: string; endpoint: string }) => {
        getFollowers(uid: bigint): Promise<{ followers: bigint[] }>;
        countByCategory(category: number): Promise<{ num: number }>;
        sendChat(from: bigint, to: bigint, message: string, attrs: string): Promise<{ mid: bigint }>;
        close(): Promise<void>;
      };
      followersEndpoints: Parameters<typeof implement>[0];
    };
    const seen: unknown[] = [];
    const emulator = await startEmulator({
      projects: { 11000001: "secret" },
      handlers: [implement(generated.followersEndpoints, { getfollowers: (request: { uid: bigint }) => (seen.push(request), { uids: [1002, 2n ** 60n] }) } as never)],
    });
    const client = new generated.RtmClient({ pid: 11000001, secret: "secret", endpoint: emulator.endpoint });
    const wrongSecret = new generated.RtmClient({ pid: 11000001, secret: "wrong", endpoint: emulator.endpoint });
    try {
      expect(await client.getFollowers(1001n)).toEqual({ followers: [1002n, 2n ** 60n] });
      expect(seen).toEqual([{ uid: 1001n }]);
      await expect(wrongSecret.getFollowers(1001n)).rejects.toMatchObject({ code: 200002 });
      await expect(client.countByCategory(2)).rejects.toMatchObject({ code: 20004, message: expect.stringContaining("countbycategory") });
      await expect(client.countByCategory(9)).rejects.toMatchObject({ code: 200034, message: expect.stringContaining("category") });
      expect((await client.sendChat(1001n, 1002n, "still RTM", "")).mid).toBeTypeOf("bigint");
    } finally {
      await client.close();
      await wrongSecret.close();
      await emulator.close();
    }
  }, 120_000);
});
