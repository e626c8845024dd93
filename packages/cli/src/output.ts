/** A result as pretty JSON: 64-bit integers (bigint) as decimal strings, bytes as hex, a Map keyed by id as an object. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]: [unknown, unknown]) => [String(k), x]));
    return v;
  }, 2);
}
