// Not a test: fills a temp file database with 1M messages and measures one history page.
// Run: cd packages/rtm-emulator && ../../node_modules/.bin/tsx test/bench/history-page.ts [rows]
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatService } from "../../src/chat-service.js";
import { ChatStorage } from "../../src/storage/chat-storage.js";
import { MessageCategory, type NewMessage } from "../../src/storage/types.js";
import * as SQL from "../../src/storage/sql.js";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const GROUPS = 100;
const USERS = 1000;
const PID = 11000001;

const dir = mkdtempSync(join(tmpdir(), "rtm-emulator-bench-"));
const path = join(dir, "bench.sqlite");
let clock = 1_700_000_000_000;
const storage = ChatStorage.open({ path, now: () => clock });
const chat = new ChatService(storage);

try {
  // Fill: 70% group, 20% p2p, 10% room, in transactions of 10k rows; 10 messages per ms.
  let t0 = performance.now();
  const BATCH = 10_000;
  for (let done = 0; done < ROWS; done += BATCH) {
    storage.store.transaction(() => {
      for (let i = done; i < Math.min(done + BATCH, ROWS); i++) {
        if (i % 10 === 0) clock++;
        const r = i % 10;
        const from = BigInt(i % USERS) + 1n;
        const row: NewMessage =
          r < 7
            ? { pid: PID, category: MessageCategory.Group, from, target: BigInt(i % GROUPS) + 1n, mid: BigInt(i), mtype: 30, msg: `group message ${i}`, attrs: "" }
            : r < 9
              ? { pid: PID, category: MessageCategory.P2P, from, target: ((from + 1n) % BigInt(USERS)) + 1n, mid: BigInt(i), mtype: 30, msg: `p2p message ${i}`, attrs: "" }
              : { pid: PID, category: MessageCategory.Room, from, target: 7n, mid: BigInt(i), mtype: 31, msg: `room message ${i}`, attrs: "{}" };
        storage.store.storeSend([row]);
      }
    });
  }
  const fillMs = performance.now() - t0;
  console.log(`filled ${ROWS} rows in ${(fillMs / 1000).toFixed(1)} s (${Math.round(ROWS / (fillMs / 1000))} rows/s, file ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB + WAL)`);

  const firstMtime = 1_700_000_000_001;
  const lastMtime = clock;
  const base = { num: 20, begin: 0, end: 0, lastid: 0, mtypes: [30, 31, 32] };
  const shapes: Record<string, (i: number) => unknown> = {
    "group latest page (desc)": (i) => chat.getgroupmsg(PID, { ...base, gid: (i % GROUPS) + 1, uid: 1, desc: true }),
    "group oldest page (asc)": (i) => chat.getgroupmsg(PID, { ...base, gid: (i % GROUPS) + 1, uid: 1, desc: false }),
    "group page at a cursor mid-history (desc)": (i) =>
      chat.getgroupmsg(PID, { ...base, gid: (i % GROUPS) + 1, uid: 1, desc: true, lastid: Math.floor(ROWS / 2) + i }),
    "group page in a time window (asc)": (i) =>
      chat.getgroupmsg(PID, { ...base, gid: (i % GROUPS) + 1, uid: 1, desc: false, begin: firstMtime + Math.floor((lastMtime - firstMtime) / 3), end: lastMtime - 1000 }),
    "p2p page, both directions (desc)": (i) => chat.getp2pmsg(PID, { ...base, uid: (i % USERS) + 1, ouid: ((i + 1) % USERS) + 1, desc: true }),
    "room page, mtypes [31] (desc)": () => chat.getroommsg(PID, { ...base, rid: 7, uid: 1, desc: true, mtypes: [31] }),
  };
  for (const [name, run] of Object.entries(shapes)) {
    for (let i = 0; i < 200; i++) run(i); // warm
    const samples: number[] = [];
    for (let i = 0; i < 5000; i++) {
      t0 = performance.now();
      run(i);
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(3);
    console.log(`${name.padEnd(46)} p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  max ${q(1)} ms`);
  }

  // Batched acknowledged sends: 1000 sends per event-loop turn, each resolving after its commit.
  const SENDS = 100_000;
  t0 = performance.now();
  for (let done = 0; done < SENDS; done += 1000) {
    const turn: Promise<unknown>[] = [];
    for (let i = done; i < done + 1000; i++) {
      turn.push(chat.sendgroupmsg(PID, { mtype: 30, from: 1, gid: 1, mid: 10_000_000 + i, msg: "batched", attrs: "" }));
    }
    await Promise.all(turn);
  }
  const sendMs = performance.now() - t0;
  console.log(`acknowledged sends through ChatService + WriteBatcher: ${Math.round(SENDS / (sendMs / 1000))}/s (1000 per turn, WAL, synchronous=NORMAL)`);

  // The same with durability "full" (one fsync per batch) on a fresh file.
  const fullStorage = ChatStorage.open({ path: join(dir, "full.sqlite"), durability: "full" });
  const fullChat = new ChatService(fullStorage);
  t0 = performance.now();
  for (let done = 0; done < 20_000; done += 1000) {
    const turn: Promise<unknown>[] = [];
    for (let i = done; i < done + 1000; i++) turn.push(fullChat.sendgroupmsg(PID, { mtype: 30, from: 1, gid: 1, mid: i, msg: "batched", attrs: "" }));
    await Promise.all(turn);
  }
  console.log(`same with --durability full (fresh db): ${Math.round(20_000 / ((performance.now() - t0) / 1000))}/s`);
  fullStorage.close();

  console.log("query plans:");
  const { default: Database } = await import("better-sqlite3");
  const plain = new Database(path, { readonly: true });
  for (const [name, sql] of Object.entries({ HISTORY_ASC: SQL.HISTORY_ASC, HISTORY_DESC: SQL.HISTORY_DESC })) {
    const plan = plain.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, 2, 1, 0, 0, 0, 0, null, null, 20) as { detail: string }[];
    console.log(`  ${name}: ${plan.map((p) => p.detail).join(" | ")}`);
  }
  plain.close();
} finally {
  storage.close();
  rmSync(dir, { recursive: true, force: true });
}
