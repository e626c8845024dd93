/**
 * Services benchmark: RTMServerClients (one connection and one call in flight each) mixing calls of every RTM
 * service (chat, friends, groups, rooms, users, data, devices, listen, RTC, files, value-added) against the
 * emulator in a child process on a file database. Reports per call its count, p50/p99 latency and errors,
 * expected (by code) and unexpected; the throughput; the emulator's CPU per call and RSS (from /proc); and the
 * raw-socket ceiling over as many connections, measured in the same run just before and after, with the ratios. Afterwards
 * each client reads back the state it alone wrote (data keys, user info, its group's members, its RTC room)
 * and compares it with its own model of its writes.
 *
 *   npm run bench:services [-- --seconds 60 --clients 50]
 *
 * Exits 1 on an unexpected error or a wrong answer during the run, or when a client's state differs from its model.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { RTMError, RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { measure } from "./bench/measure.js";
import { markdownTable } from "./bench/report.js";
import { AnswerServerProcess } from "./bench/server-process.js";
import { CallContext, CALLS, EXPECTED_REASONS, Owned, pickCall, shareOf, USERS_PER_CLIENT, verifyOwned, WrongAnswer, type CallKind } from "./bench/services/calls.js";
import type { LoopDelayMessage, ServicesReadyMessage } from "./bench/services/emulator-process.js";
import { RawPool } from "./bench/services/raw-pool.js";
import { ProcessSampler } from "./bench/soak/memory.js";
import { LatencyReservoir } from "./bench/soak/reservoir.js";
import type { BenchResult } from "./bench/types.js";
import { benchArgs } from "./bench/args.js";

const usage = `usage: npx tsx scripts/bench-services.ts [options]   (or: npm run bench:services -- [options])

  --seconds <n>          length of the measured run (default 60)
  --clients <n>          RTMServerClients, each with its own connection and one call in flight (default 50)
  --warmup <n>           seconds of the same traffic before measuring (default 2)
  --ceiling-seconds <n>  seconds of each raw-socket ceiling measurement, before and after the run (default 5)
  --keep-db              keep the database file (it is kept anyway when the run fails)
  -h, --help             print this help

Exits 1 on an unexpected error or a wrong answer during the run, or when a client's state differs from its model.`;

const values = benchArgs(
  {
    seconds: { type: "string", default: "60" },
    clients: { type: "string", default: "50" },
    warmup: { type: "string", default: "2" },
    "ceiling-seconds": { type: "string", default: "5" },
    "keep-db": { type: "boolean" },
  },
  usage,
);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const WARMUP = Number(values.warmup);
const CEILING_SECONDS = Number(values["ceiling-seconds"]);
if (!(SECONDS > 0) || !Number.isInteger(CLIENTS) || CLIENTS < 1 || CLIENTS > 400 || !(WARMUP >= 0) || !(CEILING_SECONDS > 0)) {
  console.error(usage);
  process.exit(2);
}

const PID = 11000001;
const SECRET = "bench-services-secret";
/** SDK quest timeout: a call unanswered this long is an unexpected outcome (20003). */
const CALL_TIMEOUT_SECONDS = 10;
const LATENCY_SAMPLES = 100_000;
/** Event-loop delay is sampled with a timer of this period; reported is how late it ran (the histogram less this). */
const LOOP_RESOLUTION_MS = 10;
const lateness = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);

class KindStats {
  calls = 0;
  readonly latency = new LatencyReservoir(LATENCY_SAMPLES);
  /** Refusals declared right before the call, by code. */
  readonly expected = new Map<number, number>();
  /** Anything else: by RTM/FPNN code, "wrong answer" or "exception", with the first message. */
  readonly unexpected = new Map<string, { count: number; example: string }>();

  get unexpectedCount(): number {
    let n = 0;
    for (const { count } of this.unexpected.values()) n += count;
    return n;
  }
}

type Stats = Map<CallKind, KindStats>;
const newStats = (): Stats => new Map(CALLS.map((kind) => [kind, new KindStats()]));

