/**
 * Emulator benchmark: acknowledged sendChat/s through the SDK on 4 connections into a file database,
 * and one history page with 1M messages stored. The emulator runs in a child process so client and
 * server each get a core.
 *
 *   npm run bench:emulator [-- --rows 1000000 --seconds 10 --in-flight 64]
 *
 * With --console, then rounds of sends in three modes, alternating (each round runs all three, in a rotating order,
 * so that a change in machine load falls on every mode): the web console off, on with no browser, and on with one
 * client reading the live feed (GET /api/feed, as an open browser tab does). Sends/s per mode, and each mode's change
 * against "off" in the same round (median of the rounds, with the range).
 *
 *   npm run bench:emulator -- --console [--rows 100000 --console-rounds 5 --console-seconds 5]
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import type { ConsoleMessage, ReadyMessage } from "./bench/emulator/emulator-process.js";
import { BENCH_PID, GROUPS, USERS } from "./bench/emulator/fill.js";
import { percentiles, type Percentiles } from "./bench/emulator/stats.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "10" },
    "in-flight": { type: "string", default: "64" },
    connections: { type: "string", default: "4" },
    /** Write a V8 CPU profile of the emulator process into this directory. */
    "cpu-prof": { type: "string" },
    /** Then measure what the web console costs (see above). */
    console: { type: "boolean", default: false },
    "console-rounds": { type: "string", default: "5" },
    "console-seconds": { type: "string", default: "5" },
  },
});
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const IN_FLIGHT = Number(values["in-flight"]);
const CONNECTIONS = Number(values.connections);
const SECRET = "bench-secret";
const SEND_TARGET = 50_000;
const PAGE_P99_TARGET_MS = 2;
/**
 * Pages read before measuring: the emulator process has just filled and indexed 1M rows, and its first seconds of
 * serving carry that work's GC and the JIT warming up (p99 of the first 5,000 pages: 1.1–2.1 ms; afterwards ~0.5 ms).
 */
const HISTORY_WARMUP_PAGES = 2000;

/** The modes of --console, each measured once per round. */
const CONSOLE_MODES = ["console off", "console on, no browser", "console on, feed open"] as const;
type ConsoleMode = (typeof CONSOLE_MODES)[number];

