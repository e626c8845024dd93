/**
 * Walks msgpack bytes without decoding them: a bounds-checked cursor that reads each value's header
 * and steps over its body, so nothing is materialised and nothing is allocated per value.
 *
 * msgpackr has nothing for this: it has no option to hand a str over as its raw bytes (it decodes
 * invalid UTF-8 lossily, to U+FFFD) and no limits on entries or depth; its structure scanner (scan.js,
 * used for values split across stream chunks) is internal and counts nothing.
 *
 * Framing is plain msgpack: an ext is its header, type and data. (msgpackr's own extensions, such as
 * its Error 0x65 or Set 0x73, go on to read the values after their data; bytes framed that way do not
 * frame as plain msgpack, and come out as truncated or with trailing bytes here.)
 */

export interface PayloadShapeLimits {
  readonly maxEntries: number;
  readonly maxDepth: number;
}

const TRUNCATED = "truncated";
const NEVER_USED = "malformed: 0xc1 is never used";
const TRAILING = "trailing bytes after the value";

// What step() read, handed back through module state so that no result object is made per value.
// Safe: every function here runs to completion synchronously.
/** Values the value at hand contains: 0 for a scalar, n for an array of n, 2n for a map of n entries. */
let childValues = 0;
/** 0: a scalar (str, bin, ext, number, ...), 1: an array, 2: a map. */
let container = 0;

/** Pending value counts of the enclosing containers, reused across calls; grown on demand. */
let stack: Float64Array = new Float64Array(64);

/**
 * Steps over the header of the value at bytes[at] and, for a scalar, its body. Answers the position
 * after them, -1 when they run past `end`, -2 for 0xc1. Sets `container` and `childValues`.
 */
function step(bytes: Uint8Array, at: number, end: number): number {
  const b = bytes[at]!;
  container = 0;
  childValues = 0;
  if (b < 0x80 || b >= 0xe0) return at + 1; // positive and negative fixint
  if (b < 0x90) {
    container = 2;
    childValues = 2 * (b & 0x0f);
    return at + 1;
  }
  if (b < 0xa0) {
    container = 1;
    childValues = b & 0x0f;
    return at + 1;
  }
  let next: number;
  if (b < 0xc0) {
    next = at + 1 + (b & 0x1f); // fixstr
    return next > end ? -1 : next;
  }
  switch (b) {
    case 0xc0: // nil
    case 0xc2: // false
    case 0xc3: // true
      return at + 1;
    case 0xc1:
      return -2;
    case 0xc4: // bin 8
    case 0xd9: // str 8
      if (at + 2 > end) return -1;
      next = at + 2 + bytes[at + 1]!;
      break;
    case 0xc5: // bin 16
    case 0xda: // str 16
      if (at + 3 > end) return -1;
      next = at + 3 + ((bytes[at + 1]! << 8) | bytes[at + 2]!);
      break;
    case 0xc6: // bin 32
    case 0xdb: // str 32
      if (at + 5 > end) return -1;
      next = at + 5 + uint32(bytes, at + 1);
      break;
    case 0xc7: // ext 8: length, type, data
      if (at + 2 > end) return -1;
      next = at + 3 + bytes[at + 1]!;
      break;
    case 0xc8: // ext 16
      if (at + 3 > end) return -1;
      next = at + 4 + ((bytes[at + 1]! << 8) | bytes[at + 2]!);
      break;
    case 0xc9: // ext 32
      if (at + 5 > end) return -1;
      next = at + 6 + uint32(bytes, at + 1);
      break;
    case 0xcc: // uint 8
    case 0xd0: // int 8
      next = at + 2;
      break;
    case 0xcd: // uint 16
    case 0xd1: // int 16
      next = at + 3;
      break;
    case 0xca: // float 32
    case 0xce: // uint 32
    case 0xd2: // int 32
      next = at + 5;
      break;
    case 0xcb: // float 64
    case 0xcf: // uint 64
    case 0xd3: // int 64
      next = at + 9;
      break;
    case 0xd4: // fixext 1: type, data
      next = at + 3;
      break;
    case 0xd5: // fixext 2
      next = at + 4;
      break;
    case 0xd6: // fixext 4
      next = at + 6;
      break;
    case 0xd7: // fixext 8
      next = at + 10;
      break;
    case 0xd8: // fixext 16
      next = at + 18;
      break;
    case 0xdc: // array 16
    case 0xde: // map 16
      if (at + 3 > end) return -1;
      container = b === 0xdc ? 1 : 2;
      childValues = container * ((bytes[at + 1]! << 8) | bytes[at + 2]!);
      return at + 3;
    default: // 0xdd array 32, 0xdf map 32 (every other byte is handled above)
      if (at + 5 > end) return -1;
      container = b === 0xdd ? 1 : 2;
      childValues = container * uint32(bytes, at + 1);
      return at + 5;
  }
  return next > end ? -1 : next;
}

