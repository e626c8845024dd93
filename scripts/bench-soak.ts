/**
 * Soak benchmark of the emulator process: minutes of paced, mixed RTM traffic from well-behaved SDK
 * connections while about 1% of the connections misbehave (floods that never read, slowloris, silent,
 * garbage), rotating through the kinds. Watches the emulator's RSS every second, and checks afterwards
 * that every acknowledged message is in its database file.
 *
 *   npm run bench:soak [-- --minutes 10 --connections 99 --rate 2000 --bad 1]
 *
 * Exits 1 when the emulator crashed, an acknowledged message (or delete) is not in the file, a call had an
 * unexpected outcome, a misbehaving peer outlived its limit, a well-behaved connection was dropped, the
 * emulator logged an ERROR, or it did not stop cleanly on SIGTERM.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { EmulatorCli, type Exit } from "./bench/soak/emulator-cli.js";
import { HOSTILE_KINDS, HostilePeers, type HostileKind } from "./bench/soak/hostile.js";
import { checkLedger, MessageState, type LedgerCheck } from "./bench/soak/ledger.js";
import { ProcessSampler } from "./bench/soak/memory.js";
import { printReport } from "./bench/soak/report.js";
import { Traffic } from "./bench/soak/traffic.js";
import { benchArgs } from "./bench/args.js";

const usage = `usage: npx tsx scripts/bench-soak.ts [options]   (or: npm run bench:soak -- [options])

  --minutes <n>        length of the run (default 10)
  --seconds <n>        length of the run in seconds, for short runs (overrides --minutes)
  --connections <n>    well-behaved SDK connections (default 99)
  --rate <n>           calls per second over all of them (default 2000: the emulator takes about a third of a
                       core for it and this process as much, so 2 cores keep more than half their time free)
  --users <n>          users the traffic sends from and to (default 1000: most P2P sends open a new conversation,
                       and the emulator's memory grows with its conversations; e.g. 40 keeps them few, so memory
                       shows what the peers cost rather than what the data costs)
  --bad <n>            misbehaving connections open at any time (default: 1 per 100 well-behaved, at least 1; 0 = none)
  --idle-timeout <s>   the emulator's --idle-timeout (default 60)
  --frame-timeout <s>  the emulator's --frame-timeout (default 30)
  --kinds <list>       misbehaving kinds to rotate through, comma-separated (default: all)
                       known: ${HOSTILE_KINDS.join(", ")}
  --keep-db            keep the database file (it is kept anyway when the run fails)
  -h, --help           print this help

Exits 1 when the emulator crashed, an acknowledged message (or delete) is not in its file, a call had an
unexpected outcome, a misbehaving peer outlived its limit, a well-behaved connection was dropped, the
emulator logged an ERROR, or it did not stop cleanly on SIGTERM.`;

const values = benchArgs(
  {
    minutes: { type: "string", default: "10" },
    seconds: { type: "string" },
    connections: { type: "string", default: "99" },
    rate: { type: "string", default: "2000" },
    users: { type: "string", default: "1000" },
    bad: { type: "string" },
    "idle-timeout": { type: "string", default: "60" },
    "frame-timeout": { type: "string", default: "30" },
    kinds: { type: "string", default: HOSTILE_KINDS.join(",") },
    "keep-db": { type: "boolean" },
  },
  usage,
);

const seconds = values.seconds === undefined ? Number(values.minutes) * 60 : Number(values.seconds);
const connections = Number(values.connections);
const rate = Number(values.rate);
const users = Number(values.users);
const bad = values.bad === undefined ? Math.max(1, Math.round(connections / 100)) : Number(values.bad);
const idleTimeout = Number(values["idle-timeout"]);
const frameTimeout = Number(values["frame-timeout"]);
const kinds = values.kinds.split(",").filter((kind) => kind !== "");
const unknownKinds = kinds.filter((kind) => !(HOSTILE_KINDS as readonly string[]).includes(kind));
const integer = (n: number, min: number) => Number.isInteger(n) && n >= min;
if (!(seconds > 0) || !integer(connections, 1) || !(rate > 0) || !integer(users, 2) || users > 10_000 || !integer(bad, 0) || !integer(idleTimeout, 0) || !integer(frameTimeout, 0) || kinds.length === 0 || unknownKinds.length > 0) {
  console.error(`${unknownKinds.length > 0 ? `unknown kind(s): ${unknownKinds.join(", ")}\n\n` : ""}${usage}`);
  process.exit(2);
}

const PID = 11000001;
const SECRET = "soak-secret";
const GROUPS = 50;
const ROOMS = 20;
const PROGRESS_MS = 30_000;
/** SDK quest timeout: a call unanswered this long is an unexpected outcome (20003). */
const CALL_TIMEOUT_SECONDS = 10;

const dir = mkdtempSync(join(tmpdir(), "rtm-bench-soak-"));
const dbPath = join(dir, "soak.sqlite");
const minutes = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

