/**
 * Fast path for the common answer: a small flat map whose keys are short ASCII strings and whose
 * values are integers up to 2^53, booleans, nil or short ASCII strings (`{mtime}`, `{ts}`, `{code, ex}`).
 * msgpackr's general decoder costs several times more for such a map (state set-up, native string
 * extraction); anything else returns `undefined` and goes to msgpackr, so the results are always
 * what msgpackr (plain msgpack, int64AsType "auto") would give.
 */

import { MsgpackReadError, ReadCursor } from "./cursor.js";

const MAX_ENTRIES = 15;
const MAX_STRING = 64;

/** Direct-mapped cache of decoded keys: the same few keys come back in every answer. */
const KEY_SLOTS = 64;
const keyBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KEY_SLOTS).fill(undefined);
const keyStrings: string[] = new Array<string>(KEY_SLOTS).fill("");

const cursor = new ReadCursor();

/** Decodes bytes[start, end) when it is such a map filling the range exactly; otherwise undefined. */
export function decodeSmallMap(bytes: Uint8Array, start: number, end: number): Record<string, unknown> | undefined {
  cursor.reset(bytes, start, end);
  try {
    return readMap();
  } catch (error) {
    if (error instanceof MsgpackReadError) return undefined;
    throw error;
  }
}

function readMap(): Record<string, unknown> | undefined {
  const count = cursor.mapHeader();
  if (count < 0 || count > MAX_ENTRIES) return undefined;
  const bytes = cursor.bytes;
  const map: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const keyLength = cursor.strHeader();
    if (keyLength <= 0) return undefined;
    const key = keyOf(bytes, cursor.skip(keyLength), keyLength);
    if (key === undefined) return undefined;
    const type = cursor.peek();
    let value: unknown;
    if (type === 0xc0 || type === 0xc2 || type === 0xc3) {
      cursor.at++;
      value = type === 0xc0 ? null : type === 0xc3;
    } else if ((type & 0xe0) === 0xa0 || (type >= 0xd9 && type <= 0xdb)) {
      const length = cursor.strHeader();
      value = asciiString(bytes, cursor.skip(length), length);
      if (value === undefined) return undefined;
    } else {
      value = cursor.integer();
      // Floats, bin, containers: msgpackr's job. So are bigints: it makes the same, and this path stays for the common answers.
      if (value === undefined || typeof value === "bigint") return undefined;
    }
    map[key] = value;
  }
  return cursor.atEnd() ? map : undefined;
}

/** A map key; undefined for non-ASCII and for "__proto__" (msgpackr renames it). */
function keyOf(bytes: Uint8Array, start: number, length: number): string | undefined {
  const slot = (length * 31 + bytes[start]! * 7 + bytes[start + length - 1]!) & (KEY_SLOTS - 1);
  const cached = keyBytes[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return keyStrings[slot];
  }
  const key = asciiString(bytes, start, length);
  if (key === undefined || key === "__proto__") return undefined;
  keyBytes[slot] = bytes.slice(start, start + length);
  keyStrings[slot] = key;
  return key;
}

function asciiString(bytes: Uint8Array, start: number, length: number): string | undefined {
  if (length > MAX_STRING) return undefined;
  let text = "";
  for (let i = start; i < start + length; i++) {
    const code = bytes[i]!;
    if (code >= 0x80) return undefined;
    text += String.fromCharCode(code);
  }
  return text;
}
