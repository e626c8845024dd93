// The emulator under the push benchmark, in its own process (a core to itself; its CPU and RSS are its own, read
// from /proc by the parent). Serves a file database. Talks to the parent over IPC: sends {port} when it listens;
// on {stats: true} answers its push counters and how many "dropped" log lines it wrote; on {loop: true} its
// event-loop delay since the last such question. The drop warnings (one a second while a silent listener is
// attached) are counted, not printed; other log lines go to stderr.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startEmulator, type PushStats } from "@rtmkit/rtm-emulator";

export interface PushReadyMessage {
  port: number;
}

export interface PushStatsMessage {
  pushStats: PushStats;
  dropLines: number;
}

/** How late the process's event loop ran a 10 ms timer, ms (the histogram's values less the 10 ms). */
export interface PushLoopDelayMessage {
  loopDelayMs: { p50: number; p99: number; max: number };
}

const [path, pidText, secret] = process.argv.slice(2);
if (path === undefined || pidText === undefined || secret === undefined) throw new Error("usage: emulator-process.ts DB_FILE PID SECRET");
let dropLines = 0;
const emulator = await startEmulator({
  projects: [{ pid: Number(pidText), secret }],
  db: path,
  logLevel: "warn",
  log: (line) => {
    if (line.includes("push: dropped")) dropLines++;
    else process.stderr.write(line);
  },
});
const RESOLUTION_MS = 10;
const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
loop.enable();
process.send!({ port: emulator.port } satisfies PushReadyMessage);

process.on("message", (message: { stats?: boolean; loop?: boolean }) => {
  if (message.stats) process.send!({ pushStats: emulator.pushStats(), dropLines } satisfies PushStatsMessage);
  if (message.loop) {
    const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    process.send!({ loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } } satisfies PushLoopDelayMessage);
    loop.reset();
  }
});
process.on("disconnect", () => {
  void emulator.close().then(() => process.exit(0));
});
