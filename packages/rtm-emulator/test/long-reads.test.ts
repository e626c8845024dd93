// Long reads share the event loop: while a count over a big group or a history walk through it runs,
// other connections are still answered. Real sockets, a real file database, and the emulator in its own
// process (the rtm-emulator command), so that the test's own work does not stand in its way.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FpnnClient } from "@rtmkit/fpnn";
import { MessageCategory as SdkCategory, RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatStorage } from "../src/storage/chat-storage.js";
import { MessageCategory } from "../src/storage/types.js";
import { PID } from "./helpers.js";

const SECRET = "long-reads";
const GROUP = 9n;
const ROWS = 400_000;
/** Largest acceptable answer time of a small call while a long read runs (a pause comes every ~5 ms). */
const BOUND_MS = 100;

let dir: string;
let emulator: ChildProcess | undefined;
let endpoint: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rtm-long-reads-"));
  const path = join(dir, "big.sqlite");
  // Stored through the storage layer in big transactions: far faster than 400k network sends.
  let clock = Date.now() - ROWS;
  const storage = ChatStorage.open({ path, now: () => clock });
  for (let done = 0; done < ROWS; done += 50_000) {
    storage.store.transaction(() => {
      for (let i = done; i < done + 50_000; i++) {
        clock++;
        const from = BigInt(i % 500) + 1n;
        storage.store.storeSend([{ pid: PID, category: MessageCategory.GroupMessage, from, target: GROUP, mid: BigInt(i) + 1n, mtype: 30, msg: `m${i}`, attrs: "" }]);
      }
    });
  }
  storage.close();
  const bin = fileURLToPath(new URL("../bin/rtm-emulator.mjs", import.meta.url));
  const child = spawn(process.execPath, [bin, "--port", "0", "--db", path], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, RTM_EMULATOR_PROJECTS: `${PID}:${SECRET}` },
  });
  emulator = child;
  endpoint = await new Promise<string>((resolve, reject) => {
    let log = "";
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      log += text;
      const match = /listening on (\S+?);/.exec(log);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`rtm-emulator exited (${code}) before listening:\n${log}`)));
  });
}, 60_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  if (emulator !== undefined && emulator.exitCode === null) {
    const exited = new Promise((resolve) => emulator!.once("exit", resolve));
    emulator.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

function client(): RTMServerClient {
  const c = new RTMServerClient({ pid: PID, secret: SECRET, endpoint, timeout: 30, keepAlive: false });
  closers.push(() => c.close());
  return c;
}

/**
 * Runs `long` on one connection and, until it settles, a `*ping` and a small history page on another
 * one after the other. Answers the long call's result, its duration, and the answer times of the
 * small calls that were made while it ran.
 */
async function whileRunning<T>(long: () => Promise<T>) {
  const small = client();
  const raw = new FpnnClient({ endpoint, timeout: 30, keepAlive: false, autoReconnect: false });
  closers.push(() => raw.close());
  await small.getGroupChat(GROUP, true, 1, 0, 0, 0, 1n); // connected and warm
  await raw.quest("*ping", {});
  let done = false;
  const started = performance.now();
  const result = long().finally(() => (done = true));
  const latencies: number[] = [];
  while (!done) {
    const t0 = performance.now();
    await raw.quest("*ping", {});
    const t1 = performance.now();
    const page = await small.getGroupChat(GROUP, true, 2, 0, 0, 0, 1n);
    expect(page.messages).toHaveLength(2);
    if (!done) latencies.push(t1 - t0, performance.now() - t1);
  }
  return { value: await result, ms: performance.now() - started, latencies };
}

describe(`long reads over ${ROWS.toLocaleString("en-US")} messages of one group`, () => {
  it(`getmsgnum counts right while *ping and a history page on another connection answer within ${BOUND_MS} ms`, async () => {
    const counter = client();
    const run = await whileRunning(() => counter.getMessageNum(SdkCategory.GroupMessage, GROUP));
    expect(run.value).toEqual({ sender: 500, num: ROWS });
    expect(run.latencies.length).toBeGreaterThanOrEqual(4); // the count ran long enough to be measured against
    expect(Math.max(...run.latencies)).toBeLessThan(BOUND_MS);
  });

  it("a history page whose mtypes match nothing walks the whole group without holding the others up", async () => {
    const reader = client();
    const run = await whileRunning(() => reader.getGroupMessage(GROUP, true, 20, 0, 0, 0, [31], 1n));
    expect(run.value.messages).toEqual([]);
    expect(run.latencies.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...run.latencies)).toBeLessThan(BOUND_MS);
  });

  it("a filtered page whose rows are 400k messages apart finds them, in order, in both directions", async () => {
    const reader = client();
    const sender = client();
    for (let k = 1; k <= 3; k++) await sender.sendGroupMessage(7n, GROUP, 40, `custom ${k}`, "");
    const newest = await reader.getGroupMessage(GROUP, true, 2, 0, 0, 0, [40], 1n);
    expect(newest.messages.map((m) => m.message)).toEqual(["custom 3", "custom 2"]);
    // Ascending, the walk goes through every stored message first, slice by slice.
    const oldest = await reader.getGroupMessage(GROUP, false, 20, 0, 0, 0, [40], 1n);
    expect(oldest.messages.map((m) => m.message)).toEqual(["custom 1", "custom 2", "custom 3"]);
    const next = await reader.getGroupMessage(GROUP, false, 20, 0, 0, oldest.lastCursorId, [40], 1n);
    expect(next.messages).toEqual([]);
  });
});
