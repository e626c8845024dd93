import { resolveCurve, type Curve, type CurveName } from "./curves.js";
import { EncryptionError } from "./errors.js";
import type { KeyBits } from "./session-keys.js";

/** The FPNN method of the key exchange quest. */
export const keyQuestMethod = "*key";

/** The `*key` quest payload as an object (msgpackr packs `publicKey` as bin). */
export interface KeyQuestPayload {
  publicKey: Uint8Array;
  streamMode: boolean;
  bits: KeyBits;
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));
const publicKeyField = ascii("publicKey");
const streamModeField = ascii("streamMode");
const bitsField = ascii("bits");

/**
 * The `*key` payload as msgpack bytes, with `publicKey` sent as str the way the C++ FPNN SDK sends it
 * (msgpackr cannot write non-UTF-8 bytes as str). Key order publicKey, streamMode, bits.
 */
export function encodeKeyQuestPayload(payload: KeyQuestPayload): Uint8Array {
  const key = payload.publicKey;
  if (key.length > 0xff) throw new RangeError("publicKey longer than a str8");
  return Uint8Array.from([
    0x83,
    0xa0 | publicKeyField.length, ...publicKeyField,
    0xd9, key.length, ...key,
    0xa0 | streamModeField.length, ...streamModeField,
    payload.streamMode ? 0xc3 : 0xc2,
    0xa0 | bitsField.length, ...bitsField,
    ...(payload.bits === 128 ? [0xcc, 0x80] : [0xcd, 0x01, 0x00]),
  ]);
}

/**
 * Validates a `*key` payload decoded by msgpackr. A publicKey a C++ peer sent as str only survives msgpackr when
 * its bytes happen to be valid UTF-8; otherwise use {@link decodeKeyQuestPayload} on the raw payload.
 */
export function readKeyQuestPayload(payload: unknown, curveName: CurveName): KeyQuestPayload {
  const curve = resolveCurve(curveName);
  if (typeof payload !== "object" || payload === null || Array.isArray(payload) || payload instanceof Uint8Array) {
    throw new EncryptionError("*key quest: the payload is not a map");
  }
  const fields = payload as Record<string, unknown>;
  const publicKey = fields["publicKey"];
  let keyBytes: Uint8Array | undefined;
  if (publicKey instanceof Uint8Array) keyBytes = publicKey;
  else if (typeof publicKey === "string") {
    if (publicKey.includes("\uFFFD")) {
      throw new EncryptionError(
        "*key quest: publicKey arrived as a msgpack str that is not valid UTF-8 and was decoded lossily; decode the raw payload with decodeKeyQuestPayload",
      );
    }
    keyBytes = Buffer.from(publicKey, "utf8");
  }
  return checkKeyQuest(keyBytes, fields["streamMode"], fields["bits"], curve, publicKey);
}

/**
 * Decodes the raw msgpack payload of a `*key` quest: publicKey as bin or as str (raw bytes, C++ peers),
 * streamMode a bool, bits an integer; other keys are skipped. Absent streamMode/bits mean false/128.
 */
export function decodeKeyQuestPayload(payload: Uint8Array, curveName: CurveName): KeyQuestPayload {
  const curve = resolveCurve(curveName);
  const reader = new MsgpackReader(payload);
  const entries = reader.mapHeader();
  let publicKey: Uint8Array | WrongType | undefined;
  let streamMode: boolean | WrongType | undefined;
  let bits: number | WrongType | undefined;
  for (let i = 0; i < entries; i++) {
    const name = reader.keyName();
    if (name === "publicKey") publicKey = reader.bytes();
    else if (name === "streamMode") streamMode = reader.bool();
    else if (name === "bits") bits = reader.integer();
    else reader.skip();
  }
  if (!reader.atEnd()) throw new EncryptionError("*key quest: bytes after the payload map");
  return checkKeyQuest(publicKey instanceof Uint8Array ? publicKey : undefined, streamMode, bits, curve, publicKey);
}

/** A field of the wrong msgpack type, kept for the error message. */
class WrongType {
  constructor(readonly type: number) {}

  toString(): string {
    return `msgpack type 0x${this.type.toString(16)}`;
  }
}

function describe(value: unknown): string {
  if (value instanceof WrongType) return value.toString();
  if (typeof value === "string") return `string ${JSON.stringify(value.slice(0, 20))}`;
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return `${typeof value} ${String(value)}`;
}

function checkKeyQuest(publicKey: Uint8Array | undefined, streamMode: unknown, bits: unknown, curve: Curve, original: unknown): KeyQuestPayload {
  if (publicKey === undefined) {
    throw new EncryptionError(
      original === undefined ? "*key quest: publicKey is missing" : `*key quest: publicKey must be bytes (bin or str), got ${describe(original)}`,
    );
  }
  const expected = 2 * curve.size;
  if (publicKey.length !== expected) {
    throw new EncryptionError(`*key quest: publicKey has ${publicKey.length} bytes, ${curve.name} needs ${expected} (raw X||Y)`);
  }
  if (streamMode !== undefined && typeof streamMode !== "boolean") {
    throw new EncryptionError(`*key quest: streamMode must be a bool, got ${describe(streamMode)}`);
  }
  const numericBits = typeof bits === "bigint" ? Number(bits) : bits;
  if (numericBits !== undefined && numericBits !== 128 && numericBits !== 256) {
    throw new EncryptionError(`*key quest: bits must be 128 or 256, got ${describe(bits)}`);
  }
  return { publicKey, streamMode: streamMode ?? false, bits: numericBits ?? 128 };
}

