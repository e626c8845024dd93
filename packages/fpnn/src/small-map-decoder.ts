/**
 * Fast path for the common answer: a small flat map whose keys are short ASCII strings and whose
 * values are integers, booleans, nil or short ASCII strings (`{mtime}`, `{ts}`, `{code, ex}`).
 * msgpackr's general decoder costs several times more for such a map (state set-up, native string
 * extraction); anything else returns `undefined` and goes to msgpackr, so the results are always
 * what msgpackr (plain msgpack, int64AsType "auto") would give.
 */

const MAX_ENTRIES = 15; // fixmap only
const MAX_STRING = 64;
/**
 * msgpackr's "auto" int64 rule: a number while |value| <= 2^53, else a bigint (left to msgpackr).
 * Checked on the high word: the sum of the two words would round.
 */
const HIGH_LIMIT = 0x20_0000; // 2^53 / 2^32
const TWO_32 = 0x1_0000_0000;

/** Direct-mapped cache of decoded keys: the same few keys come back in every answer. */
const KEY_SLOTS = 64;
const keyBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KEY_SLOTS).fill(undefined);
const keyStrings: string[] = new Array<string>(KEY_SLOTS).fill("");

/** Decodes bytes[start, end) when it is such a map filling the range exactly; otherwise undefined. */
export function decodeSmallMap(bytes: Uint8Array, start: number, end: number): Record<string, unknown> | undefined {
  const head = bytes[start]!;
  if ((head & 0xf0) !== 0x80) return undefined;
  const count = head & 0x0f;
  if (count > MAX_ENTRIES) return undefined;
  const map: Record<string, unknown> = {};
  let at = start + 1;
  for (let i = 0; i < count; i++) {
    if (at >= end) return undefined;
    const keyHead = bytes[at]!;
    if ((keyHead & 0xe0) !== 0xa0) return undefined; // keys: fixstr only
    const keyLength = keyHead & 0x1f;
    const keyStart = at + 1;
    at = keyStart + keyLength;
    if (at >= end || keyLength === 0) return undefined;
    const key = keyOf(bytes, keyStart, keyLength);
    if (key === undefined) return undefined;
    const type = bytes[at++]!;
    let value: unknown;
    if (type < 0x80) value = type;
    else if (type >= 0xe0) value = type - 0x100;
    else if ((type & 0xe0) === 0xa0) {
      const length = type & 0x1f;
      if (at + length > end) return undefined;
      value = asciiString(bytes, at, length);
      if (value === undefined) return undefined;
      at += length;
    } else {
      switch (type) {
        case 0xc0:
          value = null;
          break;
        case 0xc2:
          value = false;
          break;
        case 0xc3:
          value = true;
          break;
        case 0xcc:
          if (at + 1 > end) return undefined;
          value = bytes[at];
          at += 1;
          break;
        case 0xcd:
          if (at + 2 > end) return undefined;
          value = (bytes[at]! << 8) | bytes[at + 1]!;
          at += 2;
          break;
        case 0xce:
          if (at + 4 > end) return undefined;
          value = uint32(bytes, at);
          at += 4;
          break;
        case 0xcf: {
          if (at + 8 > end) return undefined;
          const high = uint32(bytes, at);
          const low = uint32(bytes, at + 4);
          if (high > HIGH_LIMIT || (high === HIGH_LIMIT && low !== 0)) return undefined; // a bigint: msgpackr's job
          value = high * TWO_32 + low;
          at += 8;
          break;
        }
        case 0xd0:
          if (at + 1 > end) return undefined;
          value = (bytes[at]! << 24) >> 24;
          at += 1;
          break;
        case 0xd1:
          if (at + 2 > end) return undefined;
          value = (((bytes[at]! << 8) | bytes[at + 1]!) << 16) >> 16;
          at += 2;
          break;
        case 0xd2:
          if (at + 4 > end) return undefined;
          value = uint32(bytes, at) | 0;
          at += 4;
          break;
        case 0xd3: {
          if (at + 8 > end) return undefined;
          const high = uint32(bytes, at) | 0;
          const low = uint32(bytes, at + 4);
          if (high >= HIGH_LIMIT ? high > HIGH_LIMIT || low !== 0 : high < -HIGH_LIMIT) return undefined;
          value = high * TWO_32 + low;
          at += 8;
          break;
        }
        default:
          return undefined;
      }
    }
    map[key] = value;
  }
  return at === end ? map : undefined;
}

function uint32(bytes: Uint8Array, at: number): number {
  return bytes[at]! * 0x100_0000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
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
