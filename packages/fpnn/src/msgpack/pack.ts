import { FpnnError } from "../errors.js";
import { FpnnErrorCode } from "../generated/error-codes.js";
import { ByteBuffer } from "./byte-buffer.js";
import { MsgpackEncoder, isPlainObject } from "./encoder.js";
import { UnencodableValue, describe } from "./unencodable.js";

export type Payload = Record<string, unknown>;

/** Empty payload on the wire: fixmap of size 0. */
export const EMPTY_MAP = Uint8Array.of(0x80);

const scratch = new ByteBuffer();
const encoder = new MsgpackEncoder();

/**
 * Appends an encoded payload at target.length (the frame writer encodes straight into its staging buffer).
 * Integral numbers go out as msgpack integers (never float64); `undefined` map values are left out.
 * Throws FpnnError 20005 naming the field (`payload.tos[3]: ...`) for values plain msgpack cannot carry.
 */
export function appendPayload(target: ByteBuffer, payload: Payload): void {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload) || !isPlainObject(payload)) {
    throw new FpnnError(FpnnErrorCode.CoreEncoding, `payload: must be a plain object (a msgpack map), got ${describe(payload)}`);
  }
  try {
    encoder.writeMap(target, payload);
  } catch (cause) {
    throw encodingError(cause, "payload");
  }
}

/** Encodes a payload into a buffer of its own. */
export function packPayload(payload: Payload): Buffer {
  scratch.clear();
  appendPayload(scratch, payload);
  return scratch.copy();
}

/** Encodes any msgpack value under the same rules (used by tests and tools). */
export function packValue(value: unknown): Buffer {
  scratch.clear();
  try {
    encoder.writeValue(scratch, value);
  } catch (cause) {
    throw encodingError(cause, "value");
  }
  return scratch.copy();
}

/** Checks that the payload can be encoded, throwing what appendPayload() would (the JSON answers). */
export function checkEncodable(payload: Payload): void {
  scratch.clear();
  appendPayload(scratch, payload);
}

function encodingError(cause: unknown, top: string): FpnnError {
  if (cause instanceof UnencodableValue) return new FpnnError(FpnnErrorCode.CoreEncoding, `${cause.pathBelow(top)}: ${cause.problem}`);
  return new FpnnError(FpnnErrorCode.CoreEncoding, `${top}: cannot encode: ${(cause as Error).message}`, { cause });
}
