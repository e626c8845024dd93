import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import * as scalars from "../src/generated/scalars.js";

const pairs: [string, scalars.WireRead, z.ZodType][] = [
  ["int8", scalars.readWireInt8, scalars.wireInt8],
  ["int16", scalars.readWireInt16, scalars.wireInt16],
  ["int32", scalars.readWireInt32, scalars.wireInt32],
  ["int64", scalars.readWireInt64, scalars.wireInt64],
  ["bool", scalars.readBool, scalars.bool],
  ["string", scalars.readString, scalars.string],
  ["list of int64", scalars.readListOf(scalars.readWireInt64), (scalars.wireInt64 as z.ZodType).array()],
];

const wireValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(127, 128, -128, -129, 32767, 32768, 2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 2 ** 53, -0, NaN, Infinity),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.bigInt(), fc.string()), { maxLength: 5 }),
);

describe("generated wire readers", () => {
  it.each(pairs)("%s: a value read without zod is one the schema accepts, with the same output", (_name, read, schema) => {
    fc.assert(
      fc.property(wireValue, (value) => {
        const fast = read(value);
        if (fast === undefined) return;
        const parsed = schema.safeParse(value);
        expect(parsed.success).toBe(true);
        expect(fast).toStrictEqual(parsed.data);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads the values well-formed requests carry", () => {
    expect(scalars.readWireInt64(5)).toBe(5n);
    expect(scalars.readWireInt64(2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(scalars.readWireInt8(127)).toBe(127);
    expect(scalars.readWireInt8(128)).toBeUndefined();
    expect(scalars.readListOf(scalars.readWireInt64)([1, 2n])).toEqual([1n, 2n]);
    expect(scalars.readListOf(scalars.readWireInt64)([1, "x"])).toBeUndefined();
  });
});
