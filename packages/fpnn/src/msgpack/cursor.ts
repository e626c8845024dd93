/**
 * The one bounds-checked way the fast decoders read msgpack bytes (the small-map decoder, the
 * `*key` reader, the shape walk): every read stays inside [at, end) or throws MsgpackReadError, so
 * the bounds, length and int64 edge cases live here only.
 */

import { int64Value, uint64Value } from "./int64.js";

export type ReadProblem = "truncated" | "0xc1";

/** The bytes end inside a value, or a value starts with 0xc1 (the one byte msgpack never uses). */
export class MsgpackReadError extends Error {
  constructor(readonly problem: ReadProblem) {
    super(problem === "truncated" ? "truncated" : "0xc1 is never used");
    this.name = "MsgpackReadError";
  }
}

const EMPTY = new Uint8Array(0);

export class ReadCursor {
  bytes: Uint8Array = EMPTY;
  /** Where the next read starts. */
  at = 0;
  end = 0;

  constructor(bytes: Uint8Array = EMPTY, start = 0, end = bytes.length) {
    this.reset(bytes, start, end);
  }

  /** Reads bytes[start, end) from now on. Throws a RangeError for a range outside `bytes`. */
  reset(bytes: Uint8Array, start: number, end: number): this {
    if (!(start >= 0 && start <= end && end <= bytes.length && start % 1 === 0 && end % 1 === 0)) throw rangeError(bytes, start, end);
    this.bytes = bytes;
    this.at = start;
    this.end = end;
    return this;
  }

  atEnd(): boolean {
    return this.at === this.end;
  }

  /** The next byte, not consumed. */
  peek(): number {
    if (this.at >= this.end) throw truncated();
    return this.bytes[this.at]!;
  }

  byte(): number {
    if (this.at >= this.end) throw truncated();
    return this.bytes[this.at++]!;
  }

  /** Steps over `length` bytes; returns where they start. */
  skip(length: number): number {
    const at = this.at;
    if (length > this.end - at) throw truncated();
    this.at = at + length;
    return at;
  }

  /** The next `length` bytes, as a view. */
  take(length: number): Uint8Array {
    const at = this.skip(length);
    return this.bytes.subarray(at, at + length);
  }

  uint16(): number {
    const at = this.skip(2);
    return (this.bytes[at]! << 8) | this.bytes[at + 1]!;
  }

  uint32(): number {
    const at = this.skip(4);
    const bytes = this.bytes;
    return bytes[at]! * 0x100_0000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
  }

  /** Reads a map header and returns its entry count; -1, reading nothing, when the next value is not a map. */
  mapHeader(): number {
    const type = this.peek();
    if ((type & 0xf0) === 0x80) {
      this.at++;
      return type & 0x0f;
    }
    if (type === 0xde || type === 0xdf) {
      this.at++;
      return type === 0xde ? this.uint16() : this.uint32();
    }
    return -1;
  }

  /** Reads a str header and returns the byte length of its body; -1, reading nothing, when the next value is not a str. */
  strHeader(): number {
    const type = this.peek();
    if ((type & 0xe0) === 0xa0) {
      this.at++;
      return type & 0x1f;
    }
    return type >= 0xd9 && type <= 0xdb ? this.sizedHeader(type - 0xd9) : -1;
  }

  /** Like strHeader(), for bin. */
  binHeader(): number {
    const type = this.peek();
    return type >= 0xc4 && type <= 0xc6 ? this.sizedHeader(type - 0xc4) : -1;
  }

  /** A header whose length field has 1, 2 or 4 bytes (`sizeIndex` 0, 1, 2). */
  private sizedHeader(sizeIndex: number): number {
    this.at++;
    return sizeIndex === 0 ? this.byte() : sizeIndex === 1 ? this.uint16() : this.uint32();
  }

  /** Reads an integer as msgpackr decodes it (int64.ts); undefined, reading nothing, when the next value is not one. */
  integer(): number | bigint | undefined {
    const type = this.peek();
    if (type < 0x80) {
      this.at++;
      return type;
    }
    if (type >= 0xe0) {
      this.at++;
      return type - 0x100;
    }
    if (type < 0xcc || type > 0xd3) return undefined;
    this.at++;
    switch (type) {
      case 0xcc:
        return this.byte();
      case 0xcd:
        return this.uint16();
      case 0xce:
        return this.uint32();
      case 0xcf: {
        const high = this.uint32();
        return uint64Value(high, this.uint32());
      }
      case 0xd0:
        return (this.byte() << 24) >> 24;
      case 0xd1:
        return (this.uint16() << 16) >> 16;
      case 0xd2:
        return this.uint32() | 0;
      default: {
        const high = this.uint32() | 0;
        return int64Value(high, this.uint32());
      }
    }
  }
}

function rangeError(bytes: Uint8Array, start: number, end: number): RangeError {
  return new RangeError(`msgpack range [${start}, ${end}) is not inside the ${bytes.length} bytes given`);
}

function truncated(): MsgpackReadError {
  return new MsgpackReadError("truncated");
}
