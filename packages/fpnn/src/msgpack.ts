import { Unpackr, type Options } from "msgpackr";
import { FpnnError } from "./errors.js";
import { FpnnErrorCode } from "./generated/error-codes.js";
import { MsgpackEncoder } from "./msgpack-encoder.js";
import { decodeSmallMap } from "./small-map-decoder.js";
import { StrBytes } from "./str-bytes.js";

export type Payload = Record<string, unknown>;

/**
 * The one msgpackr instance of the runtime, for decoding: plain msgpack (no records), maps as plain
 * objects, and 64-bit integers that decode to `number` while exact and to `bigint` beyond 2^53.
 * Encoding goes through MsgpackEncoder (same plain-msgpack rules, smallest integer encodings).
 */
const unpackr = new Unpackr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  mapsAsObjects: true,
  int64AsType: "auto",
} as Options & { int64AsType: "auto" } as unknown as Options);

const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const MAX_DEPTH = 64;

/** Empty payload on the wire: fixmap of size 0. */
export const EMPTY_MAP = Uint8Array.of(0x80);

const encoder = new MsgpackEncoder();

/**
 * Encodes a payload into the shared scratch encoder and returns it: the bytes are
 * encoder.buffer[0, encoder.length), valid until the next call (copy them before yielding).
 * Integral numbers go out as msgpack integers (never float64); `undefined` map values are left out.
 * Throws FpnnError 20005 naming the field for values plain msgpack cannot carry.
 */
export function encodePayload(payload: Payload): MsgpackEncoder {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload) || !isPlainObject(payload)) {
    throw encodingError("payload", `must be a plain object (a msgpack map), got ${describe(payload)}`);
  }
  try {
    encoder.encodeMap(payload);
  } catch (cause) {
    normaliseMap(payload, "payload", 0); // throws the error naming the field
    throw new FpnnError(FpnnErrorCode.CoreEncoding, `payload: cannot encode: ${(cause as Error).message}`, { cause });
  }
  return encoder;
}

/** Appends an encoded payload at encoder.length (the frame writer's staging buffer). Same errors as encodePayload(). */
export function appendPayload(target: MsgpackEncoder, payload: Payload): void {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload) || !isPlainObject(payload)) {
    throw encodingError("payload", `must be a plain object (a msgpack map), got ${describe(payload)}`);
  }
  try {
    target.appendMap(payload);
  } catch (cause) {
    normaliseMap(payload, "payload", 0);
    throw new FpnnError(FpnnErrorCode.CoreEncoding, `payload: cannot encode: ${(cause as Error).message}`, { cause });
  }
}

/** Encodes a payload into a buffer of its own. */
export function packPayload(payload: Payload): Buffer {
  const { buffer, length } = encodePayload(payload);
  return Buffer.from(buffer.subarray(0, length));
}

/** Encodes any msgpack value under the same rules (used by tests and tools). */
export function packValue(value: unknown): Buffer {
  try {
    encoder.encodeValue(value);
  } catch (cause) {
    normaliseValue(value, "value", 0);
    throw new FpnnError(FpnnErrorCode.CoreEncoding, `value: cannot encode: ${(cause as Error).message}`, { cause });
  }
  return Buffer.from(encoder.buffer.subarray(0, encoder.length));
}

/** Decodes a msgpack map payload. Throws FpnnError 20006 when it is not exactly one map. */
export function unpackPayload(bytes: Uint8Array): Payload {
  return unpackPayloadRange(bytes, 0, bytes.length);
}

/** Decodes the map payload in bytes[start, end) without making a view of it. */
export function unpackPayloadRange(bytes: Uint8Array, start: number, end: number): Payload {
  const first = start < end ? bytes[start] : undefined;
  const isMap = first !== undefined && ((first & 0xf0) === 0x80 || first === 0xde || first === 0xdf);
  if (!isMap) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, first === undefined ? "payload is empty" : `payload is not a msgpack map (first byte 0x${first.toString(16).padStart(2, "0")})`);
  }
  const small = decodeSmallMap(bytes, start, end);
  if (small !== undefined) return small;
  try {
    return unpackr.unpack(bytes as Buffer, { start, end }) as Payload;
  } catch (cause) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, `payload: malformed msgpack: ${(cause as Error).message}`, { cause });
  }
}

