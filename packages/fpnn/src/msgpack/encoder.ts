/**
 * Plain msgpack encoder, writing into a ByteBuffer. Same wire rules as the C++ FPNN SDK: smallest
 * encoding for every integer (int64.ts), str for strings, bin for bytes, str for StrBytes (raw bytes
 * as they are), no extensions; `undefined` map values are left out, elsewhere it is nil.
 * Decoding is msgpackr's job (unpack.ts); this exists because msgpackr's pack plus an int64 fix-up
 * walk cost about 4x more per quest, which the runtime's CPU budget cannot carry.
 *
 * Throws UnencodableValue naming the field for what plain msgpack cannot carry; the containers add
 * their step only while such an error passes through them (see unencodable.ts).
 */

import { ByteBuffer } from "./byte-buffer.js";
import { bigintFits32, outOfRange, wideBigintType, wideNumberType, writeWide } from "./int64.js";
import { StrBytes } from "./str-bytes.js";
import { UnencodableValue, describe, keyStep, mapKeyStep, within } from "./unencodable.js";

export const MAX_DEPTH = 64;
/** From this many characters on, Buffer.write (native) beats a JavaScript byte loop. */
const NATIVE_WRITE_FROM = 40;

function strHeaderSize(byteLength: number): number {
  return byteLength < 32 ? 1 : byteLength < 0x100 ? 2 : byteLength < 0x10000 ? 3 : 5;
}

const NO_OUTPUT = new ByteBuffer(0);

export class MsgpackEncoder {
  /** Where the current write goes. */
  private out = NO_OUTPUT;

  /** Appends a map at out.length (the caller checked it is a plain object). */
  writeMap(out: ByteBuffer, map: Record<string, unknown>): void {
    this.out = out;
    this.writeObject(map, 0);
  }

  /** Appends any value at out.length. */
  writeValue(out: ByteBuffer, value: unknown): void {
    this.out = out;
    this.write(value, 0);
  }