const services = new Set(CALLS.map((kind) => kind.service));
console.log(
  `rtm-emulator services benchmark: ${CLIENTS} clients (one connection and one call in flight each), ${SECONDS} s after ${WARMUP} s warm-up; ` +
    `${CALLS.length} calls of ${services.size} services; file database`,
);
console.log(`${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);

// The ceiling before and after the services run, while nothing else of this run is busy: the machine's load
// may change during a minute, and the two show by how much.
const ceilingBefore = await rawCeiling();
console.log(`raw ceiling before the run: ${fmt(ceilingBefore.questsPerSecond)} quests/s over ${CLIENTS} connections`);

const dir = mkdtempSync(join(tmpdir(), "rtm-bench-services-"));
const db = join(dir, "services.sqlite");
const child = fork(fileURLToPath(new URL("./bench/services/emulator-process.ts", import.meta.url)), [db, String(PID), SECRET, String(CLIENTS * USERS_PER_CLIENT)], {
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
const contexts: CallContext[] = [];
let failed = true;
let run: Awaited<ReturnType<typeof servicesRun>> | undefined;
try {
  run = await servicesRun();
} catch (error) {
  console.log(`database kept: ${db}`);
  throw error;
} finally {
  await Promise.all(contexts.map((ctx) => ctx.client.close()));
  child.disconnect();
  await exited;
}
const ceilingAfter = await rawCeiling();
console.log(`raw ceiling after the run: ${fmt(ceilingAfter.questsPerSecond)} quests/s`);
try {
  failed = report(run);
} finally {
  if (failed || values["keep-db"]) console.log(`database kept: ${db}`);
  else rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

/** Connects the clients, warms up, runs the measured mix, then reads back each client's own state. */
async function servicesRun() {
  const ready = await new Promise<ServicesReadyMessage>((resolve, reject) => {
    child.once("message", (message) => resolve(message as ServicesReadyMessage));
    child.once("exit", (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  let connectionsLost = 0;
  let running = true;
  for (let c = 0; c < CLIENTS; c++) {
    const client = new RTMServerClient({ pid: PID, secret: SECRET, endpoint: `127.0.0.1:${ready.port}`, timeout: CALL_TIMEOUT_SECONDS });
    client.fpnn.on("close", () => {
      if (running) connectionsLost++;
    });
    contexts.push(new CallContext(client, new Owned(c), CLIENTS * USERS_PER_CLIENT));
  }
  await Promise.all(contexts.map((ctx) => ctx.client.connect()));

  const warmup = newStats();
  await runFor(WARMUP * 1000, warmup);
  await emulatorLoopDelay(); // resets it
  const stats = newStats();
  const all = new LatencyReservoir(LATENCY_SAMPLES);
  const sampler = new ProcessSampler(child.pid!);
  const rssAtStartKiB = sampler.latest;
  // Latencies are measured in this process: its own event-loop stalls show up in them.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  const benchCpu = process.cpuUsage();
  const started = performance.now();
  const calls = await runFor(SECONDS * 1000, stats, all);
  const seconds = (performance.now() - started) / 1000;
  const emulatorCpuMs = sampler.cpuSinceStart();
  const benchCpuUsage = process.cpuUsage(benchCpu);
  const emulatorLoop = await emulatorLoopDelay();
  loopDelay.disable();
  sampler.stop();

  const verified = await Promise.all(contexts.map((ctx) => verifyOwned(ctx)));
  running = false;
  return {
    warmup,
    stats,
    calls,
    seconds,
    overall: all.percentiles(),
    emulatorCpuMs,
    benchCpuMs: (benchCpuUsage.user + benchCpuUsage.system) / 1000,
    benchLoopDelayMs: { p99: lateness(loopDelay.percentile(99)), max: lateness(loopDelay.max) },
    emulatorLoopDelayMs: emulatorLoop,
    rssKiB: { start: rssAtStartKiB, max: Math.max(...sampler.rss), end: sampler.latest },
    connectionsLost,
    checked: verified.reduce((sum, v) => sum + v.checked, 0),
    differences: verified.flatMap((v) => v.differences),
    dbBytes: statSync(db).size,
    loadAverage: loadavg(),
  };
}

/** Prints the report; returns whether the run failed. */
function report(r: Awaited<ReturnType<typeof servicesRun>>): boolean {
  const perSecond = r.calls / r.seconds;
  const cpuPer1k = r.emulatorCpuMs / (r.calls / 1000);
  const clientCpuPer1k = r.benchCpuMs / (r.calls / 1000);
  const mib = (kib: number) => (kib / 1024).toFixed(0);

  console.log(`\n== Calls (${r.seconds.toFixed(1)} s measured; latency measured in this process, errors included)\n`);
  console.log(callTable(r.stats));
  console.log(`\n== Expected errors (refusals the call was declared to risk)\n`);
  console.log(expectedTable(r.stats));
  const unexpected = [...warmupUnexpected(r.warmup), ...unexpectedLines(r.stats)];
  console.log(`\n== Unexpected errors and wrong answers: ${unexpected.length === 0 ? "none" : ""}`);
  for (const line of unexpected) console.log(line);
  if (r.connectionsLost > 0) console.log(`!! ${r.connectionsLost} client connection(s) closed during the run`);

  // The ceiling: the mean of its two measurements (before and after), each shown.
  const mean = (f: (b: BenchResult) => number) => (f(ceilingBefore) + f(ceilingAfter)) / 2;
  const both = (f: (b: BenchResult) => number, digits: number) => `${f(ceilingBefore).toFixed(digits)} / ${f(ceilingAfter).toFixed(digits)}`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const ceilingQps = mean((b) => b.questsPerSecond);
  const ceilingP50 = mean((b) => b.p50Us / 1000);
  const ceilingP99 = mean((b) => b.p99Us / 1000);
  const ceilingCpu = mean((b) => b.serverCpuMsPer1000);
  const ceilingClientCpu = mean((b) => b.cpuMsPer1000);
  console.log(`\n== Against the raw-socket ceiling (${CLIENTS} connections, one quest in flight each, minimal answer server; measured before / after the run)\n`);
  console.log(
    markdownTable(
      ["measure", "services mix", "raw ceiling", "ratio to the ceiling's mean"],
      [
        ["calls/s", fmt(perSecond), `${fmt(ceilingBefore.questsPerSecond)} / ${fmt(ceilingAfter.questsPerSecond)}`, ratio(perSecond, ceilingQps)],
        ["p50 ms", r.overall.p50.toFixed(3), both((b) => b.p50Us / 1000, 3), ratio(r.overall.p50, ceilingP50)],
        ["p99 ms", r.overall.p99.toFixed(3), both((b) => b.p99Us / 1000, 3), ratio(r.overall.p99, ceilingP99)],
        ["server CPU ms per 1k calls", cpuPer1k.toFixed(1), both((b) => b.serverCpuMsPer1000, 1), ratio(cpuPer1k, ceilingCpu)],
        ["client CPU ms per 1k calls", clientCpuPer1k.toFixed(1), both((b) => b.cpuMsPer1000, 1), ratio(clientCpuPer1k, ceilingClientCpu)],
      ],
      1,
    ),
  );
  console.log(
    `\nthroughput ${fmt(perSecond)} calls/s (${fmt(r.calls)} calls in ${r.seconds.toFixed(1)} s); emulator CPU ${((r.emulatorCpuMs / 1000 / r.seconds) * 100).toFixed(0)}% of a core, ` +
      `${((r.emulatorCpuMs * 1000) / r.calls).toFixed(0)} µs per call, event loop late by p50 ${r.emulatorLoopDelayMs.p50.toFixed(1)} ms, p99 ${r.emulatorLoopDelayMs.p99.toFixed(1)} ms, ` +
      `max ${r.emulatorLoopDelayMs.max.toFixed(0)} ms; emulator RSS ${mib(r.rssKiB.start)} MiB at the start, max ${mib(r.rssKiB.max)}, ${mib(r.rssKiB.end)} at the end; ` +
      `benchmark process CPU ${((r.benchCpuMs / 1000 / r.seconds) * 100).toFixed(0)}% of a core, event loop late by p99 ${r.benchLoopDelayMs.p99.toFixed(1)} ms, max ${r.benchLoopDelayMs.max.toFixed(0)} ms; ` +
      `database ${(r.dbBytes / 2 ** 20).toFixed(1)} MiB (+ WAL)`,
  );
  console.log(`load average at the end of the run: ${r.loadAverage.map((l) => l.toFixed(2)).join(" ")}`);

  console.log(`\n== State check: ${fmt(r.checked)} reads of what each client alone wrote (data keys, user info, its group's members, its RTC room)`);
  if (r.differences.length === 0) console.log("every one equals the client's model");
  else for (const line of r.differences.slice(0, 20)) console.log(`!! ${line}`);
  if (r.differences.length > 20) console.log(`!! ... and ${r.differences.length - 20} more`);

  const failed = unexpected.length > 0 || r.differences.length > 0 || r.connectionsLost > 0;
  console.log(failed ? "\nFAILED" : "\nok");
  return failed;
}

/** The emulator process's event-loop delay since the last call, ms. */
function emulatorLoopDelay(): Promise<LoopDelayMessage["loopDelayMs"]> {
  return new Promise((resolve) => {
    const onMessage = (message: Partial<LoopDelayMessage>) => {
      if (message.loopDelayMs === undefined) return;
      child.off("message", onMessage);
      resolve(message.loopDelayMs);
    };
    child.on("message", onMessage);
    child.send({ loop: true });
  });
}

/** Every client makes one call after the other until the time is up; returns the calls made. */
async function runFor(ms: number, stats: Stats, all?: LatencyReservoir): Promise<number> {
  const end = performance.now() + ms;
  let calls = 0;
  const worker = async (ctx: CallContext) => {
    while (performance.now() < end) {
      const kind = pickCall();
      const kindStats = stats.get(kind)!;
      ctx.allowed = [];
      const started = performance.now();
      let failure: unknown;
      try {
        await kind.run(ctx);
      } catch (error) {
        failure = error;
      }
      const latency = performance.now() - started;
      kindStats.calls++;
      kindStats.latency.add(latency);
      all?.add(latency);
      calls++;
      if (failure !== undefined) record(kindStats, failure, ctx.allowed);
    }
  };
  await Promise.all(contexts.map(worker));
  return calls;
}

function record(stats: KindStats, failure: unknown, allowed: readonly number[]): void {
  if (RTMError.is(failure) && allowed.includes(failure.code)) {
    stats.expected.set(failure.code, (stats.expected.get(failure.code) ?? 0) + 1);
    return;
  }
  const [key, message] = RTMError.is(failure)
    ? [String(failure.code), failure.message]
    : failure instanceof WrongAnswer
      ? ["wrong answer", failure.message]
      : ["exception", String((failure as Error)?.stack ?? failure)];
  const entry = stats.unexpected.get(key);
  if (entry === undefined) stats.unexpected.set(key, { count: 1, example: message.slice(0, 300) });
  else entry.count++;
}

async function rawCeiling(): Promise<BenchResult> {
  const server = await AnswerServerProcess.start("raw");
  const pool = new RawPool(CLIENTS);
  try {
    await pool.open(server.endpoint);
    return await measure(pool, { inFlight: CLIENTS, warmupMs: 500, durationMs: CEILING_SECONDS * 1000, serverCpuMicros: () => server.cpuMicros() });
  } finally {
    await pool.close();
    await server.stop();
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function codes(counts: ReadonlyMap<number, number>): string {
  return [...counts].map(([code, n]) => `${code} x${fmt(n)}`).join(", ");
}

function callTable(stats: Stats): string {
  const rows = [...stats].map(([kind, s]) => {
    const p = s.latency.percentiles();
    return [kind.service, kind.name, shareOf(kind).toFixed(1), fmt(s.calls), p.p50.toFixed(3), p.p99.toFixed(3), codes(s.expected) || "-", s.unexpectedCount === 0 ? "-" : fmt(s.unexpectedCount)];
  });
  return markdownTable(["service", "call", "share %", "calls", "p50 ms", "p99 ms", "expected errors", "unexpected"], rows, 2);
}

function expectedTable(stats: Stats): string {
  const byCode = new Map<number, { count: number; calls: Set<string> }>();
  for (const [kind, s] of stats) {
    for (const [code, n] of s.expected) {
      const entry = byCode.get(code) ?? { count: 0, calls: new Set() };
      entry.count += n;
      entry.calls.add(kind.name);
      byCode.set(code, entry);
    }
  }
  const rows = [...byCode].sort(([a], [b]) => a - b).map(([code, e]) => [String(code), EXPECTED_REASONS.get(code) ?? "?", [...e.calls].join(", "), fmt(e.count)]);
  return rows.length === 0 ? "none" : markdownTable(["code", "why", "calls", "count"], rows, 3);
}

function unexpectedLines(stats: Stats): string[] {
  return [...stats].flatMap(([kind, s]) => [...s.unexpected].map(([key, e]) => `!! ${kind.name}: ${key} x${e.count}: ${e.example}`));
}

function warmupUnexpected(stats: Stats): string[] {
  return unexpectedLines(stats).map((line) => `${line} (during the warm-up)`);
}
