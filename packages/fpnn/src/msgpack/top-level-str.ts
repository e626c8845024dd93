import { MsgpackReadError, ReadCursor } from "./cursor.js";
import { skipValue } from "./skip.js";

const cursor = new ReadCursor();

/**
 * The raw bytes of the value of top-level map key `key` when it is a msgpack str (fixstr/str8/16/32), else undefined.
 *
 * The answer is a view into `bytes` (copy it to keep it beyond the life of the buffer). A key that
 * occurs more than once counts by its last entry, as in a decoder that builds an object (msgpackr).
 * Undefined too when the value at `start` is not a map, or the map is truncated or malformed.
 * Throws only a RangeError for a range outside `bytes`.
 */
export function topLevelStrBytes(bytes: Uint8Array, start: number, end: number, key: string): Uint8Array | undefined {
  cursor.reset(bytes, start, end);
  try {
    return find(keyBytes(key));
  } catch (error) {
    if (error instanceof MsgpackReadError) return undefined;
    throw error;
  }
}

function find(wanted: Uint8Array): Uint8Array | undefined {
  const entries = cursor.mapHeader();
  if (entries < 0) return undefined;
  let found: Uint8Array | undefined;
  for (let i = 0; i < entries; i++) {
    const keyLength = cursor.strHeader();
    let isKey = false;
    if (keyLength < 0) skipValue(cursor);
    else {
      const keyStart = cursor.skip(keyLength);
      isKey = keyLength === wanted.length && sameBytes(cursor.bytes, keyStart, wanted);
    }
    if (!isKey) {
      skipValue(cursor);
      continue;
    }
    const valueLength = cursor.strHeader();
    if (valueLength < 0) {
      skipValue(cursor);
      found = undefined;
    } else {
      found = cursor.take(valueLength);
    }
  }
  return found;
}

function sameBytes(bytes: Uint8Array, at: number, wanted: Uint8Array): boolean {
  for (let i = 0; i < wanted.length; i++) if (bytes[at + i] !== wanted[i]) return false;
  return true;
}

const encodedKeys = new Map<string, Uint8Array>();
const textEncoder = new TextEncoder();

/** The UTF-8 of a key; the few keys asked for are kept. */
function keyBytes(key: string): Uint8Array {
  let bytes = encodedKeys.get(key);
  if (bytes === undefined) {
    bytes = textEncoder.encode(key);
    if (encodedKeys.size < 64) encodedKeys.set(key, bytes);
  }
  return bytes;
}
