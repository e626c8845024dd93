/**
 * The 64-bit integer rules, both ways. Out: every integer in its smallest msgpack encoding, those
 * beyond 32 bits as uint64 (0xcf) when positive and int64 (0xd3) when negative, never float64 (FPNN
 * peers reject a float where they expect an integer; msgpackr's own encoder writes one above 2^32).
 * In: msgpackr's int64AsType "auto": a number while -2^53 <= value <= 2^53, else a bigint.
 */

export const UINT64 = 0xcf;
export const INT64 = 0xd3;

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const TWO_32 = 0x1_0000_0000;
/** 2^53 / 2^32: a high word beyond this (or equal, with a low word) makes a value beyond 2^53. */
const SAFE_HIGH = 0x20_0000;

export function outOfRange(value: number | bigint): string {
  return `${value} is outside the 64-bit integer range`;
}

/** True for a bigint that goes as a 32-bit integer (a number's encodings). */
export function bigintFits32(value: bigint): boolean {
  return value >= 0n ? value <= 0xffff_ffffn : value >= -0x8000_0000n;
}

/** The type byte of an integral number beyond the 32-bit range, or 0 when 64 bits cannot hold it. */
export function wideNumberType(value: number): number {
  if (value > 0) return value < 2 ** 64 ? UINT64 : 0;
  return value >= -(2 ** 63) ? INT64 : 0;
}

/** The type byte of a bigint beyond the 32-bit range, or 0 when 64 bits cannot hold it. */
export function wideBigintType(value: bigint): number {
  if (value > 0n) return value <= UINT64_MAX ? UINT64 : 0;
  return value >= INT64_MIN ? INT64 : 0;
}

/** Writes the 8 bytes after a wide integer's type byte (at `at`); `type` comes from wideNumberType/wideBigintType. */
export function writeWide(view: DataView, at: number, type: number, value: number | bigint): void {
  if (typeof value === "bigint") {
    if (type === UINT64) view.setBigUint64(at, value);
    else view.setBigInt64(at, value);
  } else if (type === UINT64) {
    // Exact only up to 2^53, but written as the integer it is.
    view.setUint32(at, Math.floor(value / TWO_32));
    view.setUint32(at + 4, value % TWO_32);
  } else {
    view.setBigInt64(at, BigInt(value));
  }
}

/** A uint64 from its two big-endian words, as msgpackr's "auto" decodes it. */
export function uint64Value(high: number, low: number): number | bigint {
  if (high < SAFE_HIGH || (high === SAFE_HIGH && low === 0)) return high * TWO_32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

/** An int64 from its high word (signed) and low word (unsigned), as msgpackr's "auto" decodes it. */
export function int64Value(high: number, low: number): number | bigint {
  if (high >= SAFE_HIGH ? high === SAFE_HIGH && low === 0 : high >= -SAFE_HIGH) return high * TWO_32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}
