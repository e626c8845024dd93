import type { TypeRef } from "../idl/type-expr.js";

/** TypeScript and zod source text for IDL types. */

/** The type a caller passes. */
export function tsInput(t: TypeRef): string {
  switch (t.kind) {
    case "scalar":
      return { int8: "number", int16: "number", int32: "number", int64: "Int64", bool: "boolean", string: "string", bytes: "Uint8Array" }[t.name];
    case "list":
      return `readonly ${wrap(tsInput(t.of))}[]`;
    case "set":
      return `readonly ${wrap(tsInput(t.of))}[] | ReadonlySet<${tsInput(t.of)}>`;
    case "map":
      return `Readonly<Record<string, ${tsInput(t.value)}>>`;
    default:
      return t.name;
  }
}

/**
 * The type a result carries (64-bit values as bigint). `serverAnswer`: as a server's answer may hold it,
 * int64 as bigint | number and string as string | StrBytes (a str's raw bytes, kept as a peer sent them).
 */
export function tsOutput(t: TypeRef, serverAnswer = false, enumsAsNumber = false): string {
  switch (t.kind) {
    case "scalar":
      return {
        int8: "number",
        int16: "number",
        int32: "number",
        int64: serverAnswer ? "bigint | number" : "bigint",
        bool: "boolean",
        string: serverAnswer ? "string | StrBytes" : "string",
        bytes: "Uint8Array",
      }[t.name];
    case "list":
    case "set":
      return `${wrap(tsOutput(t.of, serverAnswer, enumsAsNumber))}[]`;
    case "map":
      return `Record<string, ${tsOutput(t.value, serverAnswer, enumsAsNumber)}>`;
    case "enum":
      return enumsAsNumber ? "number" : t.name;
    default:
      return t.name;
  }
}

function wrap(s: string): string {
  return /[|&]/.test(s) ? `(${s})` : s;
}

/** zod schema text checking a caller's value. */
export function zodInput(t: TypeRef, enumValues: (name: string) => readonly number[], bounds?: { min?: number; max?: number }): string {
  let s: string;
  switch (t.kind) {
    case "scalar":
      s = t.name;
      break;
    case "list":
      s = `z.array(${zodInput(t.of, enumValues)})`;
      break;
    case "set":
      s = `setOf(${zodInput(t.of, enumValues)})`;
      break;
    case "map":
      s = `z.record(z.string(), ${zodInput(t.value, enumValues)})`;
      break;
    case "enum":
      s = `z.literal([${enumValues(t.name).join(", ")}], { error: "expected a ${t.name}: ${enumValues(t.name).join(", ")}" })`;
      break;
    default:
      s = `${t.name}Input`;
  }
  if (bounds?.min !== undefined) s += `.min(${bounds.min}, { error: "expected at least ${bounds.min}" })`;
  if (bounds?.max !== undefined) s += `.max(${bounds.max}, { error: "expected at most ${bounds.max}" })`;
  return s;
}

const intRanges = { int8: 2 ** 7, int16: 2 ** 15, int32: 2 ** 31 } as const;
const scalarChecks = { int8: "isInt8", int16: "isInt16", int32: "isInt32", int64: "isInt64", bool: "isBool", string: "isString", bytes: "isBytes" } as const;

/**
 * Plain-JavaScript text checking a caller's value `v` (an expression) without zod: true only for values
 * the zodInput schema accepts, so zod runs only for rejected values (to word the error). undefined when
 * the type has no fast check (maps, structs, bounds on anything but an int): zod then checks every call.
 */
