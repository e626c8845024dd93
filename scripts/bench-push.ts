/**
 * Push benchmark: one RTMServerClient keeps sendGroupMessage calls in flight to one group, each carrying its send
 * time in `msg`; ten listeners (RTMServerClients with onPush handlers, scripts/bench/push/listener.ts) listen to the group and answer
 * every push. The emulator runs in a child process on a file database. Rounds alternate without and with one more
 * listener that never answers (a raw socket), so its cost shows. Reports per round the pushes delivered per
 * second (all listeners together), the end-to-end latency from send to listener handler (p50/p99), the emulator's
 * CPU per delivered push and its RSS; and the raw-socket ceiling (measured before and after, as bench:services does)
 * with the ratio. Afterwards every listener must have had every push, in send order.
 *
 *   npm run bench:push [-- --seconds 10 --rounds 4 --listeners 10 --in-flight 16]
 *
 * Exits 1 when a listener missed a push or got them out of order, or a send failed.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { benchArgs } from "./bench/args.js";
import { measure } from "./bench/measure.js";
import { openListener, type BenchListener } from "./bench/push/listener.js";
import type { PushLoopDelayMessage, PushReadyMessage, PushStatsMessage } from "./bench/push/emulator-process.js";
import { SilentListener } from "./bench/push/silent-listener.js";
import { markdownTable } from "./bench/report.js";
import { AnswerServerProcess } from "./bench/server-process.js";
import { RawPool } from "./bench/services/raw-pool.js";
import { ProcessSampler } from "./bench/soak/memory.js";
import { LatencyReservoir } from "./bench/soak/reservoir.js";
import type { BenchResult } from "./bench/types.js";

const usage = `usage: npx tsx scripts/bench-push.ts [options]   (or: npm run bench:push -- [options])

  --seconds <n>          length of each measured round (default 10)
  --rounds <n>           measured rounds, alternating without and with the silent listener (default 4)
  --listeners <n>        listeners answering every push (default 10)
  --in-flight <n>        sendGroupMessage calls the sender keeps in flight (default 16)
  --warmup <n>           seconds of the same traffic before measuring (default 2)
  --ceiling-seconds <n>  seconds of each raw-socket ceiling measurement, before and after the rounds (default 5)
  -h, --help             print this help

Exits 1 when a listener missed a push or got them out of order, or a send failed.`;

const values = benchArgs(
  {
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "4" },
    listeners: { type: "string", default: "10" },
    "in-flight": { type: "string", default: "16" },
    warmup: { type: "string", default: "2" },
    "ceiling-seconds": { type: "string", default: "5" },
  },
  usage,
);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const LISTENERS = Number(values.listeners);
const IN_FLIGHT = Number(values["in-flight"]);
const WARMUP = Number(values.warmup);
const CEILING_SECONDS = Number(values["ceiling-seconds"]);
const positiveInt = (n: number) => Number.isInteger(n) && n >= 1;
if (!(SECONDS > 0) || !positiveInt(ROUNDS) || !positiveInt(LISTENERS) || LISTENERS > 1000 || !positiveInt(IN_FLIGHT) || !(WARMUP >= 0) || !(CEILING_SECONDS > 0)) {
  console.error(usage);
  process.exit(2);
}

const PID = 11000001;
const SECRET = "bench-push-secret";
const GID = 4242n;
const FROM = 1001n;
const GOAL_PUSHES_PER_SECOND = 20_000;
const GOAL_P99_MS = 50;
/** Padding after the send time: a message of ordinary length. */
const PADDING = " a benchmark message of ordinary length";
const LATENCY_SAMPLES = 200_000;
/** How long the pushes of a round may take to arrive after its last send was answered. */
const DRAIN_MS = 10_000;

type Mode = "without silent listener" | "with silent listener";

interface RoundResult {
  mode: Mode;
  seconds: number;
  sends: number;
  delivered: number;
  latency: ReturnType<LatencyReservoir["percentiles"]>;
  emulatorCpuMs: number;
  rssKiB: { start: number; max: number };
  dropped: number;
  timedOut: number;
  emulatorLoop: PushLoopDelayMessage["loopDelayMs"];
  benchCpuMs: number;
  benchLoopP99Ms: number;
}

