import fc from "fast-check";
import { Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { decodeKeyQuestPayload, readKeyQuestPayload } from "../src/encryption/key-quest.js";
import { checkPayloadShape, packValue, StrBytes, topLevelStrBytes, unpackPayload, unpackValue } from "../src/msgpack/index.js";
import { decodeSmallMap } from "../src/msgpack/small-map.js";

/** Integers at and around every encoding boundary, as number and as bigint. */
const boundaries = [0n, 31n, 32n, 127n, 128n, 255n, 256n, 32767n, 32768n, 65535n, 65536n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 63n]
  .flatMap((n) => [n - 1n, n, n + 1n, -n - 1n, -n, -n + 1n])
  .filter((n) => n >= -(2n ** 63n) && n < 2n ** 64n);
const integer = fc.oneof(
  fc.constantFrom(...boundaries),
  fc.constantFrom(...boundaries.filter((n) => n >= -(2n ** 53n) && n <= 2n ** 53n).map(Number)),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
);
/** Strings around the fixstr / str 8 / str 16 boundaries, ASCII and not. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(31, 32, 255, 256, 65535, 65536).map((n) => "x".repeat(n)),
  fc.constantFrom(10, 11, 85, 86).map((n) => "é€".repeat(n)),
);
const leaf = fc.oneof(integer, text, fc.boolean(), fc.constant(null), fc.double({ noNaN: true, min: -(2 ** 63), max: 2 ** 63 }), fc.uint8Array({ maxLength: 300 }));

/** What msgpackr gives back for a value our encoder wrote. */
function decoded(value: unknown): unknown {
  if (typeof value === "bigint") return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value;
  if (typeof value === "number") return Object.is(value, -0) ? 0 : Number.isInteger(value) && Math.abs(value) > 2 ** 53 ? BigInt(value) : value;
  if (value instanceof StrBytes) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value instanceof Set) return [...value].map(decoded);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, decoded(v)]));
  if (Array.isArray(value)) return value.map(decoded);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, decoded(v)]])));
  return value;
}

describe("msgpack properties", () => {
  it("what the encoder writes, msgpackr decodes to the same value (every width, every container form)", () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.string({ maxLength: 20 }).map((s) => new StrBytes(Buffer.from(s))),
        fc.array(tie("node"), { maxLength: 20 }),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.option(tie("node"), { nil: undefined }), { maxKeys: 20 }),
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), tie("node")), { maxLength: 3 }).map((entries) => new Map(entries)),
        fc.array(integer, { maxLength: 3 }).map((items) => new Set(items)),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(unpackValue(packValue(v))).toStrictEqual(decoded(v));
      }),
      { numRuns: 1000 },
    );
  });

  it("wide containers: map 16 and array 16 headers, as msgpackr reads them", () => {
    fc.assert(
      fc.property(fc.constantFrom(15, 16, 17, 300, 65535, 65536, 65537), (count) => {
        const array = Array.from({ length: count }, (_, i) => i);
        const map = Object.fromEntries(array.slice(0, Math.min(count, 300)).map((i) => [`k${i}`, i]));
        expect(unpackValue(packValue(array))).toStrictEqual(array);
        expect(unpackValue(packValue(map))).toStrictEqual(map);
      }),
      { numRuns: 7 },
    );
  });

  const smallMap = fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom("mtime", "ts", "__proto__", "é", "k".repeat(40))), leaf, { maxKeys: 16 });

  it("the fast decoders agree with msgpackr on random small maps", () => {
    fc.assert(
      fc.property(smallMap, (map) => {
        const bytes = packValue(map);
        const reference = unpackValue(bytes) as Record<string, unknown>;
        const fast = decodeSmallMap(bytes, 0, bytes.length);
        if (fast !== undefined) expect(fast).toStrictEqual(reference);
        expect(unpackPayload(bytes)).toStrictEqual(reference);
        const entries = Object.keys(map).length;
        expect(checkPayloadShape(bytes, 0, bytes.length, { maxEntries: entries, maxDepth: 1 })).toBeUndefined();
        if (entries > 0) expect(checkPayloadShape(bytes, 0, bytes.length, { maxEntries: entries - 1, maxDepth: 1 })).toMatch(/^more than/);
        for (const key of Object.keys(map)) {
          if (key === "__proto__") continue; // msgpackr renames it
          const str = topLevelStrBytes(bytes, 0, bytes.length, key);
          if (typeof reference[key] === "string") expect(Buffer.from(str!).toString("utf8")).toBe(reference[key]);
          else expect(str).toBeUndefined();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("the *key reader agrees with the msgpackr-decoded payload: same fields, or both refuse", () => {
    const packr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "auto" } as never);
    const field = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
    const quest = fc.record({
      publicKey: field(fc.oneof(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ maxLength: 70 }), leaf)),
      streamMode: field(fc.oneof(fc.boolean(), leaf)),
      bits: field(fc.oneof(fc.constantFrom(128, 256, 128n, 0), leaf)),
      other: field(leaf),
    });
    fc.assert(
      fc.property(quest, (payload) => {
        const bytes = packValue(payload);
        let raw: unknown;
        let read: unknown;
        try {
          raw = decodeKeyQuestPayload(bytes, "secp256k1");
        } catch (error) {
          raw = "refused";
          expect((error as Error).message).toMatch(/^\*key quest: /);
        }
        try {
          read = readKeyQuestPayload(packr.unpack(bytes), "secp256k1");
        } catch {
          read = "refused";
        }
        if (typeof payload.publicKey === "string") return; // a str key only survives msgpackr as text: compared elsewhere
        expect(raw).toEqual(read);
      }),
      { numRuns: 1000 },
    );
  });
});
