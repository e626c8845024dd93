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

/**
 * Whole size of the values whose size the first byte tells (ints, floats, nil, bools, fixstr, fixext),
 * 0 for the others (containers, str/bin/ext 8..32, 0xc1).
 */
const FIXED_SIZE = new Uint8Array(256);
for (let b = 0; b < 0x80; b++) FIXED_SIZE[b] = 1; // positive fixint
for (let b = 0xe0; b < 0x100; b++) FIXED_SIZE[b] = 1; // negative fixint
for (let b = 0xa0; b < 0xc0; b++) FIXED_SIZE[b] = 1 + (b & 0x1f); // fixstr
for (const [b, size] of [
  [0xc0, 1], [0xc2, 1], [0xc3, 1], // nil, false, true
  [0xcc, 2], [0xd0, 2], [0xcd, 3], [0xd1, 3], [0xca, 5], [0xce, 5], [0xd2, 5], [0xcb, 9], [0xcf, 9], [0xd3, 9], // numbers
  [0xd4, 3], [0xd5, 4], [0xd6, 6], [0xd7, 10], [0xd8, 18], // fixext 1..16: type, data
] as const) FIXED_SIZE[b] = size;

// What walk() answers instead of a position.
const TRUNCATED = -1;
const NEVER_USED = -2;
const TOO_MANY = -3;
const TOO_DEEP = -4;

/** Pending value counts of the enclosing containers, reused across calls (walk() runs to completion); grown on demand. */
let stack: Float64Array = new Float64Array(64);
/** Levels of stack kept for the next walk. */
const KEPT_STACK = 1024;

/**
 * Steps over the one value at bytes[at] and everything in it: the position after it, or TRUNCATED,
 * NEVER_USED (0xc1), TOO_MANY (more than maxEntries map entries and array elements) or TOO_DEEP
 * (containers nested deeper than maxDepth), as soon as that is known. Each byte it reads is inside [at, end).
 */
function walk(bytes: Uint8Array, at: number, end: number, maxEntries: number, maxDepth: number): number {
  let pendingAbove = stack;
  let depth = 0;
  let pending = 1; // values still to read at this depth
  let entries = 0;
  for (;;) {
    if (pending === 0) {
      if (depth === 0) return at;
      pending = pendingAbove[--depth]!;
      continue;
    }
    pending--;
    if (at >= end) return TRUNCATED;
    const b = bytes[at]!;
    const size = FIXED_SIZE[b]!;
    if (size !== 0) {
      at += size;
      if (at > end) return TRUNCATED;
      continue;
    }
    let count = 0; // the container's map entries or array elements
    let values = 0; // the values in it: 2 per map entry
    if (b < 0xa0) {
      count = b & 0x0f;
      values = b < 0x90 ? 2 * count : count; // fixmap, fixarray
      at++;
    } else {
      let length = -1; // of a str, bin or ext body after its header (an ext's type byte included)
      switch (b) {
        case 0xc4: // bin 8
        case 0xd9: // str 8
          if (at + 2 > end) return TRUNCATED;
          length = bytes[at + 1]!;
          at += 2;
          break;
        case 0xc5: // bin 16
        case 0xda: // str 16
          if (at + 3 > end) return TRUNCATED;
          length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
          at += 3;
          break;
        case 0xc6: // bin 32
        case 0xdb: // str 32
          if (at + 5 > end) return TRUNCATED;
          length = uint32(bytes, at + 1);
          at += 5;
          break;
        case 0xc7: // ext 8: length, type, data
          if (at + 2 > end) return TRUNCATED;
          length = 1 + bytes[at + 1]!;
          at += 2;
          break;
        case 0xc8: // ext 16
          if (at + 3 > end) return TRUNCATED;
          length = 1 + ((bytes[at + 1]! << 8) | bytes[at + 2]!);
          at += 3;
          break;
        case 0xc9: // ext 32
          if (at + 5 > end) return TRUNCATED;
          length = 1 + uint32(bytes, at + 1);
          at += 5;
          break;
        case 0xdc: // array 16
        case 0xde: // map 16
          if (at + 3 > end) return TRUNCATED;
          count = (bytes[at + 1]! << 8) | bytes[at + 2]!;
          values = b === 0xde ? 2 * count : count;
          at += 3;
          break;
        case 0xdd: // array 32
        case 0xdf: // map 32
          if (at + 5 > end) return TRUNCATED;
          count = uint32(bytes, at + 1);
          values = b === 0xdf ? 2 * count : count;
          at += 5;
          break;
        default: // 0xc1, the one byte msgpack never uses (every other one is handled above)
          return NEVER_USED;
      }
      if (length >= 0) {
        at += length;
        if (at > end) return TRUNCATED;
        continue;
      }
    }
    entries += count;
    if (entries > maxEntries) return TOO_MANY;
    if (depth >= maxDepth) return TOO_DEEP;
    if (values === 0) continue;
    if (depth === pendingAbove.length) {
      pendingAbove = grown(pendingAbove);
      if (pendingAbove.length <= KEPT_STACK) stack = pendingAbove; // a deeper one is not kept beyond this walk
    }
    pendingAbove[depth++] = pending;
    pending = values;
  }
}

