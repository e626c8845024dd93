import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bool, bytes, enumOf, inputCheck, inputSchema, int8, int16, int32, int64, listOf, mapOf, record, setOf, string, UNREAD, wireReader, wireSchema, type WireType } from "../src/index.js";

const Color = { Red: 1, Blue: 2 } as const;
const types: [string, WireType][] = [
  ["int8", int8],
  ["int16", int16],
  ["int32", int32],
  ["int64", int64],
  ["bool", bool],
  ["string", string],
  ["bytes", bytes],
  ["enum", enumOf("Color", 8, Color)],
  ["list<int64>", listOf(int64)],
  ["set<int8>", setOf(int8)],
  ["map<string, int32>", mapOf(int32)],
  ["record", record("Row", [["id", int64], ["name", string], ["on", bool]])],
];

const scalar = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(1, 2, 127, 128, -128, -129, 32767, 32768, 2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 2 ** 53, -0, NaN, Infinity),
  fc.constantFrom(2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(new Uint8Array(2)),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 4 }),
  fc.array(scalar, { maxLength: 4 }).map((a) => new Set(a)),
  fc.tuple(fc.bigInt({ min: -5n, max: 5n }), fc.string(), fc.boolean()),
  fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 3 }),
);

describe("plain checks and zod schemas derived from one wire type", () => {
  it.each(types)("%s: the caller check accepts exactly what the input schema accepts", (_name, type) => {
    fc.assert(
      fc.property(value, (v) => {
        expect(inputCheck(type)(v)).toBe(inputSchema(type).safeParse(v).success);
      }),
      { numRuns: 1500 },
    );
  });

  it.each(types)("%s: a value the reader reads is one the wire schema accepts, with the same output", (_name, type) => {
    for (const answer of [false, true]) {
      const read = wireReader(type, answer);
      const schema = wireSchema(type, answer);
      fc.assert(
        fc.property(value, (v) => {
          const fast = read(v);
          if (fast === UNREAD) return;
          const parsed = schema.safeParse(v);
          expect(parsed.success).toBe(true);
          if (!answer) expect(fast).toStrictEqual(parsed.data);
        }),
        { numRuns: 1500 },
      );
    }
  });

  it("bounds narrow an integer, and are refused on anything else", () => {
    expect(inputCheck(int16, { max: 20 })(20)).toBe(true);
    expect(inputCheck(int16, { max: 20 })(21)).toBe(false);
    expect(inputSchema(int16, { max: 20 }).safeParse(21).error?.issues[0]?.message).toBe("expected at most 20");
    expect(() => inputSchema(string, { max: 3 })).toThrow(/integers only/);
  });

  it("reads the values well-formed requests carry; int64 means int64 on the wire too", () => {
    expect(wireReader(int64)(5)).toBe(5n);
    expect(wireReader(int64)(2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(wireReader(int64)(2n ** 63n)).toBe(UNREAD);
    expect(wireSchema(int64).safeParse(2n ** 63n).success).toBe(false);
    expect(wireReader(int8)(127)).toBe(127);
    expect(wireReader(int8)(128)).toBe(UNREAD);
    expect(wireReader(listOf(int64))([1, 2n])).toEqual([1n, 2n]);
    expect(wireReader(listOf(int64))([1, "x"])).toBe(UNREAD);
  });
});
