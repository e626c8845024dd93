import { resolveCurve, type Curve, type CurveName } from "./curves.js";
import { EncryptionError } from "./errors.js";
import type { KeyBits } from "./session-keys.js";
import { MsgpackReadError, ReadCursor } from "../msgpack/cursor.js";
import { skipValue } from "../msgpack/skip.js";

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
  const cursor = new ReadCursor(payload);
  let fields: RawFields;
  try {
    fields = readFields(cursor);
  } catch (error) {
    if (!(error instanceof MsgpackReadError)) throw error;
    throw new EncryptionError(error.problem === "truncated" ? "*key quest: the payload is truncated" : "*key quest: invalid msgpack type byte 0xc1");
  }
  const { publicKey, streamMode, bits } = fields;
  return checkKeyQuest(publicKey instanceof Uint8Array ? publicKey : undefined, streamMode, bits, curve, publicKey);
}

interface RawFields {
  publicKey?: Uint8Array | WrongType;
  streamMode?: boolean | WrongType;
  bits?: number | bigint | WrongType;
}

function readFields(cursor: ReadCursor): RawFields {
  const entries = cursor.mapHeader();
  if (entries < 0) throw new EncryptionError("*key quest: the payload is not a map");
  const fields: RawFields = {};
  for (let i = 0; i < entries; i++) {
    const nameLength = cursor.strHeader();
    let name: string | undefined;
    if (nameLength >= 0) name = Buffer.from(cursor.take(nameLength)).toString("utf8");
    else skipValue(cursor); // a key of another type
    if (name === "publicKey") fields.publicKey = bytes(cursor);
    else if (name === "streamMode") fields.streamMode = bool(cursor);
    else if (name === "bits") fields.bits = cursor.integer() ?? wrongType(cursor);
    else skipValue(cursor);
  }
  if (!cursor.atEnd()) throw new EncryptionError("*key quest: bytes after the payload map");
  return fields;
}

/** A str (raw bytes, as C++ peers send it) or a bin. */
function bytes(cursor: ReadCursor): Uint8Array | WrongType {
  let length = cursor.strHeader();
  if (length < 0) length = cursor.binHeader();
  return length < 0 ? wrongType(cursor) : cursor.take(length);
}

function bool(cursor: ReadCursor): boolean | WrongType {
  const type = cursor.peek();
  if (type !== 0xc2 && type !== 0xc3) return wrongType(cursor);
  cursor.at++;
  return type === 0xc3;
}

/** Skips the value at the cursor and names its type. */
function wrongType(cursor: ReadCursor): WrongType {
  const type = cursor.peek();
  skipValue(cursor);
  return new WrongType(type);
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
