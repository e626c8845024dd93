// The emulator under benchmark, in its own process: fills the database, measures one history page at
// the storage layer, then serves it over FPNN. Talks to the parent over IPC.
import { ChatService, ChatStorage, startEmulator } from "@rtmkit/rtm-emulator";
import { BENCH_PID, fillDatabase, GROUPS } from "./fill.js";
import { percentiles, type Percentiles } from "./stats.js";

export interface ReadyMessage {
  port: number;
  fill: { rows: number; ms: number };
  /** A 20-row history page read in process (no network), ms. */
  storePage: Percentiles;
}

const [path, rowsText, secret] = process.argv.slice(2);
if (path === undefined || rowsText === undefined || secret === undefined) throw new Error("usage: emulator-process.ts DB_FILE ROWS SECRET");
const send = (message: unknown) => process.send!(message);

const fill = fillDatabase(path, Number(rowsText));

const storage = ChatStorage.open({ path });
const chat = new ChatService(storage);
const samples: number[] = [];
const base = { num: 20, begin: 0n, end: 0n, lastid: 0n, mtypes: [30, 31, 32], uid: 1n };
for (let i = 0; i < 5200; i++) {
  const started = performance.now();
  await chat.getgroupmsg(BENCH_PID, { ...base, gid: BigInt((i % GROUPS) + 1), desc: i % 2 === 0, lastid: BigInt(i % 4 < 2 ? 0 : Math.floor(fill.rows / 2) + i) });
  if (i >= 200) samples.push(performance.now() - started);
}
storage.close();

const emulator = await startEmulator({ projects: [{ pid: BENCH_PID, secret }], db: path });
send({ port: emulator.port, fill: { rows: fill.rows, ms: fill.ms }, storePage: percentiles(samples) } satisfies ReadyMessage);

process.on("message", (message: { cpu?: boolean }) => {
  if (message.cpu) {
    const usage = process.cpuUsage();
    send({ cpuMicros: usage.user + usage.system });
  }
});
process.on("disconnect", () => {
  void emulator.close().then(() => process.exit(0));
});
