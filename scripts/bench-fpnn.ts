/**
 * FPNN runtime benchmark: one connection per client, 1/64/256/1024 quests in flight, against an
 * answer server in a child process. Prints quests/s, latency percentiles, client CPU per 1000
 * quests, peak RSS and the ratio to the raw-socket ceiling measured in the same run.
 *
 *   npm run bench:fpnn -- [--duration 2] [--warmup 0.5] [--inflight 1,64,256,1024] [--clients raw,fpnn]
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { benchClients } from "./bench/clients.js";
import { measure } from "./bench/measure.js";
import { formatTable } from "./bench/report.js";
import { AnswerServerProcess } from "./bench/server-process.js";
import type { BenchClient, BenchResult } from "./bench/types.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "2" },
    warmup: { type: "string", default: "0.5" },
    inflight: { type: "string", default: "1,64,256,1024" },
    clients: { type: "string", default: benchClients.map((c) => c.name).join(",") },
  },
});

const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const inFlights = values.inflight.split(",").map(Number);
const wanted = values.clients.split(",");
const selected = benchClients.filter((c) => wanted.includes(c.name));
if (!(durationMs > 0) || !(warmupMs >= 0) || inFlights.some((n) => !Number.isInteger(n) || n < 1) || selected.length !== wanted.length) {
  console.error(`usage: bench-fpnn [--duration s] [--warmup s] [--inflight 1,64,...] [--clients ${benchClients.map((c) => c.name).join(",")}]`);
  process.exit(2);
}

console.log(`FPNN benchmark: ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`${durationMs / 1000} s per row after ${warmupMs / 1000} s warm-up; answer server in a child process\n`);

const servers = new Map<string, AnswerServerProcess>();
const results: BenchResult[] = [];
const opened: { client: BenchClient; server: AnswerServerProcess }[] = [];
try {
  for (const factory of selected) {
    let server = servers.get(factory.serverKind);
    if (server === undefined) {
      server = await AnswerServerProcess.start(factory.serverKind);
      servers.set(factory.serverKind, server);
    }
    const client = factory.create();
    await client.open(server.endpoint);
    opened.push({ client, server });
  }
  // Clients take turns at each in-flight level, so a change in machine load hits them alike.
  for (const inFlight of inFlights) {
    for (const { client, server } of opened) {
      const result = await measure(client, { inFlight, warmupMs, durationMs, serverCpuMicros: () => server.cpuMicros() });
      results.push(result);
      process.stdout.write(`  ${result.client} @ ${inFlight}: ${Math.round(result.questsPerSecond).toLocaleString("en-US")} quests/s\n`);
    }
  }
} finally {
  for (const { client } of opened) await client.close();
  for (const server of servers.values()) await server.stop();
}

const ordered = opened.flatMap(({ client }) => results.filter((r) => r.client === client.name));
console.log(`\n${formatTable(ordered, opened[0]!.client.name)}`);
console.log(`\nload average after the run: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
