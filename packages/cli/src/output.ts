/** A result as pretty JSON: 64-bit integers (bigint) as decimal strings, bytes as hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
    return v;
  }, 2);
}
