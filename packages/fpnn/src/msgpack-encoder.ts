/**
 * Plain msgpack encoder for payloads, writing into one reusable scratch buffer. Same wire rules as
 * the C++ FPNN SDK: smallest encoding for every integer (number or bigint; never float64 for an
 * integral number within 64 bits), str for strings, bin for bytes, str for StrBytes (raw bytes as
 * they are), no extensions. Decoding is
 * msgpackr's job (msgpack.ts); this exists because msgpackr's pack plus the int64 fix-up walk cost
 * about 4x more per quest, which the runtime's CPU budget cannot carry.
 */

import { StrBytes } from "./str-bytes.js";

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const MAX_DEPTH = 64;
const TWO_32 = 0x1_0000_0000;
/** From this many characters on, Buffer.write (native) beats a JavaScript byte loop. */
const NATIVE_WRITE_FROM = 40;

function strHeaderSize(byteLength: number): number {
  return byteLength < 32 ? 1 : byteLength < 0x100 ? 2 : byteLength < 0x10000 ? 3 : 5;
}

/** Thrown for a value it cannot encode; msgpack.ts turns it into an FpnnError naming the field. */
export class UnencodableValue extends Error {}

export class MsgpackEncoder {
  buffer: Buffer;
  /** End of the written bytes. */
  length = 0;
  /** Bytes before this offset are no longer needed: growing the buffer drops them (the frame writer hands them to the socket). */
  start = 0;
  private view: DataView;