/** Reads only what a `*key` payload needs; every read is bounds-checked. */
class MsgpackReader {
  private offset = 0;

  constructor(private readonly data: Uint8Array) {}

  atEnd(): boolean {
    return this.offset === this.data.length;
  }

  mapHeader(): number {
    const type = this.byte();
    if (type >= 0x80 && type <= 0x8f) return type & 0x0f;
    if (type === 0xde) return this.uint(2);
    if (type === 0xdf) return this.uint(4);
    throw new EncryptionError("*key quest: the payload is not a map");
  }

  /** A str key as text, or undefined (after skipping it) for any other key type. */
  keyName(): string | undefined {
    const length = this.strLength(this.peek());
    if (length === undefined) {
      this.skip();
      return undefined;
    }
    return Buffer.from(this.take(length)).toString("utf8");
  }

  bytes(): Uint8Array | WrongType {
    const type = this.peek();
    let length = this.strLength(type);
    if (length === undefined && type >= 0xc4 && type <= 0xc6) {
      this.offset++;
      length = this.uint(1 << (type - 0xc4));
    }
    if (length === undefined) {
      this.skip();
      return new WrongType(type);
    }
    return this.take(length);
  }

  bool(): boolean | WrongType {
    const type = this.peek();
    if (type === 0xc2 || type === 0xc3) {
      this.offset++;
      return type === 0xc3;
    }
    this.skip();
    return new WrongType(type);
  }

  integer(): number | WrongType {
    const type = this.byte();
    if (type <= 0x7f) return type;
    if (type >= 0xe0) return type - 0x100;
    if (type >= 0xcc && type <= 0xcf) return this.uint(1 << (type - 0xcc));
    if (type >= 0xd0 && type <= 0xd3) {
      const size = 1 << (type - 0xd0);
      const value = this.uint(size);
      return value >= 2 ** (8 * size - 1) ? value - 2 ** (8 * size) : value;
    }
    this.offset--;
    this.skip();
    return new WrongType(type);
  }

  /** Skips one value of any type, containers included, without recursion. */
  skip(): void {
    let pending = 1;
    while (pending > 0) {
      pending--;
      const type = this.byte();
      if (type <= 0x7f || type >= 0xe0 || type === 0xc0 || type === 0xc2 || type === 0xc3) continue;
      if (type <= 0x8f) pending += 2 * (type & 0x0f);
      else if (type <= 0x9f) pending += type & 0x0f;
      else if (type <= 0xbf) this.take(type & 0x1f);
      else if (type >= 0xc4 && type <= 0xc6) this.take(this.uint(1 << (type - 0xc4)));
      else if (type >= 0xc7 && type <= 0xc9) this.take(this.uint(1 << (type - 0xc7)) + 1);
      else if (type === 0xca) this.take(4);
      else if (type === 0xcb) this.take(8);
      else if (type >= 0xcc && type <= 0xcf) this.take(1 << (type - 0xcc));
      else if (type >= 0xd0 && type <= 0xd3) this.take(1 << (type - 0xd0));
      else if (type >= 0xd4 && type <= 0xd8) this.take(1 + (1 << (type - 0xd4)));
      else if (type >= 0xd9 && type <= 0xdb) this.take(this.uint(1 << (type - 0xd9)));
      else if (type === 0xdc || type === 0xdd) pending += this.uint(type === 0xdc ? 2 : 4);
      else if (type === 0xde || type === 0xdf) pending += 2 * this.uint(type === 0xde ? 2 : 4);
      else throw new EncryptionError(`*key quest: invalid msgpack type byte 0x${type.toString(16)}`);
    }
  }

  private strLength(type: number): number | undefined {
    if (type >= 0xa0 && type <= 0xbf) {
      this.offset++;
      return type & 0x1f;
    }
    if (type >= 0xd9 && type <= 0xdb) {
      this.offset++;
      return this.uint(1 << (type - 0xd9));
    }
    return undefined;
  }

  private peek(): number {
    const value = this.data[this.offset];
    if (value === undefined) throw truncated();
    return value;
  }

  private byte(): number {
    const value = this.peek();
    this.offset++;
    return value;
  }

  /** Big-endian unsigned integer of 1, 2, 4 or 8 bytes (8-byte values only need to compare correctly). */
  private uint(size: number): number {
    let value = 0;
    for (const byte of this.take(size)) value = value * 256 + byte;
    return value;
  }

  private take(length: number): Uint8Array {
    const end = this.offset + length;
    if (end > this.data.length) throw truncated();
    const slice = this.data.subarray(this.offset, end);
    this.offset = end;
    return slice;
  }
}

function truncated(): EncryptionError {
  return new EncryptionError("*key quest: the payload is truncated");
}
