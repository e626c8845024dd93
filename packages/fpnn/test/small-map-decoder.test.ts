import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packValue, unpackPayload, unpackValue } from "../src/msgpack/index.js";
import { decodeSmallMap } from "../src/msgpack/small-map.js";
import { hex } from "./helpers.js";

/** Integers at and around every encoding boundary, the 2^53 number/bigint edge included. */
const edgeIntegers = [0n, 127n, 128n, 255n, 256n, 65535n, 65536n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n].flatMap((n) => [n, -n, -n - 1n]).filter((n) => n >= -(2n ** 63n));

const value = fc.oneof(
  fc.integer(),
  fc.constantFrom(...edgeIntegers),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.double({ min: -1e15, max: 1e15 }),
  fc.uint8Array({ maxLength: 4 }),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const key = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom("mtime", "mid", "ts", "__proto__", "é", "a".repeat(40)));
const smallMap = fc.dictionary(key, value, { maxKeys: 17 });

describe("small-map fast path", () => {
  it("decodes common answers itself", () => {
    expect(decodeSmallMap(hex("81a56d74696d65cf0000019fa1c6d6b3"), 0, 16)).toEqual({ mtime: 1785125590707 });
    expect(decodeSmallMap(hex("80"), 0, 1)).toEqual({});
    expect(decodeSmallMap(hex("83a162c3a16ec0a173a3616263"), 0, 13)).toEqual({ b: true, n: null, s: "abc" });
    expect(decodeSmallMap(hex("82a178d3ffe0000000000000a179d0ff"), 0, 16)).toEqual({ x: -(2 ** 53), y: -1 });
  });

  it("leaves bigints, non-ASCII text, __proto__, nesting and trailing bytes to msgpackr", () => {
    for (const bytes of ["81a178cf0020000000000001", "81a178d3ffdfffffffffffff", "81a178a2c3a9", "81a95f5f70726f746f5f5f01", "81a17891", "81a17801c0", "81a178"]) {
      const buffer = hex(bytes);
      expect(decodeSmallMap(buffer, 0, buffer.length), bytes).toBeUndefined();
    }
  });

  it("gives exactly msgpackr's result whenever it decodes (random maps)", () => {
    fc.assert(
      fc.property(smallMap, (map) => {
        const bytes = packValue(map);
        const fast = decodeSmallMap(bytes, 0, bytes.length);
        const reference = unpackValue(bytes);
        if (fast !== undefined) expect(fast).toStrictEqual(reference);
        expect(unpackPayload(bytes)).toStrictEqual(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on random bytes and agrees with msgpackr when it accepts them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (raw) => {
        const bytes = Buffer.from([0x80 | (raw[0]! & 0x0f), ...raw.subarray(1)]);
        const fast = decodeSmallMap(bytes, 0, bytes.length);
        if (fast !== undefined) expect(fast).toStrictEqual(unpackValue(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it("decodes a map inside a larger buffer by its range", () => {
    const bytes = hex("ffff81a178cd0102eeee");
    expect(decodeSmallMap(bytes, 2, 8)).toEqual({ x: 258 });
    expect(decodeSmallMap(bytes, 2, 9)).toBeUndefined();
  });
});
