import type { CostRow } from "./rounds.js";
import type { BenchResult } from "./types.js";

const columns = ["client", "in flight", "quests/s", "p50 µs", "p99 µs", "CPU ms/1k", "server CPU ms/1k", "peak RSS MB", "vs ceiling"] as const;
const costColumns = ["client", "against", "in flight", "quests/s change", "range over rounds"] as const;

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
  return markdownTable(columns, rows, 1);
}

/** A markdown table of throughput costs (see costRows()). */
export function formatCostTable(costs: readonly CostRow[]): string {
  const rows = costs.map((c) => [
    c.client,
    c.baseline,
    String(c.inFlight),
    percent(c.change),
    c.rounds === 1 ? "-" : `${percent(c.lowest)} .. ${percent(c.highest)}`,
  ]);
  return markdownTable(costColumns, rows, 2);
}

function percent(change: number): string {
  return `${change < 0 ? "−" : "+"}${Math.abs(change * 100).toFixed(1)}%`;
}

/** The first `textColumns` columns are left-aligned, the rest right-aligned. */
export function markdownTable(titles: readonly string[], rows: readonly string[][], textColumns: number): string {
  const widths = titles.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => (i < textColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < textColumns ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(titles), rule, ...rows.map(line)].join("\n");
}