function uint32(bytes: Uint8Array, at: number): number {
  return bytes[at]! * 0x100_0000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function checkRange(bytes: Uint8Array, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > bytes.length) {
    throw new RangeError(`msgpack range [${start}, ${end}) is not inside the ${bytes.length} bytes given`);
  }
}

/**
 * Walks the msgpack value at bytes[start, end) without decoding it and returns undefined when it is well within limits,
 * or a short reason ("more than 65536 map entries and array elements", "nested deeper than 32 levels", "truncated")
 * as soon as a limit is passed. Counts every map entry and array element at every depth; stops at the first excess,
 * so its cost is bounded by maxEntries, not by the payload size.
 *
 * A container's declared size counts as soon as its header is read (a map 32 header claiming 4 billion
 * entries is refused at once). Depth: a top-level map or array is level 1, a container inside it level 2.
 * Malformed input gets a reason too (0xc1, bytes left after the value). Throws only a RangeError for a
 * range outside `bytes`.
 */
export function checkPayloadShape(bytes: Uint8Array, start: number, end: number, limits: PayloadShapeLimits): string | undefined {
  checkRange(bytes, start, end);
  const { maxEntries, maxDepth } = limits;
  let pendingAbove: Float64Array = stack;
  let at = start;
  let depth = 0;
  let pending = 1; // values still to read at this depth
  let entries = 0;
  for (;;) {
    if (pending === 0) {
      if (depth === 0) break;
      pending = pendingAbove[--depth]!;
      continue;
    }
    pending--;
    if (at >= end) return TRUNCATED;
    at = step(bytes, at, end);
    if (at < 0) return at === -1 ? TRUNCATED : NEVER_USED;
    if (container === 0) continue;
    entries += container === 1 ? childValues : childValues / 2;
    if (entries > maxEntries) return `more than ${maxEntries} map entries and array elements`;
    if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (childValues === 0) continue;
    if (depth === pendingAbove.length) pendingAbove = stack = grown(pendingAbove);
    pendingAbove[depth++] = pending;
    pending = childValues;
  }
  return at === end ? undefined : TRAILING;
}

function grown(old: Float64Array): Float64Array {
  const bigger = new Float64Array(old.length * 2);
  bigger.set(old);
  return bigger;
}

/** Position after the value at bytes[at], or -1 when it is truncated or malformed. Bounded by the bytes: every value takes at least one. */
function skipValue(bytes: Uint8Array, at: number, end: number): number {
  let pending = 1;
  while (pending > 0) {
    if (at >= end) return -1;
    at = step(bytes, at, end);
    if (at < 0) return -1;
    pending += childValues - 1;
  }
  return at;
}

/**
 * The raw bytes of the value of top-level map key `key` when it is a msgpack str (fixstr/str8/16/32), else undefined.
 *
 * The answer is a view into `bytes` (copy it to keep it beyond the life of the buffer). A key that
 * occurs more than once counts by its last entry, as in a decoder that builds an object (msgpackr).
 * Undefined too when the value at `start` is not a map, or the map is truncated or malformed.
 */
export function topLevelStrBytes(bytes: Uint8Array, start: number, end: number, key: string): Uint8Array | undefined {
  checkRange(bytes, start, end);
  if (start >= end) return undefined;
  let at = step(bytes, start, end);
  if (at < 0 || container !== 2) return undefined;
  const entries = childValues / 2;
  const wanted = keyBytes(key);
  let found: Uint8Array | undefined;
  for (let i = 0; i < entries; i++) {
    const keyStart = strStart(bytes, at, end);
    at = skipValue(bytes, at, end);
    if (at < 0) return undefined;
    const isKey = keyStart >= 0 && at - keyStart === wanted.length && sameBytes(bytes, keyStart, wanted);
    const valueStart = isKey ? strStart(bytes, at, end) : -1;
    const valueEnd = skipValue(bytes, at, end);
    if (valueEnd < 0) return undefined;
    if (isKey) found = valueStart < 0 ? undefined : bytes.subarray(valueStart, valueEnd);
    at = valueEnd;
  }
  return found;
}

/** Where the body of the str at bytes[at] starts, or -1 when it is not a (complete) str header. */
function strStart(bytes: Uint8Array, at: number, end: number): number {
  if (at >= end) return -1;
  const b = bytes[at]!;
  if ((b & 0xe0) === 0xa0) return at + 1;
  const headerLength = b === 0xd9 ? 2 : b === 0xda ? 3 : b === 0xdb ? 5 : 0;
  return headerLength === 0 || at + headerLength > end ? -1 : at + headerLength;
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
