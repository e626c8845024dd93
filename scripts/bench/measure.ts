import type { BenchClient, BenchResult } from "./types.js";

export interface MeasureOptions {
  inFlight: number;
  warmupMs: number;
  durationMs: number;
  /** The answer server's CPU time in microseconds (for its share of the work). */
  serverCpuMicros: () => Promise<number>;
}

/** Keeps `inFlight` calls outstanding on one client for the duration; records every latency. */
export async function measure(client: BenchClient, options: MeasureOptions): Promise<BenchResult> {
  await runFor(client, options.inFlight, options.warmupMs, undefined);
  const latencies = new LatencyLog();
  let peakRss = process.memoryUsage.rss();
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);
  const serverCpuBefore = await options.serverCpuMicros();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const quests = await runFor(client, options.inFlight, options.durationMs, latencies);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverCpu = (await options.serverCpuMicros()) - serverCpuBefore;
  clearInterval(rssSampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return {
    client: client.name,
    inFlight: options.inFlight,
    quests,
    seconds,
    questsPerSecond: quests / seconds,
    p50Us: latencies.percentile(0.5) * 1000,
    p99Us: latencies.percentile(0.99) * 1000,
    cpuMsPer1000: (cpu.user + cpu.system) / 1000 / (quests / 1000),
    serverCpuMsPer1000: serverCpu / 1000 / (quests / 1000),
    peakRssMb: peakRss / (1024 * 1024),
  };
}

async function runFor(client: BenchClient, inFlight: number, durationMs: number, log: LatencyLog | undefined): Promise<number> {
  const end = performance.now() + durationMs;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const started = performance.now();
      await client.call();
      log?.add(performance.now() - started);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return completed;
}

/** Latencies in milliseconds, in a growable typed array (no per-sample objects). */
class LatencyLog {
  private samples = new Float64Array(1 << 16);
  private count = 0;

  add(ms: number): void {
    if (this.count === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.count++] = ms;
  }

  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const sorted = this.samples.subarray(0, this.count).sort();
    return sorted[Math.min(this.count - 1, Math.floor(p * this.count))]!;
  }
}