console.log(
  `rtm-emulator soak: ${minutes(seconds)} (m:ss), ${connections} well-behaved connections at ${rate.toLocaleString("en-US")} calls/s among ${users.toLocaleString("en-US")} users, ` +
    `${bad} misbehaving at a time; emulator --idle-timeout ${idleTimeout} --frame-timeout ${frameTimeout} --db ${dbPath}`,
);
console.log(`${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);

const emulator = await EmulatorCli.start(["--project", `${PID}:${SECRET}`, "--db", dbPath, "--idle-timeout", String(idleTimeout), "--frame-timeout", String(frameTimeout)]);
/** When the traffic starts (reset then); the crash report counts from it. */
let runStarted = performance.now();
let stopping = false;
let crash: Exit | undefined;
let crashAtS: number | undefined;
void emulator.exited.then((exit) => {
  if (stopping) return;
  crash = exit;
  crashAtS = (performance.now() - runStarted) / 1000;
  console.log(`!! the emulator process exited during the run (${exit.code ?? exit.signal}) at ${minutes(crashAtS)}`);
});
const crashed = () => crash !== undefined;

const traffic = new Traffic({ pid: PID, secret: SECRET, endpoint: emulator.endpoint, connections, rate, users, groups: GROUPS, rooms: ROOMS, timeoutSeconds: CALL_TIMEOUT_SECONDS });
const hostile = new HostilePeers({
  host: emulator.endpoint.slice(0, emulator.endpoint.lastIndexOf(":")),
  port: emulator.port,
  pid: PID,
  secret: SECRET,
  gid: 1,
  idleTimeoutMs: idleTimeout * 1000,
  frameDeadlineMs: frameTimeout * 1000,
  replaceAfterMs: 120_000,
  kinds: kinds as HostileKind[],
});

let check: LedgerCheck | undefined;
let checkError: unknown;
let failed = true;
try {
  await traffic.connect();
  runStarted = performance.now();
  const sampler = new ProcessSampler(emulator.pid);
  const benchCpu = process.cpuUsage();
  // Latencies are measured in this process: its own event-loop stalls (or a busy machine) show up in them.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const deadline = runStarted + seconds * 1000;
  let lastDone = 0;
  let lastCpu = 0;
  let lastAt = runStarted;
  /** Acknowledged sends and conversations at the end of each minute: the emulator's history order in memory grows with both. */
  const byMinute: { sends: number; conversations: number }[] = [];
  const minuteMark = setInterval(() => byMinute.push({ sends: traffic.ledger.length, conversations: traffic.conversations }), 60_000);
  const progress = setInterval(() => {
    const now = performance.now();
    const done = traffic.done;
    const cpu = sampler.cpuSinceStart();
    const window = traffic.takeWindow().percentiles();
    const [expected, unexpected] = traffic.outcomeCounts();
    const { opened, closed } = hostile.totals();
    const span = (now - lastAt) / 1000;
    console.log(
      `[${minutes((now - runStarted) / 1000).padStart(5)}] ${Math.round((done - lastDone) / span).toLocaleString("en-US")} calls/s, p99 ${window.p99.toFixed(1)} ms, max ${window.max.toFixed(0)} ms | ` +
        `not ok: ${expected} expected, ${unexpected} unexpected | emulator RSS ${(sampler.latest / 1024).toFixed(0)} MiB, CPU ${((cpu - lastCpu) / (now - lastAt) * 100).toFixed(0)}% | ` +
        `misbehaving: ${opened} opened, ${closed} closed by the server`,
    );
    lastDone = done;
    lastCpu = cpu;
    lastAt = now;
  }, PROGRESS_MS);

  await Promise.all([traffic.run(deadline, crashed, 15_000), hostile.run(bad, deadline, crashed)]);
  const runSeconds = (performance.now() - runStarted) / 1000;
  clearInterval(progress);
  clearInterval(minuteMark);
  sampler.stop();
  loopDelay.disable();
  const emulatorCpuMs = sampler.cpuSinceStart();
  const benchCpuUsage = process.cpuUsage(benchCpu);
  const unsettled = traffic.inFlight;
  await traffic.close();

  stopping = true;
  const stop = await emulator.stop(15_000);
  const log = emulator.log();
  try {
    check = checkLedger(traffic.ledger, dbPath, PID);
  } catch (error) {
    checkError = error;
  }
  let deletes = 0;
  for (let at = 0; at < traffic.ledger.length; at++) if (traffic.ledger.state(at) === MessageState.Deleted) deletes++;

  failed = printReport({
    seconds: runSeconds,
    rate,
    connections,
    traffic,
    unsettled,
    hostile,
    rssKiB: sampler.rss,
    byMinute,
    emulatorCpuMs,
    benchCpuMs: (benchCpuUsage.user + benchCpuUsage.system) / 1000,
    benchLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    loadAverage: loadavg(),
    crash,
    crashAtS,
    stop,
    log,
    check,
    checkError,
    deletes,
    dbBytes: statSync(dbPath).size,
  });
} finally {
  stopping = true;
  emulator.kill();
  if (failed || values["keep-db"]) {
    console.log(`\ndatabase kept: ${dbPath}`);
  } else {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exitCode = failed ? 1 : 0;
