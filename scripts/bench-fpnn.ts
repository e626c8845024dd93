/**
 * FPNN runtime benchmark: one connection per client, 1/64/256/1024 quests in flight, against an
 * answer server in a child process. Prints quests/s, latency percentiles, client CPU per 1000
 * quests, peak RSS and the ratio to the raw-socket ceiling measured in the same run.
 *
 *   npm run bench:fpnn -- [--duration 2] [--warmup 0.5] [--inflight 1,64,256,1024] [--clients raw,fpnn] [--repeat 1]
 *
 * The raw ceiling is always measured (first), so every row has its ratio. Clients with a baseline (the encrypted
 * modes) also get their throughput cost against it, computed round by round within the same run.
 */
import { cpus, loadavg } from "node:os";
import { benchClients } from "./bench/clients.js";
import { measure } from "./bench/measure.js";
import { formatCostTable, formatTable } from "./bench/report.js";
import { costRows, medianRuns, type ClientRuns } from "./bench/rounds.js";
import { AnswerServerProcess } from "./bench/server-process.js";
import { benchArgs } from "./bench/args.js";

const clientNames = benchClients.map((c) => c.name);
const ceilingName = clientNames[0]!;
const usage = `usage: npx tsx scripts/bench-fpnn.ts [options]   (or: npm run bench:fpnn -- [options])

  --duration <s>      seconds measured per row (default 2)
  --warmup <s>        seconds of warm-up before each row (default 0.5)
  --inflight <list>   quests kept in flight, comma-separated (default 1,64,256,1024)
  --clients <list>    clients to measure, comma-separated (default: all); the ceiling "${ceilingName}" is always included
                      known: ${clientNames.join(", ")}
  --repeat <n>        rounds per in-flight level, clients taking turns in each (default 1); every row reports the
                      client's median round, every cost the median of the per-round costs (with their range)
  -h, --help          print this help`;

const values = benchArgs(
  {
    duration: { type: "string", default: "2" },
    warmup: { type: "string", default: "0.5" },
    inflight: { type: "string", default: "1,64,256,1024" },
    clients: { type: "string", default: clientNames.join(",") },
    repeat: { type: "string", default: "1" },
  },
  usage,
);

const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const inFlights = values.inflight.split(",").map(Number);
const repeat = Number(values.repeat);
const wanted = new Set([ceilingName, ...values.clients.split(",").filter((name) => name !== "")]);
const unknown = [...wanted].filter((name) => !clientNames.includes(name));
const selected = benchClients.filter((c) => wanted.has(c.name));
const badNumbers = !(durationMs > 0) || !(warmupMs >= 0) || !Number.isInteger(repeat) || repeat < 1;
if (badNumbers || inFlights.some((n) => !Number.isInteger(n) || n < 1) || unknown.length > 0) {
  console.error(`${unknown.length > 0 ? `unknown client(s): ${unknown.join(", ")}\n\n` : ""}${usage}`);
  process.exit(2);
}

console.log(`FPNN benchmark: ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(
  `${durationMs / 1000} s per row after ${warmupMs / 1000} s warm-up${repeat > 1 ? `, ${repeat} rounds per level` : ""}; answer server in a child process\n`,
);

const servers = new Map<string, AnswerServerProcess>();
const opened: (ClientRuns & { server: AnswerServerProcess })[] = [];
try {
  for (const factory of selected) {
    let server = servers.get(factory.serverKind);
    if (server === undefined) {
      server = await AnswerServerProcess.start(factory.serverKind);
      servers.set(factory.serverKind, server);
    }
    const client = factory.create();
    await client.open(server.endpoint);
    opened.push({ factory, client, server, runs: new Map() });
  }
  // Clients take turns at each in-flight level (and in each round of it), so a change in machine load hits them alike.
  for (const inFlight of inFlights) {
    for (let round = 1; round <= repeat; round++) {
      for (const { client, server, runs } of opened) {
        const result = await measure(client, { inFlight, warmupMs, durationMs, serverCpuMicros: () => server.cpuMicros() });
        if (round === 1) runs.set(inFlight, []);
        runs.get(inFlight)!.push(result);
        const roundNote = repeat > 1 ? ` (round ${round}/${repeat})` : "";
        process.stdout.write(`  ${result.client} @ ${inFlight}${roundNote}: ${Math.round(result.questsPerSecond).toLocaleString("en-US")} quests/s\n`);
      }
    }
  }
} finally {
  for (const { client } of opened) await client.close();
  for (const server of servers.values()) await server.stop();
}

console.log(`\n${formatTable(opened.flatMap(medianRuns), opened[0]!.client.name)}`); // opened[0] is the ceiling: benchClients lists it first
const costs = costRows(opened);
if (costs.length > 0) console.log(`\nThroughput cost against the baseline client, round by round in this run:\n\n${formatCostTable(costs)}`);
console.log(`\nload average after the run: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
