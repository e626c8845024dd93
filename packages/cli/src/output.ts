import { RTMError } from "@rtmkit/rtm-server-sdk";

/** A result as pretty JSON: 64-bit integers (bigint) as decimal strings, bytes as hex, a Map keyed by id as an object. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, jsonValue, 2);
}

/** A value as one line of JSON with a newline (JSON Lines), in the same forms as toJson. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value ?? null, jsonValue)}\n`;
}

function jsonValue(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]: [unknown, unknown]) => [String(k), x]));
  return v;
}

/** The exit status of a call that failed with an RTM or FPNN error (1, `error CODE: message` on stderr); anything else is rethrown. */
export function callFailure(error: unknown, stderr: (text: string) => void): number {
  if (!RTMError.is(error)) throw error;
  stderr(`error ${error.code}: ${error.message}\n`);
  return 1;
}
