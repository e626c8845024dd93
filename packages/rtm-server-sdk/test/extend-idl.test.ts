import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FpnnServer } from "@rtmkit/fpnn";
import { afterAll, describe, expect, it } from "vitest";
import { generate, loadConfig } from "../../../generator/src/index.js";
import { writeGenerated } from "../../../generator/src/generate.js";

const pkg = new URL("..", import.meta.url).pathname;
const repo = new URL("../../..", import.meta.url).pathname;
// Inside the package so that zod and @rtmkit/fpnn resolve from the copy as they do from src/.
const work = mkdtempSync(join(pkg, ".tmp-extend-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const newService = `service: followers
auth: signed
doc: Friends (an endpoint that is not in the shipped IDL).
methods:
  getFollowers:
    fpnn: getfollowers
    doc: Get the followers of a user.
    params:
      uid: { wire: uid, type: int64, doc: user id }
    answer:
      uids: { name: followers, type: set<int64>, doc: follower uids }
`;

describe("extending the IDL needs no hand-written code", () => {
  // tsc over a copy of the package: give it time on a loaded 2-core machine.
  it("a new endpoint in a copy of the IDL: generate, type-check, call it against an FpnnServer", { timeout: 120_000 }, async () => {
    cpSync(join(repo, "idl"), join(work, "idl"), { recursive: true });
    writeFileSync(join(work, "idl/rtm/followers.yaml"), newService);
    cpSync(join(pkg, "src"), join(work, "src"), { recursive: true, filter: (p) => !p.includes("/generated") });
    writeGenerated(generate(loadConfig(undefined, { idl: join(work, "idl"), sdk: join(work, "src/generated") }, repo)));
    writeFileSync(join(work, "tsconfig.json"), JSON.stringify({ extends: "../../../tsconfig.base.json", include: ["src"] }));
    execFileSync(join(repo, "node_modules/.bin/tsc"), ["-p", work], { stdio: "pipe" });

    const server = new FpnnServer();
    const seen: Record<string, unknown>[] = [];
    server.handle("getfollowers", (p) => {
      seen.push(p);
      return { uids: [1002, 2n ** 60n] };
    });
    const { port } = await server.listen(0, "127.0.0.1");
    const sdk = (await import(join(work, "src/index.ts"))) as typeof import("../src/index.js");
    const client = new sdk.RTMServerClient({ pid: 11000001, secret: "s", endpoint: `127.0.0.1:${port}` }) as unknown as {
      getFollowers(uid: bigint): Promise<{ followers: bigint[] }>;
      close(): Promise<void>;
    };
    try {
      expect(await client.getFollowers(1001n)).toEqual({ followers: [1002n, 2n ** 60n] });
      expect(Object.keys(seen[0]!).sort()).toEqual(["pid", "salt", "sign", "ts", "uid"]);
      await expect(client.getFollowers(1.5 as unknown as bigint)).rejects.toThrow(/getFollowers: uid: expected an int64/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