const dir = mkdtempSync(join(tmpdir(), "rtm-bench-emulator-"));
const db = join(dir, "bench.sqlite");
const child = fork(fileURLToPath(new URL("./bench/emulator/emulator-process.ts", import.meta.url)), [db, String(ROWS), SECRET], {
  stdio: ["ignore", "inherit", "inherit", "ipc"],
  execArgv: values["cpu-prof"] === undefined ? process.execArgv : [...process.execArgv, "--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]],
});
const exited = new Promise((resolve) => child.once("exit", resolve));
const clients: RTMServerClient[] = [];

try {
  console.log(`rtm-emulator benchmark: ${ROWS.toLocaleString("en-US")} rows, ${CONNECTIONS} connections x ${IN_FLIGHT} in flight, ${SECONDS} s; ${cpus().length} cores, Node ${process.version}`);
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    child.once("message", (message) => resolve(message as ReadyMessage));
    child.once("exit", (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  console.log(`filled ${ready.fill.rows.toLocaleString("en-US")} rows through the storage layer in ${(ready.fill.ms / 1000).toFixed(1)} s (${Math.round(ready.fill.rows / (ready.fill.ms / 1000)).toLocaleString("en-US")} rows/s); file ${(statSync(db).size / 2 ** 20).toFixed(0)} MiB`);
  const endpoint = `127.0.0.1:${ready.port}`;
  for (let i = 0; i < CONNECTIONS; i++) clients.push(new RTMServerClient({ pid: BENCH_PID, secret: SECRET, endpoint, timeout: 30 }));
  await Promise.all(clients.map((c) => c.connect()));

  // History: one 20-row page per call, one at a time (latency, not throughput), groups of ~7k rows each.
  const page = await historyPages(clients[0]!, 5000);

  // Sends: every connection keeps IN_FLIGHT sendChat calls outstanding.
  await sendFor(1, undefined); // warm-up
  const cpuBefore = await serverCpuMicros();
  const clientCpuBefore = process.cpuUsage();
  const latencies: number[] = [];
  const started = performance.now();
  const sends = await sendFor(SECONDS, latencies);
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = (await serverCpuMicros()) - cpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const sendLatency = percentiles(latencies);
  const perSecond = sends / elapsed;

  const ms = (p: Percentiles) => `p50 ${p.p50.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms, max ${p.max.toFixed(2)} ms (${p.count} samples)`;
  console.log("");
  console.log(`| measure | result | target |`);
  console.log(`|---|---|---|`);
  console.log(`| acknowledged sendChat/s (file db, WAL, ${CONNECTIONS} conns) | ${Math.round(perSecond).toLocaleString("en-US")} | >= ${SEND_TARGET.toLocaleString("en-US")} ${perSecond >= SEND_TARGET ? "ok" : "MISSED"} |`);
  console.log(`| sendChat latency | ${ms(sendLatency)} | |`);
  console.log(`| history page via SDK at ${ROWS.toLocaleString("en-US")} rows | ${ms(page)} | p99 < ${PAGE_P99_TARGET_MS} ms ${page.p99 < PAGE_P99_TARGET_MS ? "ok" : "MISSED"} |`);
  console.log(`| history page in the emulator process (storage only) | ${ms(ready.storePage)} | |`);
  console.log(`| server CPU per 1k sends | ${(serverCpu / 1000 / (sends / 1000)).toFixed(1)} ms | |`);
  console.log(`| client CPU per 1k sends | ${((clientCpu.user + clientCpu.system) / 1000 / (sends / 1000)).toFixed(1)} ms | |`);
  console.log(`\ndatabase after the run: ${(statSync(db).size / 2 ** 20).toFixed(0)} MiB (+ WAL)`);
  if (values.console) await consoleRounds(Number(values["console-rounds"]), Number(values["console-seconds"]));
} finally {
  await Promise.all(clients.map((c) => c.close()));
  child.disconnect();
  await exited;
  rmSync(dir, { recursive: true, force: true });
}

async function historyPages(client: RTMServerClient, count: number): Promise<Percentiles> {
  const samples: number[] = [];
  for (let i = 0; i < count + HISTORY_WARMUP_PAGES; i++) {
    const gid = (i % GROUPS) + 1;
    const started = performance.now();
    // Alternate newest-first, oldest-first and a page from a cursor in the middle of the history.
    const lastId = i % 3 === 2 ? Math.floor(ROWS / 2) + i : 0;
    await client.getGroupChat(gid, i % 3 !== 1, 20, 0, 0, lastId, 1);
    if (i >= HISTORY_WARMUP_PAGES) samples.push(performance.now() - started);
  }
  return percentiles(samples);
}

async function sendFor(seconds: number, latencies: number[] | undefined): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (client: RTMServerClient, w: number) => {
    let n = w;
    while (performance.now() < end) {
      const from = (n % USERS) + 1;
      const started = performance.now();
      await client.sendChat(from, (from % USERS) + 1, "a benchmark message of ordinary length", "");
      latencies?.push(performance.now() - started);
      done++;
      n += IN_FLIGHT * CONNECTIONS;
    }
  };
  await Promise.all(clients.flatMap((client, c) => Array.from({ length: IN_FLIGHT }, (_, w) => worker(client, c * IN_FLIGHT + w))));
  return done;
}

async function consoleRounds(rounds: number, seconds: number): Promise<void> {
  const perMode = new Map<ConsoleMode, number[]>(CONSOLE_MODES.map((mode) => [mode, []]));
  const feedRates: { events: number; cappedSeconds: number }[] = [];
  console.log(`\nweb console: ${rounds} rounds x ${CONSOLE_MODES.length} modes x ${seconds} s of sends`);
  for (let round = 0; round < rounds; round++) {
    const order = CONSOLE_MODES.map((_, i) => CONSOLE_MODES[(i + round) % CONSOLE_MODES.length]!);
    for (const mode of order) {
      let { consoleUrl: url, feedClients } = await switchConsole(mode === "console off" ? "off" : "on");
      // The feed reader of the mode before has gone; the console notices its socket close within milliseconds.
      for (let waited = 0; feedClients !== 0; waited += 10) {
        if (waited > 2000) throw new Error(`the feed client of the mode before is still connected (${feedClients})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        ({ consoleUrl: url, feedClients } = await switchConsole("on"));
      }
      const feed = mode === "console on, feed open" ? readFeed(new URL("/api/feed", url!).href) : undefined;
      await sendFor(0.5, undefined); // settle after the switch
      const started = performance.now();
      const sends = await sendFor(seconds, undefined);
      const elapsed = (performance.now() - started) / 1000;
      perMode.get(mode)!.push(sends / elapsed);
      if (feed !== undefined) {
        const read = await feed.stop();
        feedRates.push({ events: read.events / read.seconds, cappedSeconds: read.cappedSeconds });
      }
    }
    console.log(`round ${round + 1}: ${CONSOLE_MODES.map((mode) => `${mode} ${Math.round(perMode.get(mode)![round]!).toLocaleString("en-US")}/s`).join(", ")}`);
  }
  await switchConsole("off");
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;
  const off = perMode.get("console off")!;
  console.log("");
  console.log("| mode | sendChat/s (median) | change vs off, same round: median (lowest, highest) |");
  console.log("|---|---|---|");
  for (const mode of CONSOLE_MODES) {
    const rates = perMode.get(mode)!;
    const changes = rates.map((rate, round) => rate / off[round]! - 1).sort((a, b) => a - b);
    const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
    console.log(`| ${mode} | ${Math.round(median(rates)).toLocaleString("en-US")} | ${mode === "console off" ? "" : `${pct(median(changes))} (${pct(changes[0]!)}, ${pct(changes[changes.length - 1]!)})`} |`);
  }
  const feedEvents = median(feedRates.map((r) => r.events));
  const capped = feedRates.reduce((sum, r) => sum + r.cappedSeconds, 0);
  console.log(`\nfeed client: ${Math.round(feedEvents).toLocaleString("en-US")} events/s received (median of rounds); ${capped} seconds told as over the feed's 2,000 events/s`);
}

function switchConsole(to: "on" | "off"): Promise<ConsoleMessage> {
  return new Promise((resolve) => {
    const onMessage = (message: Partial<ConsoleMessage>) => {
      if (message.consoleUrl === undefined || message.feedClients === undefined) return;
      child.off("message", onMessage);
      resolve(message as ConsoleMessage);
    };
    child.on("message", onMessage);
    child.send({ console: to });
  });
}

/** A feed client reading everything as it comes (a browser tab with the live feed open); counts what it got. */
function readFeed(url: string): { stop(): Promise<{ events: number; cappedSeconds: number; seconds: number }> } {
  const abort = new AbortController();
  const opened = performance.now();
  let events = 0;
  let cappedSeconds = 0;
  const reading = (async () => {
    try {
      const response = await fetch(url, { signal: abort.signal });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        events += value.split("event: traffic").length - 1;
        cappedSeconds += value.split("event: skipped").length - 1;
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  return {
    async stop() {
      const seconds = (performance.now() - opened) / 1000;
      abort.abort();
      await reading;
      return { events, cappedSeconds, seconds };
    },
  };
}

function serverCpuMicros(): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: { cpuMicros?: number }) => {
      if (message.cpuMicros === undefined) return;
      child.off("message", onMessage);
      resolve(message.cpuMicros);
    };
    child.on("message", onMessage);
    child.send({ cpu: true });
  });
}
