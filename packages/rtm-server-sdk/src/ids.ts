/**
 * Salts and mids: unique positive int64 values, `milliseconds * 1000 + sequence`.
 * The value is strictly increasing within the process: when more than 1000 ids are taken in one
 * millisecond (over 1M/s) it runs ahead of the clock instead of wrapping, so it never repeats.
 * It stays a safe integer until the year 2255, so it is a plain number: the FPNN encoder writes
 * integral numbers above 2^32 as msgpack integers, and no bigint is allocated per call.
 */
let last = 0;

export function nextId(nowMs: number = Date.now()): number {
  const now = nowMs * 1000;
  last = now > last ? now : last + 1;
  return last;
}

/** The id generators an IDL `filled` field can name; they take the current time so that a call reads the clock once. */
export const idGenerators: Readonly<Record<string, (nowMs: number) => number>> = { mid: nextId, salt: nextId };
