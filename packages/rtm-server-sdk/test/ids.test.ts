import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ID_TOP, IdSequence, nextId, randomStart, START_SPAN } from "../src/ids.js";

/** A random source that hands out `starts` in turn, counting its draws. */
function scripted(starts: readonly number[]): { randomStart: () => number; draws: number } {
  const source = {
    draws: 0,
    randomStart: () => starts[source.draws++ % starts.length]!,
  };
  return source;
}

describe("IdSequence", () => {
  it("counts up by one from each random start, within [1, top], and draws a new start only after the top", () => {
    const top = fc.oneof(fc.constant(ID_TOP), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: ID_TOP }));
    const setup = top.chain((top) =>
      fc.record({
        top: fc.constant(top),
        // Starts near the top, so that runs reach it, and anywhere in the range.
        starts: fc.array(fc.oneof(fc.integer({ min: Math.max(1, top - 30), max: top }), fc.integer({ min: 1, max: top })), { minLength: 1, maxLength: 8 }),
        count: fc.integer({ min: 1, max: 300 }),
      }),
    );
    fc.assert(
      fc.property(setup, ({ top, starts, count }) => {
        const source = scripted(starts);
        const sequence = new IdSequence({ top, randomStart: source.randomStart });
        expect(source.draws).toBe(0); // drawn on first use, not when made
        const ids = Array.from({ length: count }, () => sequence.next());
        let wraps = 0;
        expect(ids[0]).toBe(starts[0]);
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i]!;
          if (!Number.isSafeInteger(id) || id < 1 || id > top) throw new Error(`id ${id} outside [1, ${top}]`);
          if (i === 0) continue;
          const prev = ids[i - 1]!;
          if (prev === top) expect(id).toBe(starts[++wraps % starts.length]);
          else if (id !== prev + 1) throw new Error(`id ${id} after ${prev}`);
        }
        expect(source.draws).toBe(wraps + 1);
      }),
      { numRuns: 500 },
    );
  });

  it("reaches the largest safe integer and restarts at a fresh start", () => {
    const sequence = new IdSequence({ randomStart: scripted([ID_TOP - 2, 5]).randomStart });
    expect(Array.from({ length: 5 }, () => sequence.next())).toEqual([ID_TOP - 2, ID_TOP - 1, ID_TOP, 5, 6]);
  });

  it("refuses a random source that draws outside [1, top], and a bad top", () => {
    for (const bad of [0, -1, 1.5, 11, Number.NaN]) {
      expect(() => new IdSequence({ top: 10, randomStart: () => bad }).next()).toThrowError(/randomStart: expected an integer in \[1, 10\]/);
    }
    for (const top of [0, 2 ** 53, 0.5]) expect(() => new IdSequence({ top })).toThrowError(/top: expected a positive safe integer/);
  });

  it("randomStart draws from [1, 2^52], using the high bits too", () => {
    const draws = Array.from({ length: 10_000 }, randomStart);
    for (const d of draws) if (!Number.isSafeInteger(d) || d < 1 || d > START_SPAN) throw new Error(`start ${d} outside [1, 2^52]`);
    expect(new Set(draws).size).toBe(draws.length);
    // Each half of the range gets about 5,000 of 10,000 draws (6 sigma is 300).
    const high = draws.filter((d) => d > START_SPAN / 2).length;
    expect(Math.abs(high - 5000)).toBeLessThan(300);
  });
});

describe("nextId (the process's sequence)", () => {
  it("is consecutive and increasing over 1M calls in a tight loop", () => {
    let prev = nextId();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      const id = nextId();
      if (id !== prev + 1) throw new Error(`id ${id} after ${prev}`);
      prev = id;
    }
    expect(Number.isSafeInteger(prev) && prev > 0).toBe(true);
  });

  it("4 processes taking 100k ids each share no id", async () => {
    const fixture = fileURLToPath(new URL("./fixtures/take-ids.ts", import.meta.url));
    const PER_PROCESS = 100_000;
    const takeIds = () =>
      new Promise<Float64Array>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", fixture, String(PER_PROCESS)], { stdio: ["ignore", "pipe", "pipe"] });
        const chunks: Buffer[] = [];
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
        child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
        child.on("error", reject);
        child.on("exit", (code) => {
          const bytes = Buffer.concat(chunks);
          if (code !== 0 || bytes.length !== PER_PROCESS * 8) reject(new Error(`take-ids exited ${code} after ${bytes.length} bytes:\n${stderr}`));
          else resolve(new Float64Array(bytes.buffer, bytes.byteOffset, PER_PROCESS));
        });
      });
    const runs = await Promise.all(Array.from({ length: 4 }, takeIds));
    const all = new Set<number>();
    for (const ids of runs) {
      for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1]! + 1) throw new Error(`id ${ids[i]} after ${ids[i - 1]}`);
      for (const id of ids) all.add(id);
    }
    expect(all.size).toBe(4 * PER_PROCESS);
  });
});