  /** `depth`: the containers around the value. */
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
        this.writeByte(value ? 0xc3 : 0xc2);
        return;
      case "undefined":
        this.writeByte(0xc0);
        return;
      case "object":
        if (value === null) this.writeByte(0xc0);
        else if (value instanceof Uint8Array) this.writeBytes(value);
        else if (value instanceof StrBytes) this.writeStrBytes(value.bytes);
        else {
          if (depth >= MAX_DEPTH) throw new UnencodableValue(`nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
          if (Array.isArray(value)) this.writeArray(value, depth + 1);
          else if (value instanceof Map) this.writeMapEntries(value, depth + 1);
          else if (value instanceof Set) this.writeArray([...value], depth + 1);
          else if (isPlainObject(value)) this.writeObject(value as Record<string, unknown>, depth + 1);
          else throw new UnencodableValue(`unsupported type ${describe(value)}`);
        }
        return;
      default:
        throw new UnencodableValue(`unsupported type ${typeof value}`);
    }
  }

  private writeByte(byte: number): void {
    const out = this.out;
    out.ensure(1);
    out.buffer[out.length++] = byte;
  }

  private writeObject(object: Record<string, unknown>, depth: number): void {
    const out = this.out;
    out.ensure(1);
    const header = out.length++ - out.start; // relative: the buffer may move while the body is written
    let count = 0;
    let key = "";
    try {
      for (key in object) {
        const value = object[key];
        if (value === undefined) continue;
        count++;
        this.writeString(key);
        this.write(value, depth);
      }
    } catch (error) {
      throw within(error, keyStep(key));
    }
    this.patchHeader(header, count, 0x80, 0xde, 0xdf);
  }

  private writeMapEntries(map: Map<unknown, unknown>, depth: number): void {
    const out = this.out;
    out.ensure(1);
    const header = out.length++ - out.start;
    let key: unknown;
    try {
      for (const entry of map) {
        key = entry[0];
        this.write(key, depth);
        this.write(entry[1], depth);
      }
    } catch (error) {
      throw within(error, mapKeyStep(key));
    }
    this.patchHeader(header, map.size, 0x80, 0xde, 0xdf);
  }

  private writeArray(array: readonly unknown[], depth: number): void {
    const out = this.out;
    out.ensure(1);
    const header = out.length++ - out.start;
    let i = 0;
    try {
      for (; i < array.length; i++) this.write(array[i], depth);
    } catch (error) {
      throw within(error, `[${i}]`);
    }
    this.patchHeader(header, array.length, 0x90, 0xdc, 0xdd);
  }

  /** One byte was reserved for the header (at start + header); widen it, moving the body, when the count needs more. */
  private patchHeader(header: number, count: number, fix: number, size16: number, size32: number): void {
    const out = this.out;
    if (count < 16) {
      out.buffer[out.start + header] = fix | count;
      return;
    }
    const extra = count < 0x10000 ? 2 : 4;
    out.ensure(extra);
    const at = out.start + header;
    out.buffer.copyWithin(at + 1 + extra, at + 1, out.length);
    out.length += extra;
    if (extra === 2) {
      out.buffer[at] = size16;
      out.view.setUint16(at + 1, count);
    } else {
      out.buffer[at] = size32;
      out.view.setUint32(at + 1, count);
    }
  }

  private writeString(value: string): void {
    const out = this.out;
    const chars = value.length;
    if (chars < NATIVE_WRITE_FROM) {
      // ASCII fast path: the byte length is the character count, so the header is known up front.
      out.ensure(2 + chars * 3);
      const buffer = out.buffer;
      const header = out.length;
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
        out.length = at;
        return;
      }
    }
    // Room for the header the text needs if it is ASCII (the usual case); moved when the UTF-8 is longer.
    const guessed = strHeaderSize(chars);
    out.ensure(5 + chars * 3);
    const start = out.length + guessed;
    const bytes = out.buffer.write(value, start, "utf8");
    const needed = strHeaderSize(bytes);
    if (needed !== guessed) out.buffer.copyWithin(out.length + needed, start, start + bytes);
    this.writeStrHeaderAt(out.length, bytes);
    out.length += needed + bytes;
  }

  /** Writes the header of a str of `size` bytes at `at` (strHeaderSize(size) bytes); room must be ensured. */
  private writeStrHeaderAt(at: number, size: number): void {
    const { buffer, view } = this.out;
    if (size < 32) buffer[at] = 0xa0 | size;
    else if (size < 0x100) {
      buffer[at] = 0xd9;
      buffer[at + 1] = size;
    } else if (size < 0x10000) {
      buffer[at] = 0xda;
      view.setUint16(at + 1, size);
    } else {
      buffer[at] = 0xdb;
      view.setUint32(at + 1, size);
    }
  }

  /** A str whose bytes are given (not necessarily UTF-8): the header its length needs, then the bytes as they are. */
  private writeStrBytes(bytes: Uint8Array): void {
    const out = this.out;
    const size = bytes.length;
    out.ensure(5 + size);
    this.writeStrHeaderAt(out.length, size);
    out.length += strHeaderSize(size);
    out.buffer.set(bytes, out.length);
    out.length += size;
  }

  private writeBytes(bytes: Uint8Array): void {
    const out = this.out;
    const size = bytes.length;
    out.ensure(5 + size);
    const at = out.length;
    if (size < 0x100) {
      out.buffer[at] = 0xc4;
      out.buffer[at + 1] = size;
      out.length = at + 2;
    } else if (size < 0x10000) {
      out.buffer[at] = 0xc5;
      out.view.setUint16(at + 1, size);
      out.length = at + 3;
    } else {
      out.buffer[at] = 0xc6;
      out.view.setUint32(at + 1, size);
      out.length = at + 5;
    }
    out.buffer.set(bytes, out.length);
    out.length += size;
  }

  private writeNumber(value: number): void {
    const out = this.out;
    out.ensure(9);
    const buffer = out.buffer;
    const at = out.length;
    if (value >>> 0 === value) {
      if (value < 0x80) {
        buffer[at] = value;
        out.length = at + 1;
      } else if (value < 0x100) {
        buffer[at] = 0xcc;
        buffer[at + 1] = value;
        out.length = at + 2;
      } else if (value < 0x10000) {
        buffer[at] = 0xcd;
        out.view.setUint16(at + 1, value);
        out.length = at + 3;
      } else {
        buffer[at] = 0xce;
        out.view.setUint32(at + 1, value);
        out.length = at + 5;
      }
    } else if (value >> 0 === value) {
      if (value >= -32) {
        buffer[at] = value & 0xff;
        out.length = at + 1;
      } else if (value >= -0x80) {
        buffer[at] = 0xd0;
        out.view.setInt8(at + 1, value);
        out.length = at + 2;
      } else if (value >= -0x8000) {
        buffer[at] = 0xd1;
        out.view.setInt16(at + 1, value);
        out.length = at + 3;
      } else {
        buffer[at] = 0xd2;
        out.view.setInt32(at + 1, value);
        out.length = at + 5;
      }
    } else if (Number.isInteger(value)) {
      const type = wideNumberType(value);
      if (type === 0) throw new UnencodableValue(outOfRange(value));
      buffer[at] = type;
      writeWide(out.view, at + 1, type, value);
      out.length = at + 9;
    } else {
      buffer[at] = 0xcb;
      out.view.setFloat64(at + 1, value);
      out.length = at + 9;
    }
  }

  private writeBigint(value: bigint): void {
    if (bigintFits32(value)) {
      this.writeNumber(Number(value));
      return;
    }
    const type = wideBigintType(value);
    if (type === 0) throw new UnencodableValue(outOfRange(value));
    const out = this.out;
    out.ensure(9);
    out.buffer[out.length] = type;
    writeWide(out.view, out.length + 1, type, value);
    out.length += 9;
  }
}

export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
