import { Unpackr, type Options } from "msgpackr";
import { FpnnError } from "../errors.js";
import { FpnnErrorCode } from "../generated/error-codes.js";
import type { Payload } from "./pack.js";
import { decodeSmallMap } from "./small-map.js";

/**
 * The one msgpackr instance of the runtime, for decoding: plain msgpack (no records), maps as plain
 * objects, and 64-bit integers that decode to `number` while exact and to `bigint` beyond 2^53.
 * Encoding goes through MsgpackEncoder (same plain-msgpack rules, smallest integer encodings).
 */
const unpackr = new Unpackr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  mapsAsObjects: true,
  int64AsType: "auto",
} as Options & { int64AsType: "auto" } as unknown as Options);

/** Decodes a msgpack map payload. Throws FpnnError 20006 when it is not exactly one map. */
export function unpackPayload(bytes: Uint8Array): Payload {
  return unpackPayloadRange(bytes, 0, bytes.length);
}

/** Decodes the map payload in bytes[start, end) without making a view of it. */
export function unpackPayloadRange(bytes: Uint8Array, start: number, end: number): Payload {
  const first = start < end ? bytes[start] : undefined;
  const isMap = first !== undefined && ((first & 0xf0) === 0x80 || first === 0xde || first === 0xdf);
  if (!isMap) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, first === undefined ? "payload is empty" : `payload is not a msgpack map (first byte 0x${first.toString(16).padStart(2, "0")})`);
  }
  const small = decodeSmallMap(bytes, start, end);
  if (small !== undefined) return small;
  try {
    return unpackr.unpack(bytes as Buffer, { start, end }) as Payload;
  } catch (cause) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, `payload: malformed msgpack: ${(cause as Error).message}`, { cause });
  }
}

/** Decodes any msgpack value (used by tests and tools). */
export function unpackValue(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
