import fc from "fast-check";
import { addExtension, Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { packValue } from "../src/msgpack/index.js";
import { checkPayloadShape, topLevelStrBytes, type PayloadShapeLimits } from "../src/msgpack/index.js";

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ""), "hex");
const hexOf = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString("hex"));
const wide: PayloadShapeLimits = { maxEntries: 1_000_000, maxDepth: 1000 };
const shape = (bytes: Uint8Array, limits: PayloadShapeLimits = wide) => checkPayloadShape(bytes, 0, bytes.length, limits);

/**
 * msgpackr as a reference: maps as Map (any key, counted exactly), every int64 as bigint. Its own
 * extensions (an Error, a Set, a RegExp, a structured-clone id...) read the values after their data, so
 * they frame bytes differently from plain msgpack: in this file they decode to their data, like any ext.
 */
const reference = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "bigint" });
for (const type of [0x00, 0x42, 0x62, 0x65, 0x69, 0x70, 0x73, 0x74, 0x78]) addExtension({ type, unpack: (data) => Uint8Array.from(data) });

/** Map entries plus array elements at every depth, and the nesting depth (a top-level container is level 1). */
function stats(value: unknown): { entries: number; depth: number } {
  if (Array.isArray(value)) return children(value, value.length);
  if (value instanceof Map) return children([...value].flat(), value.size);
  return { entries: 0, depth: 0 };
}
function children(values: unknown[], entries: number): { entries: number; depth: number } {
  let depth = 0;
  for (const v of values) {
    const s = stats(v);
    entries += s.entries;
    depth = Math.max(depth, s.depth);
  }
  return { entries, depth: depth + 1 };
}

// A test-side encoder that picks any valid header width (not only the smallest), so every form is walked.
const u16 = (n: number) => [n >>> 8, n & 0xff];
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
function sized(fix: number | undefined, fixMax: number, codes: [number, number, number], length: number, width: number): number[] {
  const options: number[][] = [];
  if (fix !== undefined && length <= fixMax) options.push([fix | length]);
  if (codes[0] !== 0 && length < 0x100) options.push([codes[0], length]);
  if (length < 0x10000) options.push([codes[1], ...u16(length)]);
  options.push([codes[2], ...u32(length)]);
  return options[width % options.length]!;
}

interface Encoded {
  readonly bytes: readonly number[];
}

const leaf: fc.Arbitrary<Encoded> = fc.oneof(
  fc.constantFrom([0xc0], [0xc2], [0xc3], [0x00], [0x7f], [0xe0], [0xff]).map((bytes) => ({ bytes })),
  fc.tuple(fc.constantFrom(0xcc, 0xd0, 0xcd, 0xd1, 0xce, 0xd2, 0xca, 0xcf, 0xd3, 0xcb), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([code, raw]) => {
    const size = { 0xcc: 1, 0xd0: 1, 0xcd: 2, 0xd1: 2, 0xce: 4, 0xd2: 4, 0xca: 4, 0xcf: 8, 0xd3: 8, 0xcb: 8 }[code]!;
    return { bytes: [code, ...raw.subarray(0, size)] };
  }),
  // str (any bytes: msgpackr decodes invalid UTF-8 lossily, without failing) and bin
  fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 300 }), fc.nat()).map(([isStr, body, width]) => ({
    bytes: [...(isStr ? sized(0xa0, 31, [0xd9, 0xda, 0xdb], body.length, width) : sized(undefined, 0, [0xc4, 0xc5, 0xc6], body.length, width)), ...body],
  })),
  // timestamps, the one extension msgpackr knows: fixext 4, fixext 8, ext 8 of 12 bytes
  fc.tuple(fc.constantFrom([0xd6, 0xff], [0xd7, 0xff], [0xc7, 12, 0xff]), fc.uint8Array({ minLength: 12, maxLength: 12 })).map(([head, raw]) => ({
    bytes: [...head, ...raw.subarray(0, head[0] === 0xd6 ? 4 : head[0] === 0xd7 ? 8 : 12)],
  })),
);

const { value: anyValue } = fc.letrec<{ value: Encoded }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true, depthIdentifier: "value" }, leaf, container(tie("value"))),
}));

function container(item: fc.Arbitrary<Encoded>): fc.Arbitrary<Encoded> {
  return fc.oneof(
    fc.tuple(fc.array(item, { maxLength: 18, depthIdentifier: "value" }), fc.nat()).map(([items, width]) => ({
      bytes: [...sized(0x90, 15, [0, 0xdc, 0xdd], items.length, width), ...items.flatMap((i) => i.bytes)],
    })),
    fc
      .tuple(fc.uniqueArray(fc.tuple(fc.string({ maxLength: 6 }), item), { selector: ([key]) => key, maxLength: 18, depthIdentifier: "value" }), fc.nat())
      .map(([entries, width]) => ({
        bytes: [...sized(0x80, 15, [0, 0xde, 0xdf], entries.length, width), ...entries.flatMap(([k, v]) => [...packValue(k), ...v.bytes])],
      })),
  );
}

