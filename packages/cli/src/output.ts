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
