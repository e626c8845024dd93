// The rtm-emulator command as a separate process with a file database: kill -9 mid-stream, restart,
// and every acknowledged message is still there; SIGTERM stops it cleanly; --key turns on encryption.
import { createECDH } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RTMError, type HistoryMessage } from "@rtmkit/rtm-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnEmulator } from "./cli-process.js";
import { PID, SECRET, sdk } from "./helpers.js";

const GROUP = 77n;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rtm-e2e-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("rtm-emulator process", () => {
  it("keeps every acknowledged message across kill -9 and a restart on the same file", async () => {
    const db = join(dir, "chat.sqlite");
    const args = ["--project", `${PID}:${SECRET}`, "--db", db];
    const first = await spawnEmulator(args);
    const client = sdk(first.endpoint, { autoReconnect: false });

    const acknowledged: bigint[] = [];
    const failures = new Set<number>();
    let next = 0;
    const sender = async () => {
      for (;;) {
        const mid = BigInt(++next);
        try {
          await client.sendGroupChat(1001n, GROUP, `durable ${mid}`, "", { mid });
          acknowledged.push(mid);
        } catch (error) {
          if (!RTMError.is(error)) throw error;
          failures.add(error.code);
          return;
        }
      }
    };
    const senders = Array.from({ length: 16 }, sender);
    while (acknowledged.length < 400) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill("SIGKILL"); // mid-stream: 16 sends are in flight
    await Promise.all(senders);
    expect(await first.exited).toBe("SIGKILL");
    expect([...failures].every((code) => code === 20002 || code === 20012)).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(400);

    const second = await spawnEmulator(args);
    const reader = sdk(second.endpoint);
    const stored = new Set<bigint>();
    for await (const message of reader.iterateGroupChat(GROUP, { uid: 1001n, desc: false }) as AsyncIterable<HistoryMessage>) {
      expect(message.message).toBe(`durable ${message.messageId}`);
      stored.add(message.messageId);
    }
    const missing = acknowledged.filter((mid) => !stored.has(mid));
    expect(missing).toEqual([]);
    expect(stored.size).toBeLessThanOrEqual(next); // nothing invented
    const last = acknowledged.at(-1)!;
    expect(await reader.getChat(last, 1001n, GROUP, 2)).toMatchObject({ message: `durable ${last}` });

    // SIGTERM: clean shutdown with exit code 0.
    await reader.close();
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.log()).toContain("rtm-emulator stopped");
  });

  it("--key FILE accepts encrypted connections", async () => {
    const key = createECDH("secp256k1");
    key.generateKeys();
    const keyFile = join(dir, "server.key");
    writeFileSync(keyFile, key.getPrivateKey().toString("hex").padStart(64, "0"));
    const emulator = await spawnEmulator(["--project", `${PID}:${SECRET}`, "--key", keyFile]);
    expect(emulator.log()).toContain("encryption on");
    const client = sdk(emulator.endpoint, { encryption: { publicKey: key.getPublicKey().subarray(1) } });
    const sent = await client.sendChat(1n, 2n, "secret words", "");
    expect(await client.getChat(sent.mid, 1n, 2n, 1)).toMatchObject({ message: "secret words" });
  });

  it("exits 1 with a clear message when the key file is missing", async () => {
    await expect(spawnEmulator(["--project", `${PID}:${SECRET}`, "--key", join(dir, "nope.key")])).rejects.toThrow(/exited \(1\)[\s\S]*--key .*nope\.key/);
  });
});
