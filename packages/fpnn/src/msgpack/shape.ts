/**
 * Limits on a payload's entries and depth, checked on its bytes before anything is decoded.
 *
 * msgpackr has nothing for this: it has no limits on entries or depth; its structure scanner (scan.js,
 * used for values split across stream chunks) is internal and counts nothing.
 */

import { MsgpackReadError, ReadCursor } from "./cursor.js";
import { skipValue, type LimitPassed } from "./skip.js";

export interface PayloadShapeLimits {
  readonly maxEntries: number;
  readonly maxDepth: number;
}

const cursor = new ReadCursor();

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
  cursor.reset(bytes, start, end);
  let passed: LimitPassed | undefined;
  try {
    passed = skipValue(cursor, limits.maxEntries, limits.maxDepth);
  } catch (error) {
    if (!(error instanceof MsgpackReadError)) throw error;
    return error.problem === "truncated" ? "truncated" : "malformed: 0xc1 is never used";
  }
  if (passed !== undefined) return limitPassed(passed, limits);
  return cursor.atEnd() ? undefined : "trailing bytes after the value";
}

/**
 * Like checkPayloadShape, but answers only for the limits: bytes that do not frame as plain msgpack are left
 * to the decoder, which judges well-formedness (and frames msgpackr's own extensions its way).
 */
export function exceedsPayloadLimits(bytes: Uint8Array, start: number, end: number, limits: PayloadShapeLimits): string | undefined {
  cursor.reset(bytes, start, end);
  let passed: LimitPassed | undefined;
  try {
    passed = skipValue(cursor, limits.maxEntries, limits.maxDepth);
  } catch (error) {
    if (error instanceof MsgpackReadError) return undefined;
    throw error;
  }
  return passed === undefined ? undefined : limitPassed(passed, limits);
}

function limitPassed(passed: LimitPassed, limits: PayloadShapeLimits): string {
  return passed === "entries" ? `more than ${limits.maxEntries} map entries and array elements` : `nested deeper than ${limits.maxDepth} levels`;
}
