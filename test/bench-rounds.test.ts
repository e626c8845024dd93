import { describe, expect, it } from "vitest";
import { costRows, medianRuns, type ClientRuns } from "../scripts/bench/rounds.js";
import type { BenchClientFactory, BenchResult } from "../scripts/bench/types.js";

function result(client: string, inFlight: number, questsPerSecond: number): BenchResult {
  return { client, inFlight, quests: 0, seconds: 1, questsPerSecond, p50Us: 0, p99Us: 0, cpuMsPer1000: 0, serverCpuMsPer1000: 0, peakRssMb: 0 };
}

function runs(name: string, display: string, perLevel: Record<number, number[]>, baseline?: string): ClientRuns {
  const factory: BenchClientFactory = { name, serverKind: "raw", baseline, create: () => expect.fail("not created in this test") };
  const client = { name: display, open: async () => {}, call: async () => {}, close: async () => {} };
  return { factory, client, runs: new Map(Object.entries(perLevel).map(([level, qps]) => [Number(level), qps.map((q) => result(display, Number(level), q))])) };
}

describe("benchmark rounds", () => {
  it("reports each level's median round", () => {
    const plain = runs("fpnn", "plain", { 1: [10, 30, 20], 256: [500, 400] });
    expect(medianRuns(plain).map((r) => [r.inFlight, r.questsPerSecond])).toEqual([
      [1, 20],
      [256, 400],
    ]);
  });

  it("compares a client with its baseline round by round and takes the median change", () => {
    // Round 2 is slow for both clients (machine load): the per-round ratio cancels it out.
    const plain = runs("fpnn", "plain", { 256: [500, 250, 520] });
    const aes = runs("fpnn-aes", "aes", { 256: [400, 200, 390] }, "fpnn");
    const [cost, ...rest] = costRows([plain, aes]);
    expect(rest).toEqual([]);
    expect(cost).toMatchObject({ client: "aes", baseline: "plain", inFlight: 256, rounds: 3 });
    expect(cost!.change).toBeCloseTo(-0.2);
    expect(cost!.lowest).toBeCloseTo(-0.25);
    expect(cost!.highest).toBeCloseTo(-0.2);
  });

  it("reports no cost for a client whose baseline was not measured", () => {
    expect(costRows([runs("fpnn-aes", "aes", { 256: [400] }, "fpnn")])).toEqual([]);
  });
});