export function fastCheck(t: TypeRef, v: string, enumValues: (name: string) => readonly number[], bounds?: { min?: number; max?: number }): string | undefined {
  const bounded = bounds?.min !== undefined || bounds?.max !== undefined;
  switch (t.kind) {
    case "scalar": {
      if (t.name === "int8" || t.name === "int16" || t.name === "int32") {
        if (!bounded) return `${scalarChecks[t.name]}(${v})`;
        const half = intRanges[t.name];
        return `isIntIn(${v}, ${Math.max(-half, bounds?.min ?? -half)}, ${Math.min(half - 1, bounds?.max ?? half - 1)})`;
      }
      return bounded ? undefined : `${scalarChecks[t.name]}(${v})`;
    }
    case "list":
    case "set": {
      const item = t.of.kind === "scalar" ? scalarChecks[t.of.name] : undefined;
      if (item === undefined || bounded) return undefined;
      return `${t.kind === "list" ? "isListOf" : "isSetOf"}(${v}, ${item})`;
    }
    case "enum":
      return bounded ? undefined : `(${enumValues(t.name).map((x) => `${v} === ${x}`).join(" || ")})`;
    default:
      return undefined;
  }
}

export const fastCheckHelperNames = ["isInt8", "isInt16", "isInt32", "isIntIn", "isInt64", "isBool", "isString", "isBytes", "isListOf", "isSetOf"];

/**
 * zod schema text checking a decoded wire value (64-bit values become bigint). `serverAnswer`: a value a
 * server is about to send, where a string may also be StrBytes (see tsOutput).
 */
export function zodWire(t: TypeRef, enumBase: (name: string) => string, serverAnswer = false): string {
  switch (t.kind) {
    case "scalar":
      return {
        int8: "wireInt8",
        int16: "wireInt16",
        int32: "wireInt32",
        int64: "wireInt64",
        bool: "bool",
        string: serverAnswer ? "answerString" : "string",
        bytes: "wireBytes",
      }[t.name];
    case "list":
    case "set":
      return `z.array(${zodWire(t.of, enumBase, serverAnswer)})`;
    case "map":
      return `z.record(z.string(), ${zodWire(t.value, enumBase, serverAnswer)})`;
    case "enum":
      return zodWire({ kind: "scalar", name: enumBase(t.name) as "int8" }, enumBase);
    default:
      return `${t.name}Wire`;
  }
}

/** The emulator's plain reader for a wire type (see wireReadersSource), or undefined when it has none. */
export function wireReader(t: TypeRef, enumBase: (name: string) => string): string | undefined {
  switch (t.kind) {
    case "scalar":
      return { int8: "readWireInt8", int16: "readWireInt16", int32: "readWireInt32", int64: "readWireInt64", bool: "readBool", string: "readString", bytes: undefined }[t.name];
    case "list":
    case "set": {
      const item = wireReader(t.of, enumBase);
      return item === undefined ? undefined : `readListOf(${item})`;
    }
    case "enum":
      return wireReader({ kind: "scalar", name: enumBase(t.name) as "int8" }, enumBase);
    default:
      return undefined;
  }
}

/** Scalar/list helper names a piece of zod text uses, for the import line. */
export function usedHelpers(texts: readonly string[], names: readonly string[]): string[] {
  const all = texts.join(" ");
  return names.filter((n) => new RegExp(`(^|[^A-Za-z0-9_.])${n}([^A-Za-z0-9_]|$)`).test(all));
}

export const scalarHelperNames = ["int8", "int16", "int32", "int64", "bool", "string", "bytes", "setOf", "wireInt8", "wireInt16", "wireInt32", "wireInt64", "wireBytes"];

/** The emulator's answer-side scalar helpers (see answerScalarsSource). */
export const answerHelperNames = ["answerString"];

export const wireReaderNames = ["readWireInt8", "readWireInt16", "readWireInt32", "readWireInt64", "readBool", "readString", "readListOf"];

export function literal(v: unknown): string {
  return JSON.stringify(v);
}

export function docComment(...lines: (string | undefined)[]): string {
  const text = lines.filter((l): l is string => !!l && l.length > 0);
  if (text.length === 0) return "";
  if (text.length === 1) return `/** ${text[0]} */\n`;
  return `/**\n${text.map((l) => ` * ${l}`).join("\n")}\n */\n`;
}

export function upperFirst(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
