import type { BenchClient, BenchClientFactory, BenchResult } from "./types.js";

/** One client's results: every round at every in-flight level, in order. */
export interface ClientRuns {
  factory: BenchClientFactory;
  client: BenchClient;
  runs: Map<number, BenchResult[]>;
}

/** A client's throughput against its baseline's at one in-flight level. */
export interface CostRow {
  client: string;
  baseline: string;
  inFlight: number;
  /**
   * Median over the rounds of (quests/s / the baseline's quests/s in the same round) - 1; negative is slower. For an
   * even number of rounds the lower middle one: the larger cost.
   */
  change: number;
  lowest: number;
  highest: number;
  rounds: number;
}

/** Per in-flight level, the round with the median throughput (the lower of the two middle ones for an even count). */
export function medianRuns({ runs }: ClientRuns): BenchResult[] {
  return [...runs.values()].map((results) => median([...results].sort((a, b) => a.questsPerSecond - b.questsPerSecond)));
}

/**
 * The cost of every client that has a baseline among the measured ones. Each round compares the two clients measured
 * back to back in it, so a change in machine load between rounds cancels out of the ratio.
 */
export function costRows(clients: readonly ClientRuns[]): CostRow[] {
  const byName = new Map(clients.map((c) => [c.factory.name, c]));
  return clients.flatMap(({ factory, client, runs }) => {
    const baseline = factory.baseline === undefined ? undefined : byName.get(factory.baseline);
    if (baseline === undefined) return [];
    return [...runs].map(([inFlight, results]): CostRow => {
      const baseRuns = baseline.runs.get(inFlight)!;
      const changes = results.map((r, round) => r.questsPerSecond / baseRuns[round]!.questsPerSecond - 1).sort((a, b) => a - b);
      return {
        client: client.name,
        baseline: baseline.client.name,
        inFlight,
        change: median(changes),
        lowest: changes[0]!,
        highest: changes[changes.length - 1]!,
        rounds: changes.length,
      };
    });
  });
}

function median<T>(sorted: readonly T[]): T {
  return sorted[(sorted.length - 1) >> 1]!;
}