  constructor(private readonly initialCapacity = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(initialCapacity);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /** Encodes a map payload into buffer[0, length). */
  encodeMap(payload: Record<string, unknown>): void {
    this.length = this.start = 0;
    this.writeObject(payload, 0);
  }

  encodeValue(value: unknown): void {
    this.length = this.start = 0;
    this.write(value, 0);
  }

  /** Appends a map at `length` (the frame writer encodes payloads straight into its staging buffer). */
  appendMap(payload: Record<string, unknown>): void {
    this.writeObject(payload, 0);
  }

  /** Makes room for `extra` more bytes; may move the kept bytes [start, length) to offset 0 of a new buffer. */
  ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const kept = this.length - this.start;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.initialCapacity, 2 * (kept + extra)));
    this.buffer.copy(bigger, 0, this.start, this.length);
    this.buffer = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
    this.start = 0;
    this.length = kept;
  }

  /** Starts over in another buffer (the current one belongs to the socket now). */
  adopt(buffer: Buffer): void {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.start = this.length = 0;
  }

  private write(value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        this.writeString(value);
        return;
      case "number":
        this.writeNumber(value);
        return;
      case "bigint":
        this.writeBigint(value);
        return;
      case "boolean":
        this.ensure(1);
        this.buffer[this.length++] = value ? 0xc3 : 0xc2;
        return;
      case "undefined":
        this.ensure(1);
        this.buffer[this.length++] = 0xc0;
        return;
      case "object":
        if (value === null) {
          this.ensure(1);
          this.buffer[this.length++] = 0xc0;
          return;
        }
        if (depth >= MAX_DEPTH) throw new UnencodableValue("too deep");
        if (value instanceof Uint8Array) this.writeBytes(value);
        else if (Array.isArray(value)) this.writeArray(value, depth + 1);
        else if (value instanceof Map) this.writeMapEntries(value, depth + 1);
        else if (value instanceof Set) this.writeArray([...value], depth + 1);
        else if (value instanceof StrBytes) this.writeStrBytes(value.bytes);
        else {
          const proto = Object.getPrototypeOf(value) as unknown;
          if (proto !== Object.prototype && proto !== null) throw new UnencodableValue("unsupported object");
          this.writeObject(value as Record<string, unknown>, depth + 1);
        }
        return;
      default:
        throw new UnencodableValue(typeof value);
    }
  }

  private writeObject(object: Record<string, unknown>, depth: number): void {
    this.ensure(1);
    const header = this.length++ - this.start; // relative: the buffer may move while the body is written
    let count = 0;
    for (const key in object) {
      const value = object[key];
      if (value === undefined) continue;
      count++;
      this.writeString(key);
      this.write(value, depth);
    }
    this.patchHeader(header, count, 0x80, 0xde, 0xdf);
  }

  private writeMapEntries(map: Map<unknown, unknown>, depth: number): void {
    this.ensure(1);
    const header = this.length++ - this.start; // relative: the buffer may move while the body is written
    for (const [key, value] of map) {
      this.write(key, depth);
      this.write(value, depth);
    }
    this.patchHeader(header, map.size, 0x80, 0xde, 0xdf);
  }

  private writeArray(array: readonly unknown[], depth: number): void {
    this.ensure(1);
    const header = this.length++ - this.start; // relative: the buffer may move while the body is written
    for (let i = 0; i < array.length; i++) this.write(array[i], depth);
    this.patchHeader(header, array.length, 0x90, 0xdc, 0xdd);
  }

  /** One byte was reserved for the header (at start + header); widen it, moving the body, when the count needs more. */
  private patchHeader(header: number, count: number, fix: number, size16: number, size32: number): void {
    if (count < 16) {
      this.buffer[this.start + header] = fix | count;
      return;
    }
    const extra = count < 0x10000 ? 2 : 4;
    this.ensure(extra);
    const at = this.start + header;
    this.buffer.copyWithin(at + 1 + extra, at + 1, this.length);
    this.length += extra;
    if (extra === 2) {
      this.buffer[at] = size16;
      this.view.setUint16(at + 1, count);
    } else {
      this.buffer[at] = size32;
      this.view.setUint32(at + 1, count);
    }
  }

  private writeString(value: string): void {
    const chars = value.length;
    if (chars < NATIVE_WRITE_FROM) {
      // ASCII fast path: the byte length is the character count, so the header is known up front.
      this.ensure(2 + chars * 3);
      const buffer = this.buffer;
      const header = this.length;
      let at = header + (chars < 32 ? 1 : 2);
      let i = 0;
      for (; i < chars; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[at++] = code;
      }
      if (i === chars) {
        if (chars < 32) buffer[header] = 0xa0 | chars;
        else {
          buffer[header] = 0xd9;
          buffer[header + 1] = chars;
        }
        this.length = at;
        return;
      }
    }
    // Room for the header the text needs if it is ASCII (the usual case); moved when the UTF-8 is longer.
    const guessed = strHeaderSize(chars);
    this.ensure(5 + chars * 3);
    const start = this.length + guessed;
    const bytes = this.buffer.write(value, start, "utf8");
    const needed = strHeaderSize(bytes);
    if (needed !== guessed) this.buffer.copyWithin(this.length + needed, start, start + bytes);
    this.writeStrHeaderAt(this.length, bytes);
    this.length += needed + bytes;
  }

  /** Writes the header of a str of `size` bytes at `at` (strHeaderSize(size) bytes); room must be ensured. */
  private writeStrHeaderAt(at: number, size: number): void {
    if (size < 32) this.buffer[at] = 0xa0 | size;
    else if (size < 0x100) {
      this.buffer[at] = 0xd9;
      this.buffer[at + 1] = size;
    } else if (size < 0x10000) {
      this.buffer[at] = 0xda;
      this.view.setUint16(at + 1, size);
    } else {
      this.buffer[at] = 0xdb;
      this.view.setUint32(at + 1, size);
    }
  }

  /** A str whose bytes are given (not necessarily UTF-8): the header its length needs, then the bytes as they are. */
  private writeStrBytes(bytes: Uint8Array): void {
    const size = bytes.length;
    this.ensure(5 + size);
    this.writeStrHeaderAt(this.length, size);
    this.length += strHeaderSize(size);
    this.buffer.set(bytes, this.length);
    this.length += size;
  }

  private writeBytes(bytes: Uint8Array): void {
    const size = bytes.length;
    this.ensure(5 + size);
    const at = this.length;
    if (size < 0x100) {
      this.buffer[at] = 0xc4;
      this.buffer[at + 1] = size;
      this.length = at + 2;
    } else if (size < 0x10000) {
      this.buffer[at] = 0xc5;
      this.view.setUint16(at + 1, size);
      this.length = at + 3;
    } else {
      this.buffer[at] = 0xc6;
      this.view.setUint32(at + 1, size);
      this.length = at + 5;
    }
    this.buffer.set(bytes, this.length);
    this.length += size;
  }

  private writeNumber(value: number): void {
    this.ensure(9);
    const buffer = this.buffer;
    const at = this.length;
    if (value >>> 0 === value) {
      if (value < 0x80) {
        buffer[at] = value;
        this.length = at + 1;
      } else if (value < 0x100) {
        buffer[at] = 0xcc;
        buffer[at + 1] = value;
        this.length = at + 2;
      } else if (value < 0x10000) {
        buffer[at] = 0xcd;
        this.view.setUint16(at + 1, value);
        this.length = at + 3;
      } else {
        buffer[at] = 0xce;
        this.view.setUint32(at + 1, value);
        this.length = at + 5;
      }
    } else if (value >> 0 === value) {
      if (value >= -32) {
        buffer[at] = value & 0xff;
        this.length = at + 1;
      } else if (value >= -0x80) {
        buffer[at] = 0xd0;
        this.view.setInt8(at + 1, value);
        this.length = at + 2;
      } else if (value >= -0x8000) {
        buffer[at] = 0xd1;
        this.view.setInt16(at + 1, value);
        this.length = at + 3;
      } else {
        buffer[at] = 0xd2;
        this.view.setInt32(at + 1, value);
        this.length = at + 5;
      }
    } else if (Number.isInteger(value)) {
      // Beyond 32 bits: exact only up to 2^53, but written as the integer it is, never as float64.
      if (value > 0 && value < 2 ** 64) {
        buffer[at] = 0xcf;
        this.view.setUint32(at + 1, Math.floor(value / TWO_32));
        this.view.setUint32(at + 5, value % TWO_32);
      } else if (value < 0 && value >= -(2 ** 63)) {
        buffer[at] = 0xd3;
        this.view.setBigInt64(at + 1, BigInt(value));
      } else {
        throw new UnencodableValue("integer out of the 64-bit range");
      }
      this.length = at + 9;
    } else {
      buffer[at] = 0xcb;
      this.view.setFloat64(at + 1, value);
      this.length = at + 9;
    }
  }

  private writeBigint(value: bigint): void {
    if (value >= 0n ? value <= 0xffff_ffffn : value >= -0x8000_0000n) {
      this.writeNumber(Number(value));
      return;
    }
    this.ensure(9);
    const at = this.length;
    if (value > 0n) {
      if (value > UINT64_MAX) throw new UnencodableValue("bigint out of the 64-bit range");
      this.buffer[at] = 0xcf;
      this.view.setBigUint64(at + 1, value);
    } else {
      if (value < INT64_MIN) throw new UnencodableValue("bigint out of the 64-bit range");
      this.buffer[at] = 0xd3;
      this.view.setBigInt64(at + 1, value);
    }
    this.length = at + 9;
  }
}
