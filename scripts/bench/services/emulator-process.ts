// The emulator under the services benchmark, in its own process (so it has a core to itself and its CPU
// and RSS are its own, read from /proc by the parent). Serves a file database; marks the benchmark's users
// online, since the emulator has no client gateway to log them in. Talks to the parent over IPC: sends
// {port} when it listens; on {loop: true} answers its event-loop delay since the last such question.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startEmulator } from "@rtmkit/rtm-emulator";

export interface ServicesReadyMessage {
  port: number;
}

/** How late the emulator process's event loop ran a 10 ms timer, ms (the histogram's values less the 10 ms). */
export interface LoopDelayMessage {
  loopDelayMs: { p50: number; p99: number; max: number };
}

const [path, pidText, secret, onlineText] = process.argv.slice(2);
if (path === undefined || pidText === undefined || secret === undefined || onlineText === undefined) {
  throw new Error("usage: emulator-process.ts DB_FILE PID SECRET ONLINE_USERS");
}
const pid = Number(pidText);
const emulator = await startEmulator({ projects: [{ pid, secret }], db: path });
for (let uid = 1; uid <= Number(onlineText); uid++) emulator.setOnline(pid, uid, true);
const RESOLUTION_MS = 10;
const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
loop.enable();
process.send!({ port: emulator.port } satisfies ServicesReadyMessage);

process.on("message", (message: { loop?: boolean }) => {
  if (!message.loop) return;
  const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  process.send!({ loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } } satisfies LoopDelayMessage);
  loop.reset();
});
process.on("disconnect", () => {
  void emulator.close().then(() => process.exit(0));
});
