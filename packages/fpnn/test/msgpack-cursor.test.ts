import { describe, expect, it } from "vitest";
import { MsgpackReadError, ReadCursor } from "../src/msgpack/cursor.js";
import { skipValue } from "../src/msgpack/skip.js";
import { hex } from "./helpers.js";

function truncatedBy(read: (cursor: ReadCursor) => unknown, bytes: string): void {
  const cursor = new ReadCursor(hex(bytes));
  expect(() => read(cursor)).toThrow(MsgpackReadError);
  try {
    read(new ReadCursor(hex(bytes)));
  } catch (error) {
    expect((error as MsgpackReadError).problem).toBe("truncated");
  }
}

describe("ReadCursor", () => {
  it("reads big-endian integers and steps by what it read", () => {
    const cursor = new ReadCursor(hex("01 0203 fffffffe 07"));
    expect(cursor.byte()).toBe(1);
    expect(cursor.uint16()).toBe(0x0203);
    expect(cursor.uint32()).toBe(0xfffffffe);
    expect(cursor.atEnd()).toBe(false);
    expect(cursor.peek()).toBe(7);
    expect(cursor.take(1)).toEqual(hex("07"));
    expect(cursor.atEnd()).toBe(true);
  });

  it("never reads outside [start, end): every read past the end throws 'truncated' and moves nothing", () => {
    const bytes = hex("aa 0102 bb");
    const cursor = new ReadCursor(bytes, 1, 3);
    expect(() => cursor.uint32()).toThrow(MsgpackReadError);
    expect(cursor.at).toBe(1);
    expect(cursor.uint16()).toBe(0x0102);
    for (const read of [() => cursor.byte(), () => cursor.peek(), () => cursor.skip(1), () => cursor.take(1), () => cursor.uint16()]) {
      expect(read).toThrow("truncated");
    }
    expect(cursor.at).toBe(3);
    expect(cursor.skip(0)).toBe(3);
  });

  it("refuses a range outside the bytes with a RangeError", () => {
    const bytes = hex("010203");
    for (const [start, end] of [[-1, 2], [2, 1], [0, 4], [0.5, 2], [Number.NaN, 1]] as const) {
      expect(() => new ReadCursor(bytes, start, end)).toThrow(RangeError);
    }
    expect(new ReadCursor(bytes, 3, 3).atEnd()).toBe(true);
  });

  it("reads map, str and bin headers in every width, and reads nothing for another type", () => {
    expect(new ReadCursor(hex("83")).mapHeader()).toBe(3);
    expect(new ReadCursor(hex("de 0102")).mapHeader()).toBe(0x102);
    expect(new ReadCursor(hex("df 00010000")).mapHeader()).toBe(0x10000);
    expect(new ReadCursor(hex("a5")).strHeader()).toBe(5);
    expect(new ReadCursor(hex("d9 20")).strHeader()).toBe(32);
    expect(new ReadCursor(hex("da 0100")).strHeader()).toBe(256);
    expect(new ReadCursor(hex("db 00010000")).strHeader()).toBe(0x10000);
    expect(new ReadCursor(hex("c4 02")).binHeader()).toBe(2);
    expect(new ReadCursor(hex("c5 0100")).binHeader()).toBe(256);
    expect(new ReadCursor(hex("c6 00010000")).binHeader()).toBe(0x10000);
    for (const [read, bytes] of [[(c: ReadCursor) => c.mapHeader(), "93"], [(c: ReadCursor) => c.strHeader(), "c4"], [(c: ReadCursor) => c.binHeader(), "a1"]] as const) {
      const cursor = new ReadCursor(hex(bytes));
      expect(read(cursor)).toBe(-1);
      expect(cursor.at).toBe(0);
    }
    truncatedBy((c) => c.mapHeader(), "de 01");
    truncatedBy((c) => c.strHeader(), "db 000000");
    truncatedBy((c) => c.binHeader(), "c4");
    truncatedBy((c) => c.strHeader(), "");
  });

  it("reads integers of every width as msgpackr does: numbers within 2^53, bigints beyond", () => {
    const cases: [string, number | bigint][] = [
      ["7f", 127], ["e0", -32], ["cc ff", 255], ["cd ffff", 65535], ["ce ffffffff", 0xffffffff],
      ["d0 80", -128], ["d1 8000", -32768], ["d2 80000000", -(2 ** 31)],
      ["cf 0020000000000000", 2 ** 53], ["cf 0020000000000001", 2n ** 53n + 1n], ["cf ffffffffffffffff", 2n ** 64n - 1n],
      ["d3 ffe0000000000000", -(2 ** 53)], ["d3 ffdfffffffffffff", -(2n ** 53n) - 1n], ["d3 8000000000000000", -(2n ** 63n)],
      ["d3 ffffffffffffffff", -1], ["d3 001fffffffffffff", 2 ** 53 - 1],
    ];
    for (const [bytes, value] of cases) {
      const cursor = new ReadCursor(hex(bytes));
      expect(cursor.integer(), bytes).toBe(value);
      expect(cursor.atEnd()).toBe(true);
    }
    const notInteger = new ReadCursor(hex("cb 0000000000000000"));
    expect(notInteger.integer()).toBeUndefined();
    expect(notInteger.at).toBe(0);
    truncatedBy((c) => c.integer(), "cf 00000000000000");
    truncatedBy((c) => c.integer(), "d1 01");
  });
});

describe("skipValue", () => {
  it("steps over one value of any type and stops right after it", () => {
    for (const value of ["c0", "cb 0000000000000000", "d8 01 00000000000000000000000000000000", "c7 02 01 aabb", "c9 00000001 05 aa", "92 a1 61 81 a1 62 c4 01 ff", "dc 0001 90", "df 00000001 01 02"]) {
      const cursor = new ReadCursor(Buffer.concat([hex(value), hex("ee")]));
      expect(skipValue(cursor), value).toBeUndefined();
      expect(cursor.peek(), value).toBe(0xee);
    }
  });

  it("throws 'truncated' for a value cut anywhere and '0xc1' for the never-used byte", () => {
    const whole = hex("82 a1 61 92 01 c4 02 aabb a1 62 da 0003 616263");
    for (let cut = 0; cut < whole.length; cut++) {
      expect(() => skipValue(new ReadCursor(whole, 0, cut)), `cut at ${cut}`).toThrow("truncated");
    }
    expect(() => skipValue(new ReadCursor(hex("91 c1")))).toThrow("0xc1 is never used");
  });

  it("answers which limit a value passes, as soon as its header tells", () => {
    expect(skipValue(new ReadCursor(hex("92 01 02")), 1)).toBe("entries");
    expect(skipValue(new ReadCursor(hex("dd ffffffff")), 1000)).toBe("entries"); // before its missing body
    expect(skipValue(new ReadCursor(hex("91 91 90")), Infinity, 2)).toBe("depth");
    expect(skipValue(new ReadCursor(hex("91 91 90")), 3, 3)).toBeUndefined();
  });
});
