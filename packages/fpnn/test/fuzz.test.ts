import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FpnnError } from "../src/errors.js";
import { encodeAnswer, encodeQuest, FrameDecoder, FrameError, FrameFlag } from "../src/frame.js";
import { packPayload, packValue, unpackJsonPayload, unpackPayload, unpackValue } from "../src/msgpack/index.js";

const MAX_FRAME = 4096;

const validFrame = fc
  .record({
    kind: fc.constantFrom("twoway", "oneway", "answer"),
    method: fc.stringMatching(/^[a-z*]{1,12}$/),
    seq: fc.nat({ max: 0xffffffff }),
    payload: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.boolean(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }))),
  })
  .map(({ kind, method, seq, payload }) => {
    const body = packPayload(payload);
    return kind === "answer" ? encodeAnswer(seq, body) : encodeQuest(method, body, seq, { oneway: kind === "oneway" });
  });

/** A stream of frames, some bytes mutated, cut into arbitrary chunks. */
const mutatedStream = fc
  .tuple(
    fc.array(validFrame, { minLength: 1, maxLength: 6 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
  )
  .map(([frames, mutations, cuts]) => {
    const bytes = Buffer.concat(frames);
    for (const [at, value] of mutations) bytes[at % bytes.length] = value;
    return { bytes, cuts };
  });

const randomStream = fc.record({
  bytes: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  cuts: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
});

/** Like a connection would: push chunk by chunk, drain frames, decode each payload; stop at the first error. */
function feed(bytes: Buffer, cuts: number[]): { frames: number; error: unknown } {
  const decoder = new FrameDecoder({ maxFrameSize: MAX_FRAME });
  let frames = 0;
  let offset = 0;
  let cut = 0;
  try {
    while (offset < bytes.length) {
      const size = cuts[cut++ % cuts.length]!;
      decoder.push(bytes.subarray(offset, offset + size));
      offset += size;
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(MAX_FRAME + 64);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        frames++;
        expect(frame.payload.length).toBeGreaterThan(0);
        try {
          if (frame.flag === FrameFlag.Json) unpackJsonPayload(frame.payload);
          else unpackPayload(frame.payload);
        } catch (error) {
          if (!FpnnError.is(error)) throw error;
        }
      }
    }
    return { frames, error: undefined };
  } catch (error) {
    return { frames, error };
  }
}

describe("decoder fuzzing", () => {
  it("random bytes: only frames or a FrameError, buffer bounded", () => {
    fc.assert(
      fc.property(randomStream, ({ bytes, cuts }) => {
        const { error } = feed(bytes, cuts);
        if (error !== undefined) expect(error).toBeInstanceOf(FrameError);
      }),
      { numRuns: 1500 },
    );
  });

  it("mutated valid frames: only frames or a FrameError, buffer bounded", () => {
    fc.assert(
      fc.property(mutatedStream, ({ bytes, cuts }) => {
        const { error } = feed(bytes, cuts);
        if (error !== undefined) expect(error).toBeInstanceOf(FrameError);
      }),
      { numRuns: 1500 },
    );
  });

  it("unmutated streams decode completely whatever the chunking", () => {
    fc.assert(
      fc.property(fc.array(validFrame, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (frames, cuts) => {
        const { frames: count, error } = feed(Buffer.concat(frames), cuts);
        expect(error).toBeUndefined();
        expect(count).toBe(frames.length);
      }),
      { numRuns: 500 },
    );
  });

  it("payload decoding of arbitrary map-looking bytes: a map or FpnnError 20006", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0x80, 0x81, 0x85, 0x8f, 0xde, 0xdf), (tail, first) => {
        try {
          const payload = unpackPayload(Buffer.concat([Buffer.of(first), tail]));
          expect(typeof payload).toBe("object");
        } catch (error) {
          expect(FpnnError.is(error, 20006)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it("our encoder's output decodes through msgpackr to the same value", () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
        fc.maxSafeInteger(),
        fc.double({ noNaN: true, min: -(2 ** 63), max: 2 ** 63 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.boolean(),
        fc.constant(null),
        fc.uint8Array({ maxLength: 40 }),
      ),
      node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 20 }), fc.dictionary(fc.string({ maxLength: 6 }), tie("node"), { maxKeys: 20 })),
    })).node;
    const expected = (v: unknown): unknown => {
      if (typeof v === "bigint") return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
      if (typeof v === "number" && Object.is(v, -0)) return 0;
      if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) > 2 ** 53) return BigInt(v);
      if (v instanceof Uint8Array) return Buffer.from(v);
      if (Array.isArray(v)) return v.map(expected);
      if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expected(x)]));
      return v;
    };
    fc.assert(
      fc.property(value, (v) => {
        expect(unpackValue(packValue(v))).toEqual(expected(v));
      }),
      { numRuns: 1500 },
    );
  });
});