console.log(
  `rtm-emulator push benchmark: 1 sender (${IN_FLIGHT} sendGroupMessage in flight) -> 1 group -> ${LISTENERS} listeners; ${ROUNDS} rounds of ${SECONDS} s ` +
    `alternating without / with a listener that never answers, after ${WARMUP} s warm-up; file database`,
);
console.log(`${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);

const ceilingBefore = await rawCeiling();
console.log(`raw ceiling before the rounds: ${fmt(ceilingBefore.questsPerSecond)} quests/s over ${LISTENERS} connections, ${LISTENERS * IN_FLIGHT} in flight`);

const dir = mkdtempSync(join(tmpdir(), "rtm-bench-push-"));
const child = fork(fileURLToPath(new URL("./bench/push/emulator-process.ts", import.meta.url)), [join(dir, "push.sqlite"), String(PID), SECRET], {
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

/** What the listeners got: per listener the count and the last mid (order check); latencies of the current round. */
const received = new Array<number>(LISTENERS).fill(0);
const lastMid = new Array<bigint>(LISTENERS).fill(0n);
let outOfOrder = 0;
let latency = new LatencyReservoir(LATENCY_SAMPLES);
let sent = 0;
const sendFailures = new Map<string, number>();

const listeners: BenchListener[] = [];
let sender: RTMServerClient | undefined;
let failed = true;
const rounds: RoundResult[] = [];
try {
  const ready = await new Promise<PushReadyMessage>((resolve, reject) => {
    child.once("message", (message) => resolve(message as PushReadyMessage));
    child.once("exit", (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  const endpoint = `127.0.0.1:${ready.port}`;
  for (let i = 0; i < LISTENERS; i++) {
    listeners.push(
      await openListener({
        endpoint,
        pid: PID,
        secret: SECRET,
        gid: GID,
        onPush: ({ mid, msg }) => {
          latency.add(performance.now() - Number.parseFloat(msg));
          received[i]!++;
          if (mid <= lastMid[i]!) outOfOrder++;
          lastMid[i] = mid;
        },
      }),
    );
  }
  sender = new RTMServerClient({ pid: PID, secret: SECRET, endpoint, timeout: 30 });
  await sender.connect();

  await sendFor(sender, WARMUP * 1000);
  await drained();
  await emulatorMessage<PushLoopDelayMessage>({ loop: true }, "loopDelayMs"); // resets it
  const sampler = new ProcessSampler(child.pid!);
  for (let r = 0; r < ROUNDS; r++) {
    const mode: Mode = r % 2 === 0 ? "without silent listener" : "with silent listener";
    const silent = mode === "with silent listener" ? await SilentListener.open({ endpoint, pid: PID, secret: SECRET, gid: GID }) : undefined;
    rounds.push(await round(sender, mode, sampler));
    silent?.close();
  }
  sampler.stop();
  failed = report(rounds);
} finally {
  await sender?.close();
  await Promise.all(listeners.map((listener) => listener.close()));
  child.disconnect();
  await exited;
  rmSync(dir, { recursive: true, force: true });
}
const ceilingAfter = await rawCeiling();
console.log(`raw ceiling after the rounds: ${fmt(ceilingAfter.questsPerSecond)} quests/s`);
reportCeiling(rounds);
console.log(failed ? "\nFAILED" : "\nok");
process.exitCode = failed ? 1 : 0;

/** One measured round: sends for SECONDS, then waits until every listener has every push. */
async function round(client: RTMServerClient, mode: Mode, sampler: ProcessSampler): Promise<RoundResult> {
  latency = new LatencyReservoir(LATENCY_SAMPLES);
  const statsBefore = (await emulatorMessage<PushStatsMessage>({ stats: true }, "pushStats")).pushStats;
  const deliveredBefore = total(received);
  const sentBefore = sent;
  const cpuBefore = sampler.cpuSinceStart();
  const rssStart = sampler.latest;
  const rssSamplesBefore = sampler.rss.length;
  const benchCpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  await sendFor(client, SECONDS * 1000);
  await drained();
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  const benchCpuUsage = process.cpuUsage(benchCpu);
  const emulatorCpuMs = sampler.cpuSinceStart() - cpuBefore;
  const statsAfter = (await emulatorMessage<PushStatsMessage>({ stats: true }, "pushStats")).pushStats;
  const emulatorLoop = (await emulatorMessage<PushLoopDelayMessage>({ loop: true }, "loopDelayMs")).loopDelayMs;
  return {
    mode,
    seconds,
    sends: sent - sentBefore,
    delivered: total(received) - deliveredBefore,
    latency: latency.percentiles(),
    emulatorCpuMs,
    rssKiB: { start: rssStart, max: Math.max(rssStart, ...sampler.rss.slice(rssSamplesBefore)) },
    dropped: statsAfter.dropped - statsBefore.dropped,
    timedOut: statsAfter.timedOut - statsBefore.timedOut,
    emulatorLoop,
    benchCpuMs: (benchCpuUsage.user + benchCpuUsage.system) / 1000,
    benchLoopP99Ms: Math.max(0, loop.percentile(99) / 1e6 - 10),
  };
}

/** IN_FLIGHT workers send one group message after the other until the time is up. */
async function sendFor(client: RTMServerClient, ms: number): Promise<void> {
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        await client.sendGroupMessage(FROM, GID, 30, `${performance.now().toFixed(3)}${PADDING}`, "");
        sent++;
      } catch (error) {
        const key = String((error as Error).message).slice(0, 200);
        sendFailures.set(key, (sendFailures.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Until every listener has a push for every send answered so far. */
async function drained(): Promise<void> {
  const deadline = performance.now() + DRAIN_MS;
  while (received.some((count) => count < sent)) {
    if (performance.now() > deadline) return; // reported as missed pushes
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function report(results: readonly RoundResult[]): boolean {
  console.log(`\n== Rounds (${SECONDS} s of sends each, until every listener had every push)\n`);
  const mib = (kib: number) => (kib / 1024).toFixed(0);
  console.log(
    markdownTable(
      ["round", "silent listener", "sends/s", "pushes delivered/s", "p50 ms", "p99 ms", "max ms", "emulator CPU µs/push", "emulator RSS MiB", "dropped", "emulator loop p99 ms", "bench CPU %"],
      results.map((r, i) => [
        String(i + 1),
        r.mode === "with silent listener" ? "attached" : "-",
        fmt(r.sends / r.seconds),
        fmt(r.delivered / r.seconds),
        r.latency.p50.toFixed(2),
        r.latency.p99.toFixed(2),
        r.latency.max.toFixed(1),
        ((r.emulatorCpuMs * 1000) / r.delivered).toFixed(1),
        `${mib(r.rssKiB.start)} -> ${mib(r.rssKiB.max)}`,
        fmt(r.dropped),
        r.emulatorLoop.p99.toFixed(1),
        ((r.benchCpuMs / 1000 / r.seconds) * 100).toFixed(0),
      ]),
      2,
    ),
  );
  for (const mode of ["without silent listener", "with silent listener"] as const) {
    const of = results.filter((r) => r.mode === mode);
    if (of.length === 0) continue;
    const pushesPerSecond = of.reduce((sum, r) => sum + r.delivered, 0) / of.reduce((sum, r) => sum + r.seconds, 0);
    const p99 = Math.max(...of.map((r) => r.latency.p99));
    const ok = pushesPerSecond >= GOAL_PUSHES_PER_SECOND && p99 < GOAL_P99_MS;
    console.log(
      `${mode}: ${fmt(pushesPerSecond)} pushes/s delivered, p99 ${p99.toFixed(2)} ms (worst round) — goal >= ${fmt(GOAL_PUSHES_PER_SECOND)}/s with p99 < ${GOAL_P99_MS} ms: ${ok ? "ok" : "MISSED"}`,
    );
  }
  const missing = received.map((count) => sent - count).filter((n) => n !== 0);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`${missing.length} listener(s) missed pushes: ${missing.join(", ")}`);
  if (outOfOrder > 0) problems.push(`${outOfOrder} push(es) arrived out of send order`);
  for (const [message, count] of sendFailures) problems.push(`send failed x${count}: ${message}`);
  console.log(`\n== Delivery: ${fmt(sent)} sends, ${fmt(total(received))} pushes delivered; ${problems.length === 0 ? "every listener got every push, in send order" : ""}`);
  for (const problem of problems) console.log(`!! ${problem}`);
  return problems.length > 0;
}

function reportCeiling(results: readonly RoundResult[]): void {
  const without = results.filter((r) => r.mode === "without silent listener");
  const pushesPerSecond = without.reduce((sum, r) => sum + r.delivered, 0) / without.reduce((sum, r) => sum + r.seconds, 0);
  const ceiling = (ceilingBefore.questsPerSecond + ceilingAfter.questsPerSecond) / 2;
  console.log(`\n== Against the raw-socket ceiling (${LISTENERS} connections, ${LISTENERS * IN_FLIGHT} quests in flight, minimal answer server; before / after)\n`);
  console.log(
    markdownTable(
      ["measure", "pushes (no silent listener)", "raw ceiling", "ratio to the ceiling's mean"],
      [["messages/s", fmt(pushesPerSecond), `${fmt(ceilingBefore.questsPerSecond)} / ${fmt(ceilingAfter.questsPerSecond)}`, `${(pushesPerSecond / ceiling).toFixed(2)}x`]],
      1,
    ),
  );
}

function emulatorMessage<T>(question: object, key: keyof T & string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: Partial<T>) => {
      if (message[key] === undefined) return;
      child.off("message", onMessage);
      resolve(message as T);
    };
    child.on("message", onMessage);
    child.send(question);
  });
}

async function rawCeiling(): Promise<BenchResult> {
  const server = await AnswerServerProcess.start("raw");
  const pool = new RawPool(LISTENERS);
  try {
    await pool.open(server.endpoint);
    return await measure(pool, { inFlight: LISTENERS * IN_FLIGHT, warmupMs: 500, durationMs: CEILING_SECONDS * 1000, serverCpuMicros: () => server.cpuMicros() });
  } finally {
    await pool.close();
    await server.stop();
  }
}

function total(counts: readonly number[]): number {
  return counts.reduce((sum, n) => sum + n, 0);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
