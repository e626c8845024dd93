// The emulator under benchmark, in its own process: fills the database, measures one history page at
// the storage layer, then serves it over FPNN. Talks to the parent over IPC.
import { ChatService, ChatStorage, Logger, startEmulator } from "@rtmkit/rtm-emulator";
import { resolveConsoleOptions } from "../../../packages/rtm-emulator/src/console/options.js";
import { startConsole, type RunningConsole } from "../../../packages/rtm-emulator/src/console/server.js";
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

// Replay memory for 20M quests in the 300 s ts window (the default 4M fills in ~2.5 min at 25k sends/s, which the
// console rounds of --console go past).
const emulator = await startEmulator({ projects: [{ pid: BENCH_PID, secret }], db: path, maxSaltsPerProject: 20_000_000 });
send({ port: emulator.port, fill: { rows: fill.rows, ms: fill.ms }, storePage: percentiles(samples) } satisfies ReadyMessage);

/** Answer to { console: "on" | "off" }: the console's URL once it serves (null once it has stopped), and its feed clients. */
export interface ConsoleMessage {
  consoleUrl: string | null;
  feedClients: number;
}

// The console bench (--console) turns the web console on and off between rounds, around the same running emulator.
let served: Promise<RunningConsole> | undefined;
process.on("message", (message: { cpu?: boolean; console?: "on" | "off" }) => {
  if (message.cpu) {
    const usage = process.cpuUsage();
    send({ cpuMicros: usage.user + usage.system });
  }
  if (message.console === "on") {
    served ??= startConsole(emulator, resolveConsoleOptions(true)!, new Logger("warn", (line) => void process.stderr.write(line)));
    void served.then((running) => send({ consoleUrl: running.url, feedClients: running.feedClients() } satisfies ConsoleMessage));
  }
  if (message.console === "off") {
    const stopping = served;
    served = undefined;
    void (stopping?.then((running) => running.close()) ?? Promise.resolve()).then(() => send({ consoleUrl: null, feedClients: 0 } satisfies ConsoleMessage));
  }
});
process.on("disconnect", () => {
  void emulator.close().then(() => process.exit(0));
});