function uint32(bytes: Uint8Array, at: number): number {
  return bytes[at]! * 0x100_0000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function grown(old: Float64Array): Float64Array {
  const bigger = new Float64Array(old.length * 2);
  bigger.set(old);
  return bigger;
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
  const after = walk(bytes, start, end, limits.maxEntries, limits.maxDepth);
  switch (after) {
    case TRUNCATED:
      return "truncated";
    case NEVER_USED:
      return "malformed: 0xc1 is never used";
    case TOO_MANY:
    case TOO_DEEP:
      return limitPassed(after, limits);
    default:
      return after === end ? undefined : "trailing bytes after the value";
  }
}

/**
 * Like checkPayloadShape, but answers only for the limits: bytes that do not frame as plain msgpack are left
 * to the decoder, which judges well-formedness (and frames msgpackr's own extensions its way).
 */
export function exceedsPayloadLimits(bytes: Uint8Array, start: number, end: number, limits: PayloadShapeLimits): string | undefined {
  checkRange(bytes, start, end);
  const after = walk(bytes, start, end, limits.maxEntries, limits.maxDepth);
  return after === TOO_MANY || after === TOO_DEEP ? limitPassed(after, limits) : undefined;
}

function limitPassed(after: typeof TOO_MANY | typeof TOO_DEEP, limits: PayloadShapeLimits): string {
  return after === TOO_MANY ? `more than ${limits.maxEntries} map entries and array elements` : `nested deeper than ${limits.maxDepth} levels`;
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
  const b = bytes[start]!;
  let entries: number;
  let at: number;
  if ((b & 0xf0) === 0x80) {
    entries = b & 0x0f;
    at = start + 1;
  } else if (b === 0xde && start + 3 <= end) {
    entries = (bytes[start + 1]! << 8) | bytes[start + 2]!;
    at = start + 3;
  } else if (b === 0xdf && start + 5 <= end) {
    entries = uint32(bytes, start + 1);
    at = start + 5;
  } else {
    return undefined;
  }
  const wanted = keyBytes(key);
  let found: Uint8Array | undefined;
  for (let i = 0; i < entries; i++) {
    const keyStart = strStart(bytes, at, end);
    at = walk(bytes, at, end, Infinity, Infinity);
    if (at < 0) return undefined;
    const isKey = keyStart >= 0 && at - keyStart === wanted.length && sameBytes(bytes, keyStart, wanted);
    const valueStart = isKey ? strStart(bytes, at, end) : -1;
    const valueEnd = walk(bytes, at, end, Infinity, Infinity);
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
