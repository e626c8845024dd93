import { FpnnError } from "../errors.js";
import { FpnnErrorCode } from "../generated/error-codes.js";
import { checkEncodable, type Payload } from "./pack.js";

const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** JSON payloads (flag 0x40): decoded for peers that use them; never produced for our own quests. */
export function unpackJsonPayload(bytes: Uint8Array): Payload {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(bytes));
  } catch (cause) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, `payload: malformed JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FpnnError(FpnnErrorCode.CoreDecoding, "payload is not a JSON object");
  }
  return value as Payload;
}

/**
 * Answers to JSON quests are JSON; 64-bit integers are written as bare digits. What the msgpack encoder
 * refuses is refused here too, with the same errors.
 */
export function packJsonPayload(payload: Payload): Buffer {
  checkEncodable(payload);
  let sawBigint = false;
  const text = JSON.stringify(payload, (_key, value: unknown) => {
    // Beyond 2^53 a number prints rounded (2^63 as 9223372036854776000): print the integer it is.
    if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value))) {
      sawBigint = true;
      return `\u0000n${BigInt(value)}`;
    }
    return value instanceof Set ? [...(value as Set<unknown>)] : value;
  });
  return Buffer.from(sawBigint ? text.replace(/"\\u0000n(-?\d+)"/g, "$1") : text, "utf8");
}
