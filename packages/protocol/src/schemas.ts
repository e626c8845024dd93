import { StrBytes } from "@rtmkit/fpnn";
import { z } from "zod";
import { INT64_EXPECTED, INT64_MAX, INT64_MIN, intRange, isDecimalInt64 } from "./int64.js";
import type { MapKey, WireType } from "./wire-type.js";

/**
 * zod schemas derived from wire types: the validators rtmkit promises its users, and the wording of every
 * argument or answer error (the plain checks of checks.ts decide first; zod runs to explain a refusal).
 */

/** Bounds a parameter adds to its type (IDL `min`/`max`). */
export interface Bounds {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

function callerInt(bits: 8 | 16 | 32) {
  const { min, max } = intRange(bits);
  const error = `expected an int${bits} (${min}..${max})`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const callerInt64 = z.union(
  [
    z.bigint().min(INT64_MIN, { error: INT64_EXPECTED }).max(INT64_MAX, { error: INT64_EXPECTED }),
    z.number().int({ error: INT64_EXPECTED }).min(Number.MIN_SAFE_INTEGER, { error: INT64_EXPECTED }).max(Number.MAX_SAFE_INTEGER, { error: INT64_EXPECTED }),
  ],
  { error: INT64_EXPECTED },
);

/** The schema of a value a caller passes. A set accepts an array or a Set (checked as an array, so an element's error names its index). */
export function inputSchema(type: WireType, bounds?: Bounds): z.ZodType {
  let schema: z.ZodType;
  switch (type.kind) {
    case "int": {
      let int = callerInt(type.bits);
      if (bounds?.min !== undefined) int = int.min(bounds.min, { error: `expected at least ${bounds.min}` });
      if (bounds?.max !== undefined) int = int.max(bounds.max, { error: `expected at most ${bounds.max}` });
      return int;
    }
    case "int64":
      schema = callerInt64;
      break;
    case "bool":
      schema = z.boolean({ error: "expected a boolean" });
      break;
    case "string":
      schema = z.string({ error: "expected a string" });
      break;
    case "bytes":
      schema = z.union([z.instanceof(Uint8Array), z.string()], { error: "expected a Uint8Array or a string" });
      break;
    case "enum":
      schema = z.literal(type.values, { error: `expected a ${type.name}: ${type.values.join(", ")}` });
      break;
    case "list":
      schema = z.array(inputSchema(type.of));
      break;
    case "set":
      schema = z.preprocess((v) => (v instanceof Set ? [...v] : v), z.array(inputSchema(type.of), { error: "expected an array or a Set" }));
      break;
    case "map":
      schema = z.record(mapKey(type.key), inputSchema(type.value));
      break;
    case "record":
      schema = z.tuple(type.fields.map(([, field]) => inputSchema(field)) as [z.ZodType]);
      break;
  }
  if (bounds?.min !== undefined || bounds?.max !== undefined) throw new Error(`bounds apply to integers only, not to ${type.kind}`);
  return schema;
}

function wireInt(bits: 8 | 16 | 32) {
  const { min, max } = intRange(bits);
  return z.union([z.number().int(), z.bigint().transform(Number)], { error: `expected an int${bits}` }).pipe(z.number().min(min).max(max));
}

const WIRE_INT64_EXPECTED = "expected an int64";
const wireInt64 = z.union(
  [z.bigint().min(INT64_MIN, { error: WIRE_INT64_EXPECTED }).max(INT64_MAX, { error: WIRE_INT64_EXPECTED }), z.number().int().transform((n) => BigInt(n))],
  { error: WIRE_INT64_EXPECTED },
);

/**
 * The schema of a decoded wire value (a request a server reads, an answer a client reads): 64-bit integers
 * come out as bigint. `answer`: a value a server is about to send, where a string may also be StrBytes
 * and a 64-bit integer stays as given.
 */
export function wireSchema(type: WireType, answer = false): z.ZodType {
  switch (type.kind) {
    case "int":
    case "enum":
      return wireInt(type.bits);
    case "int64":
      return wireInt64;
    case "bool":
      return z.boolean({ error: "expected a boolean" });
    case "string":
      return answer ? z.union([z.string(), z.instanceof(StrBytes)], { error: "expected a string or StrBytes" }) : z.string({ error: "expected a string" });
    case "bytes":
      // Bytes arrive as bin (Uint8Array) from Node peers and as str from C++ peers.
      return z.union([z.instanceof(Uint8Array), z.string().transform((s) => new TextEncoder().encode(s))]);
    case "list":
    case "set":
      return z.array(wireSchema(type.of, answer));
    case "map": {
      const map = z.record(mapKey(type.key), wireSchema(type.value, answer));
      return type.key === "int64" && !answer ? map.transform((m) => new Map(Object.entries(m).map(([k, v]) => [BigInt(k), v]))) : map;
    }
    case "record":
      return z.tuple(type.fields.map(([, field]) => wireSchema(field, answer)) as [z.ZodType]);
  }
}

function mapKey(key: MapKey): z.ZodType<string> {
  return key === "int64" ? z.string().refine(isDecimalInt64, { error: "expected the decimal text of an int64 as key" }) : z.string();
}

/** A zod schema of a map of wire keys (a request or an answer), each field optional or not. */
export function objectSchema(fields: readonly { readonly key: string; readonly type: WireType; readonly optional: boolean }[], answer = false): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) shape[f.key] = f.optional ? wireSchema(f.type, answer).optional() : wireSchema(f.type, answer);
  return z.object(shape);
}

/** The first issue of a failed parse as "path: message" (path relative to the parsed value, "" at its root). */
export function firstIssue(error: z.ZodError): { readonly path: readonly PropertyKey[]; readonly message: string; readonly code: string } {
  const issue = error.issues[0];
  // A refused record key (a map keyed by int64) carries the key's own issue inside.
  const inner = issue?.code === "invalid_key" ? issue.issues[0] : undefined;
  return { path: issue?.path ?? [], message: inner?.message ?? issue?.message ?? "invalid", code: issue?.code ?? "custom" };
}
