/**
 * Steps over msgpack values without decoding them: each value's header is read through the cursor
 * and its body skipped, so nothing is materialised and nothing is allocated per value.
 *
 * Framing is plain msgpack: an ext is its header, type and data. (msgpackr's own extensions, such as
 * its Error 0x65 or Set 0x73, go on to read the values after their data; bytes framed that way do not
 * frame as plain msgpack, and come out as truncated or with trailing bytes here.)
 */

import { MsgpackReadError, type ReadCursor } from "./cursor.js";

/** Which limit a value passed. */
export type LimitPassed = "entries" | "depth";

/**
 * Bytes after the type byte of the values whose size the type byte tells (ints, floats, nil, bools,
 * fixstr, fixext); -1 for the others (containers, str/bin/ext 8..32, 0xc1).
 */
const FIXED_BODY = new Int8Array(256).fill(-1);
for (let b = 0; b < 0x80; b++) FIXED_BODY[b] = 0; // positive fixint
for (let b = 0xe0; b < 0x100; b++) FIXED_BODY[b] = 0; // negative fixint
for (let b = 0xa0; b < 0xc0; b++) FIXED_BODY[b] = b & 0x1f; // fixstr
for (const [b, size] of [
  [0xc0, 0], [0xc2, 0], [0xc3, 0], // nil, false, true
  [0xcc, 1], [0xd0, 1], [0xcd, 2], [0xd1, 2], [0xca, 4], [0xce, 4], [0xd2, 4], [0xcb, 8], [0xcf, 8], [0xd3, 8], // numbers
  [0xd4, 2], [0xd5, 3], [0xd6, 5], [0xd7, 9], [0xd8, 17], // fixext 1..16: type, data
] as const) FIXED_BODY[b] = size;

/** Pending value counts of the enclosing containers, reused across calls (a skip runs to completion); grown on demand. */
let stack: Float64Array = new Float64Array(64);
/** Levels of stack kept for the next skip. */
const KEPT_STACK = 1024;

/**
 * Steps the cursor over the one value at it and everything in it. Returns undefined, or which limit it
 * passed as soon as that is known: more than maxEntries map entries and array elements counted at every
 * depth, or containers nested deeper than maxDepth (a top-level container is level 1). A container's
 * declared size counts as soon as its header is read. Throws MsgpackReadError for truncated bytes and 0xc1.
 */
export function skipValue(cursor: ReadCursor, maxEntries = Infinity, maxDepth = Infinity): LimitPassed | undefined {
  let pendingAbove = stack;
  let depth = 0;
  let pending = 1; // values still to read at this depth
  let entries = 0;
  for (;;) {
    if (pending === 0) {
      if (depth === 0) return undefined;
      pending = pendingAbove[--depth]!;
      continue;
    }
    pending--;
    const b = cursor.byte();
    const body = FIXED_BODY[b]!;
    if (body >= 0) {
      cursor.skip(body);
      continue;
    }
    let count: number; // the container's map entries or array elements
    let values: number; // the values in it: 2 per map entry
    if (b < 0xa0) {
      count = b & 0x0f;
      values = b < 0x90 ? 2 * count : count; // fixmap, fixarray
    } else {
      switch (b) {
        case 0xc4: // bin 8
        case 0xd9: // str 8
          cursor.skip(cursor.byte());
          continue;
        case 0xc5: // bin 16
        case 0xda: // str 16
          cursor.skip(cursor.uint16());
          continue;
        case 0xc6: // bin 32
        case 0xdb: // str 32
          cursor.skip(cursor.uint32());
          continue;
        case 0xc7: // ext 8: length, type, data
          cursor.skip(1 + cursor.byte());
          continue;
        case 0xc8: // ext 16
          cursor.skip(1 + cursor.uint16());
          continue;
        case 0xc9: // ext 32
          cursor.skip(1 + cursor.uint32());
          continue;
        case 0xdc: // array 16
          count = values = cursor.uint16();
          break;
        case 0xdd: // array 32
          count = values = cursor.uint32();
          break;
        case 0xde: // map 16
          count = cursor.uint16();
          values = 2 * count;
          break;
        case 0xdf: // map 32
          count = cursor.uint32();
          values = 2 * count;
          break;
        default: // 0xc1, the one byte msgpack never uses (every other one is handled above)
          throw new MsgpackReadError("0xc1");
      }
    }
    entries += count;
    if (entries > maxEntries) return "entries";
    if (depth >= maxDepth) return "depth";
    if (values === 0) continue;
    if (depth === pendingAbove.length) {
      pendingAbove = grown(pendingAbove);
      if (pendingAbove.length <= KEPT_STACK) stack = pendingAbove; // a deeper one is not kept beyond this skip
    }
    pendingAbove[depth++] = pending;
    pending = values;
  }
}

function grown(old: Float64Array): Float64Array {
  const bigger = new Float64Array(old.length * 2);
  bigger.set(old);
  return bigger;
}
