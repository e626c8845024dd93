/** Longest summary of a quest, push or answer in a TrafficEvent. */
export const SUMMARY_MAX_CHARS = 300;
/** The auth keys of a signed quest, and the file gate's token: left out of request summaries (pid has its own field). */
export const AUTH_KEYS: ReadonlySet<string> = new Set(["pid", "sign", "salt", "ts", "token"]);
/** Answers carry no auth keys: nothing is left out of them. */
export const NO_KEYS: ReadonlySet<string> = new Set();
/** Nesting shown before a value is cut to "…". */
const MAX_DEPTH = 6;

/**
 * A payload as compact JSON text of at most SUMMARY_MAX_CHARS, the keys in `leaveOut` left out at the top.
 * Written with a budget, so a megabyte message costs no more than a short one: strings are cut, and writing
 * stops once the budget is spent. 64-bit integers are written as the numbers they are; bytes as "hex:…".
 */
export function summarize(payload: unknown, leaveOut: ReadonlySet<string> = AUTH_KEYS): string {
  const out = new Budgeted(SUMMARY_MAX_CHARS + 1);
  write(out, payload, 0, leaveOut);
  return out.text.length > SUMMARY_MAX_CHARS ? `${out.text.slice(0, SUMMARY_MAX_CHARS - 1)}…` : out.text;
}

class Budgeted {
  text = "";
  constructor(readonly max: number) {}
  get full(): boolean {
    return this.text.length >= this.max;
  }
  add(piece: string): void {
    if (!this.full) this.text += piece.length > this.max - this.text.length ? piece.slice(0, this.max - this.text.length) : piece;
  }
}

function write(out: Budgeted, value: unknown, depth: number, leaveOut: ReadonlySet<string> | undefined): void {
  if (out.full) return;
  if (value === null || value === undefined) return out.add("null");
  switch (typeof value) {
    case "string":
      return out.add(JSON.stringify(value.length > out.max ? value.slice(0, out.max) : value));
    case "number":
      return out.add(Number.isFinite(value) ? String(value) : "null");
    case "bigint":
    case "boolean":
      return out.add(String(value));
    case "object":
      break;
    default:
      return out.add(JSON.stringify(String(value)));
  }
  if (depth >= MAX_DEPTH) return out.add('"…"');
  if (value instanceof Uint8Array) {
    const shown = value.subarray(0, Math.ceil(out.max / 2));
    return out.add(JSON.stringify(`hex:${Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString("hex")}`));
  }
  if (Array.isArray(value)) {
    out.add("[");
    value.some((item, i) => {
      if (i > 0) out.add(",");
      write(out, item, depth + 1, undefined);
      return out.full;
    });
    return out.add("]");
  }
  const entries = value instanceof Map ? value.entries() : Object.entries(value as object)[Symbol.iterator]();
  out.add("{");
  let first = true;
  for (const [key, item] of entries) {
    if (out.full) return;
    if (leaveOut?.has(String(key)) === true) continue;
    out.add(`${first ? "" : ","}${JSON.stringify(String(key))}:`);
    first = false;
    write(out, item, depth + 1, undefined);
  }
  out.add("}");
}