/** Decodes any msgpack value (used by tests and tools). */
export function unpackValue(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}

const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** JSON payloads (flag 0x40): decoded for peers that use them; never produced for our own quests. */
export function unpackJsonPayload(bytes: Uint8Array): Payload {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(bytes));
  } catch (cause) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, `payload: malformed JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, "payload is not a JSON object");
  }
  return value as Payload;
}

/** Answers to JSON quests are JSON; 64-bit integers are written as bare digits. */
export function packJsonPayload(payload: Payload): Buffer {
  let sawBigint = false;
  const text = JSON.stringify(normaliseMap(payload, "payload", 0), (_key, value: unknown) => {
    if (typeof value === "bigint") {
      sawBigint = true;
      return `\u0000n${value}`;
    }
    return value;
  });
  return Buffer.from(sawBigint ? text.replace(/"\\u0000n(-?\d+)"/g, "$1") : text, "utf8");
}

function normaliseMap(map: Payload, path: string, depth: number): Payload {
  if (typeof map !== "object" || map === null || Array.isArray(map) || !isPlainObject(map)) {
    throw encodingError(path, `must be a plain object (a msgpack map), got ${describe(map)}`);
  }
  let out: Payload | undefined;
  for (const key in map) {
    const value = map[key];
    if (value === undefined) {
      out ??= { ...map };
      delete out[key];
      continue;
    }
    // Fast path for the common scalars: nothing to change.
    const type = typeof value;
    if (type === "string" || type === "boolean" || (type === "number" && isSmallOrFloat(value as number))) continue;
    const normalised = normaliseValue(value, `${path}.${key}`, depth + 1);
    if (normalised !== value) {
      out ??= { ...map };
      out[key] = normalised;
    }
  }
  return out ?? map;
}

function normaliseValue(value: unknown, path: string, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return isSmallOrFloat(value) ? value : bigFromNumber(value, path);
    case "bigint":
      if (value < INT64_MIN || value > UINT64_MAX) throw encodingError(path, `${value} is outside the 64-bit integer range`);
      return value;
    case "undefined":
      return null;
    case "object": {
      if (value === null || value instanceof Uint8Array || value instanceof StrBytes) return value;
      if (depth > MAX_DEPTH) throw encodingError(path, `nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
      if (Array.isArray(value)) return normaliseArray(value, path, depth);
      if (value instanceof Map) return normaliseEntries(value, path, depth);
      if (value instanceof Set) return normaliseArray([...value], path, depth);
      if (isPlainObject(value)) return normaliseMap(value as Payload, path, depth);
      throw encodingError(path, `unsupported type ${describe(value)}`);
    }
    default:
      throw encodingError(path, `unsupported type ${typeof value}`);
  }
}

function normaliseArray(array: readonly unknown[], path: string, depth: number): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const value = array[i];
    const normalised = normaliseValue(value, `${path}[${i}]`, depth + 1);
    if (normalised !== value) {
      out ??= array.slice();
      out[i] = normalised;
    }
  }
  return out ?? (array as unknown[]);
}

function normaliseEntries(map: Map<unknown, unknown>, path: string, depth: number): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  for (const [key, value] of map) {
    const label = `${path}[${typeof key === "string" ? JSON.stringify(key) : String(key)}]`;
    out.set(normaliseValue(key, label, depth + 1), normaliseValue(value, label, depth + 1));
  }
  return out;
}

/** True when the number needs no 64-bit handling: a 32-bit integer or a genuine float. */
function isSmallOrFloat(value: number): boolean {
  return (value >= INT32_MIN && value <= UINT32_MAX) || !Number.isInteger(value);
}

function bigFromNumber(value: number, path: string): bigint {
  const big = BigInt(value);
  if (big < INT64_MIN || big > UINT64_MAX) throw encodingError(path, `${value} is outside the 64-bit integer range`);
  return big;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

function encodingError(path: string, problem: string): FpnnError {
  return new FpnnError(FpnnErrorCode.CoreEncoding, `${path}: ${problem}`);
}
