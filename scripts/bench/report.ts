import type { BenchResult } from "./types.js";

const columns = ["client", "in flight", "quests/s", "p50 µs", "p99 µs", "CPU ms/1k", "server CPU ms/1k", "peak RSS MB", "vs ceiling"] as const;

/** A markdown table; the ratio compares quests/s with the ceiling's at the same in-flight count. */
export function formatTable(results: BenchResult[], ceilingName: string): string {
  const ceiling = new Map(results.filter((r) => r.client === ceilingName).map((r) => [r.inFlight, r.questsPerSecond]));
  const rows = results.map((r) => {
    const base = ceiling.get(r.inFlight);
    return [
      r.client,
      String(r.inFlight),
      Math.round(r.questsPerSecond).toLocaleString("en-US"),
      r.p50Us.toFixed(0),
      r.p99Us.toFixed(0),
      r.cpuMsPer1000.toFixed(2),
      r.serverCpuMsPer1000.toFixed(2),
      r.peakRssMb.toFixed(0),
      base === undefined ? "-" : `${(r.questsPerSecond / base).toFixed(2)}x`,
    ];
  });
  const widths = columns.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => (i < 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(" | ")} |`;
  return [line(columns), `|${widths.map((w, i) => (i < 1 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n");
}