/** A walk that reads each value at most once: counts every byte read through a proxy. */
function countingReads(bytes: Uint8Array): { view: Uint8Array; reads: () => number } {
  let reads = 0;
  const view = new Proxy(bytes, {
    get(target, property) {
      if (typeof property === "string" && /^\d+$/.test(property)) reads++;
      const value = (target as unknown as Record<string | symbol, unknown>)[property];
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { view, reads: () => reads };
}

describe("checkPayloadShape", () => {
  it("walks every msgpack type: nil, bool, ints of all widths, floats, str, bin, ext, fixext, arrays and maps in every form", () => {
    const values = [
      "c0", "c2", "c3", "00", "7f", "e0", "ff",
      "cc ff", "cd ffff", "ce ffffffff", "cf 0000000000000001", "d0 80", "d1 8000", "d2 80000000", "d3 8000000000000000",
      "ca 3f800000", "cb 3ff0000000000000",
      "a3 616263", "d9 03 616263", "da 0003 616263", "db 00000003 616263",
      "c4 02 0102", "c5 0002 0102", "c6 00000002 0102",
      "d4 01 aa", "d5 01 aabb", "d6 01 aabbccdd", "d7 01 0011223344556677", "d8 01 00112233445566778899aabbccddeeff",
      "c7 03 01 aabbcc", "c8 0003 01 aabbcc", "c9 00000003 01 aabbcc",
      "92 01 02", "dc 0002 01 02", "dd 00000002 01 02",
      "81 a1 61 01", "de 0001 a1 61 01", "df 00000001 a1 61 01",
      "90", "80", "dc 0000", "df 00000000",
    ];
    // One array holding each value: 42 elements, plus the 2 of each array and the 1 of each map inside.
    const body = values.map(hex);
    const whole = Buffer.concat([hex(`dc ${body.length.toString(16).padStart(4, "0")}`), ...body]);
    const inner = 3 * 2 + 3 * 1;
    const entries = body.length + inner;
    expect(shape(whole)).toBeUndefined();
    expect(shape(whole, { maxEntries: entries, maxDepth: 2 })).toBeUndefined();
    expect(shape(whole, { maxEntries: entries - 1, maxDepth: 2 })).toBe(`more than ${entries - 1} map entries and array elements`);
    expect(shape(whole, { maxEntries: entries, maxDepth: 1 })).toBe("nested deeper than 1 levels");
    // Each value alone, and each cut short by one byte.
    for (const value of body) {
      expect(shape(value), value.toString("hex")).toBeUndefined();
      expect(shape(value.subarray(0, value.length - 1)), value.toString("hex")).toBe("truncated");
    }
  });

  it("counts entries and depth as msgpackr's decoded value does, for the 16 and 32 bit forms too", () => {
    for (const h of ["dc 0003 01 02 03", "dd 00000003 01 02 03", "de 0002 a1 61 91 01 a1 62 dc 0000", "df 00000002 a1 61 01 a1 62 dd 00000001 c0"]) {
      const bytes = hex(h);
      const { entries, depth } = stats(reference.unpack(bytes));
      expect(shape(bytes, { maxEntries: entries, maxDepth: depth })).toBeUndefined();
      expect(shape(bytes, { maxEntries: entries - 1, maxDepth: depth })).toMatch(/^more than/);
      expect(shape(bytes, { maxEntries: entries, maxDepth: depth - 1 })).toMatch(/^nested deeper/);
    }
  });

  it("depth: a top-level container is level 1; an empty container is a level too", () => {
    const nested = (levels: number, innermost = "") => hex("91".repeat(levels - 1) + "90" + innermost);
    expect(shape(nested(32), { maxEntries: 100, maxDepth: 32 })).toBeUndefined();
    expect(shape(nested(33), { maxEntries: 100, maxDepth: 32 })).toBe("nested deeper than 32 levels");
    expect(shape(hex("01"), { maxEntries: 0, maxDepth: 0 })).toBeUndefined();
    expect(shape(hex("90"), { maxEntries: 0, maxDepth: 0 })).toBe("nested deeper than 0 levels");
    // Deeper than the walker's initial stack (64 levels).
    expect(shape(nested(5000), { maxEntries: 10_000, maxDepth: 5000 })).toBeUndefined();
    expect(shape(nested(5000), { maxEntries: 10_000, maxDepth: 4999 })).toBe("nested deeper than 4999 levels");
  });

  it("stops at the first excess: a claimed size is refused before its body, and a huge payload costs what maxEntries allows", () => {
    expect(shape(hex("df ffffffff"), { maxEntries: 65536, maxDepth: 32 })).toBe("more than 65536 map entries and array elements");
    expect(shape(hex("dd 00010001"), { maxEntries: 65536, maxDepth: 32 })).toBe("more than 65536 map entries and array elements");
    expect(shape(hex("dd 00010000"), { maxEntries: 65536, maxDepth: 32 })).toBe("truncated");
    // 100,000 arrays of one element each (200,000 entries): the walk stops at the first entry past the limit.
    const many = Buffer.concat([hex("dd 000186a0"), Buffer.alloc(200_000, 0x91).map((b, i) => (i % 2 === 0 ? b : 0x01))]);
    expect(shape(many)).toBeUndefined();
    const { view, reads } = countingReads(many);
    expect(checkPayloadShape(view, 0, many.length, { maxEntries: 150_000, maxDepth: 32 })).toBe("more than 150000 map entries and array elements");
    expect(reads()).toBeLessThanOrEqual(5 + 2 * 50_001); // the header, then 50,001 inner arrays of 2 bytes
    // Long strings and bins are stepped over, not read.
    const long = Buffer.concat([hex("92 db 00100000"), Buffer.alloc(0x100000, 0xff), hex("c6 00100000"), Buffer.alloc(0x100000)]);
    const counted = countingReads(long);
    expect(checkPayloadShape(counted.view, 0, long.length, wide)).toBeUndefined();
    expect(counted.reads()).toBeLessThan(20);
  });

  it("malformed input gets a reason: truncated, 0xc1, bytes after the value", () => {
    expect(shape(new Uint8Array(0))).toBe("truncated");
    expect(shape(hex("82 a1 61 01"))).toBe("truncated");
    expect(shape(hex("db 00000005 6162"))).toBe("truncated");
    expect(shape(hex("c7 05 01 aa"))).toBe("truncated");
    expect(shape(hex("d8 01 00"))).toBe("truncated");
    expect(shape(hex("cf 0000"))).toBe("truncated");
    expect(shape(hex("91 c1"))).toBe("malformed: 0xc1 is never used");
    expect(shape(hex("01 02"))).toBe("trailing bytes after the value");
  });

  it("reads only inside [start, end) and refuses a range outside the bytes", () => {
    const bytes = hex("ff ff 92 01 02 ff");
    expect(checkPayloadShape(bytes, 2, 5, wide)).toBeUndefined();
    expect(checkPayloadShape(bytes, 2, 4, wide)).toBe("truncated");
    expect(() => checkPayloadShape(bytes, 2, 7, wide)).toThrow(RangeError);
    expect(() => checkPayloadShape(bytes, -1, 3, wide)).toThrow(RangeError);
    expect(() => checkPayloadShape(bytes, 4, 3, wide)).toThrow(RangeError);
  });

  it("fuzz: agrees with a count made from msgpackr's decoded value, at any offset", () => {
    fc.assert(
      fc.property(anyValue, fc.nat({ max: 40 }), fc.nat({ max: 8 }), fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), (value, entryLimit, depthLimit, before, after) => {
        const bytes = Uint8Array.from(value.bytes);
        const { entries, depth } = stats(reference.unpack(bytes));
        const limits = { maxEntries: entryLimit, maxDepth: depthLimit };
        const within = entries <= entryLimit && depth <= depthLimit;
        const framed = Uint8Array.from([...before, ...bytes, ...after]);
        const reason = checkPayloadShape(framed, before.length, before.length + bytes.length, limits);
        if (within) expect(reason).toBeUndefined();
        else if (reason === `more than ${entryLimit} map entries and array elements`) expect(entries).toBeGreaterThan(entryLimit);
        else expect([reason, depth]).toEqual([`nested deeper than ${depthLimit} levels`, expect.any(Number)]);
        if (reason?.startsWith("nested")) expect(depth).toBeGreaterThan(depthLimit);
        // Every proper prefix is truncated (with no limit in the way).
        const cut = Math.floor(bytes.length / 2);
        expect(shape(bytes.subarray(0, cut))).toBe("truncated");
      }),
      { numRuns: 400 },
    );
  });

  it("fuzz: random and mutated bytes never throw, and the answer is undefined or a reason", () => {
    const mutated = fc.tuple(anyValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([v, edits]) => {
      const bytes = Uint8Array.from(v.bytes);
      for (const [at, b] of edits) bytes[at % bytes.length] = b;
      return bytes;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), fc.nat({ max: 100 }), fc.nat({ max: 40 }), (bytes, maxEntries, maxDepth) => {
        const reason = checkPayloadShape(bytes, 0, bytes.length, { maxEntries, maxDepth });
        expect(reason === undefined || typeof reason === "string").toBe(true);
        let decoded = true;
        try {
          reference.unpack(bytes);
        } catch {
          decoded = false;
        }
        // What msgpackr decodes is well formed: only a limit may be in the way. (msgpackr
        // reads the never-used 0xc1 as a marker value of its own; the walk calls it malformed, as the spec does.)
        if (decoded && reason?.startsWith("malformed")) expect([...bytes]).toContain(0xc1);
        else if (decoded) expect(reason === undefined || /^(more than|nested deeper)/.test(reason), reason).toBe(true);
        const str = topLevelStrBytes(bytes, 0, bytes.length, "msg");
        if (str !== undefined) expect(str.buffer).toBe(bytes.buffer);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("topLevelStrBytes", () => {
  const invalid = hex("61fffe8000c32862");

  it("answers the raw bytes of a str value in every str form, valid UTF-8 or not", () => {
    for (const header of ["a8", "d9 08", "da 0008", "db 00000008"]) {
      const payload = Buffer.concat([hex("82 a4 66726f6d 01 a3 6d7367"), hex(header), invalid]);
      expect(Buffer.from(topLevelStrBytes(payload, 0, payload.length, "msg")!).equals(invalid), header).toBe(true);
    }
    const text = packValue({ msg: "héllo \uFFFD", attrs: "" });
    expect(Buffer.from(topLevelStrBytes(text, 0, text.length, "msg")!).toString("utf8")).toBe("héllo \uFFFD");
    expect(hexOf(topLevelStrBytes(text, 0, text.length, "attrs"))).toBe("");
  });

  it("steps over entries of any type before the key, and matches keys written in any str form", () => {
    const before = "a1 61 dc 0002 81 a1 62 c4 02 0102 c7 02 05 aabb a1 63 d7 ff 0011223344556677 a1 64 df 00000001 a1 65 cb 3ff0000000000000";
    const payload = Buffer.concat([hex(`84 ${before} db 00000003 6d7367 d9 08`), invalid]);
    expect(Buffer.from(topLevelStrBytes(payload, 0, payload.length, "msg")!).equals(invalid)).toBe(true);
    // A range inside a larger buffer; the answer is a view of it.
    const framed = Buffer.concat([hex("ffff"), payload, hex("ff")]);
    const view = topLevelStrBytes(framed, 2, 2 + payload.length, "msg")!;
    expect(view.buffer).toBe(framed.buffer);
    expect(Buffer.from(view).equals(invalid)).toBe(true);
  });

  it("undefined when the key is absent, its value is not a str, the value is not a map, or the bytes are cut or malformed", () => {
    const none = (h: string, key = "msg") => topLevelStrBytes(hex(h), 0, hex(h).length, key);
    expect(none("81 a3 6d7367 a1 61", "attrs")).toBeUndefined();
    expect(none("81 a3 6d7367 c4 01 61")).toBeUndefined(); // bin
    expect(none("81 a3 6d7367 05")).toBeUndefined();
    expect(none("81 a3 6d7367 91 a1 61")).toBeUndefined();
    expect(none("91 a3 6d7367")).toBeUndefined(); // an array, not a map
    expect(none("a3 6d7367")).toBeUndefined();
    expect(none("81 a3 6d7367 a5 6162")).toBeUndefined(); // the value is cut
    expect(none("82 a1 61 c1 a3 6d7367 a1 61")).toBeUndefined(); // malformed before the key
    expect(none("82 a1 61 db ffffffff a3 6d7367 a1 61")).toBeUndefined();
    expect(topLevelStrBytes(new Uint8Array(0), 0, 0, "msg")).toBeUndefined();
    // A repeated key counts by its last entry, as msgpackr decodes it.
    expect(hexOf(none("83 a3 6d7367 a1 61 a1 78 01 a3 6d7367 a2 6263"))).toBe("6263");
    expect(none("82 a3 6d7367 a1 61 a3 6d7367 01")).toBeUndefined();
    expect(none("82 a3 6d7367 a1 61 a3 6d7367 a5 01")).toBeUndefined(); // the last one is cut
    // Keys match by bytes, not by prefix: "msgs" is not "msg".
    expect(hexOf(none("82 a4 6d736773 a1 61 a3 6d7367 a1 62"))).toBe("62");
  });

  it("fuzz: finds what packValue wrote, next to values of every kind", () => {
    const text = fc.string({ unit: "binary", maxLength: 300 });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), text, fc.boolean(), fc.uint8Array({ maxLength: 40 }), fc.array(fc.integer(), { maxLength: 20 }))), text, (rest, msg) => {
        const payload = packValue({ ...rest, msg });
        const raw = topLevelStrBytes(payload, 0, payload.length, "msg");
        expect(Buffer.from(raw!).equals(Buffer.from(msg, "utf8"))).toBe(true);
      }),
    );
  });
});
