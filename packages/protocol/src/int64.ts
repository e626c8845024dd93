/**
 * The int64 policy of rtmkit, in one place. Callers pass a bigint or a number that is a safe integer;
 * decoded msgpack carries small integers as number and large ones as bigint; checked values come out
 * as bigint.
 */

/** A 64-bit integer as a caller passes it: a bigint, or a number that is a safe integer. Results carry bigint. */
export type Int64 = bigint | number;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** How an argument error words a value that is not an int64. */
export const INT64_EXPECTED = "expected an int64 (a bigint, or a number that is a safe integer)";

/** Whether a value is an int64 a caller may pass. */
export function isInt64(value: unknown): value is Int64 {
  return typeof value === "bigint" ? value >= INT64_MIN && value <= INT64_MAX : Number.isSafeInteger(value);
}

/** An int64 as bigint, or undefined when the value is not one. */
export function toBigInt64(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
  return Number.isSafeInteger(value) ? BigInt(value as number) : undefined;
}

/** The range of a signed integer of `bits` bits (8, 16 or 32). */
export function intRange(bits: 8 | 16 | 32): { readonly min: number; readonly max: number } {
  return { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 };
}

const DECIMAL = /^-?(0|[1-9][0-9]{0,18})$/;

/** Whether a text is the decimal form of an int64 (how RTM keys maps by uid or room id). */
export function isDecimalInt64(text: string): boolean {
  return DECIMAL.test(text) && isInt64(BigInt(text));
}
