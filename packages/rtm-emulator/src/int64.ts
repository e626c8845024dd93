import { RtmCode, RtmError } from "./errors.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Values decoded from msgpack arrive as number or bigint depending on size: this normalises to bigint. */
export type Int64Like = bigint | number;

/** Normalises an int64 parameter to bigint, or refuses it with 200034 naming the field. */
export function toInt64(field: string, value: Int64Like): bigint {
  if (typeof value === "bigint") {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new RtmError(RtmCode.INVALID_PARAMETER, `${field} is outside the int64 range`);
    }
    return value;
  }
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new RtmError(RtmCode.INVALID_PARAMETER, `${field} must be an integer`);
}

/** Normalises a small integer parameter (mtype, num, category) to number, or refuses it with 200034. */
export function toSmallInt(field: string, value: Int64Like): number {
  const n = typeof value === "bigint" ? Number(value) : value;
  if (!Number.isSafeInteger(n)) throw new RtmError(RtmCode.INVALID_PARAMETER, `${field} must be an integer`);
  return n;
}
