import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeqIndex } from "../src/seq-index.js";

interface Entry {
  seq: number;
}

describe("SeqIndex", () => {
  it("behaves like a Map for sequential seqs with random takes (model-based)", () => {
    const step = fc.oneof(fc.constant({ kind: "add" as const, n: 1 }), fc.record({ kind: fc.constant("add" as const), n: fc.integer({ min: 1, max: 300 }) }), fc.record({ kind: fc.constant("take" as const), pick: fc.nat() }), fc.record({ kind: fc.constant("miss" as const), pick: fc.nat() }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.constantFrom(1, 0xffff_ff00), (steps, firstSeq) => {
        const index = new SeqIndex<Entry>();
        const model = new Map<number, Entry>();
        let next: number = firstSeq;
        for (const s of steps) {
          if (s.kind === "add") {
            for (let i = 0; i < s.n; i++) {
              const entry = { seq: next };
              next = next === 0xffff_ffff ? 1 : next + 1;
              index.add(entry);
              model.set(entry.seq, entry);
            }
          } else if (s.kind === "take" && model.size > 0) {
            const seq = [...model.keys()][s.pick % model.size]!;
            expect(index.get(seq)).toBe(model.get(seq));
            expect(index.take(seq)).toBe(model.get(seq));
            model.delete(seq);
            expect(index.take(seq)).toBeUndefined();
          } else if (s.kind === "miss") {
            const seq = next + 1 + (s.pick % 5000); // never issued yet
            expect(index.get(seq)).toBeUndefined();
            expect(index.take(seq)).toBeUndefined();
          }
          expect(index.size).toBe(model.size);
        }
        expect(new Set(index.entries())).toEqual(new Set(model.values()));
        index.clear();
        expect(index.size).toBe(0);
        expect(index.entries()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a long-waiting entry while many later seqs reuse its slot, without growing with the seq spread", () => {
    const index = new SeqIndex<Entry>();
    const slow = { seq: 1 };
    index.add(slow);
    let wrong = 0;
    for (let seq = 2; seq < 50_000; seq++) {
      index.add({ seq });
      if (index.take(seq)?.seq !== seq) wrong++;
    }
    expect(wrong).toBe(0);
    expect(index.size).toBe(1);
    expect(index.get(1)).toBe(slow);
    expect(index.take(1)).toBe(slow);
    expect(index.size).toBe(0);
    expect((index as unknown as { ring: unknown[] }).ring.length).toBeLessThanOrEqual(64);
  });
});
