import type { TypeRef } from "../idl/type-expr.js";

/** TypeScript and zod source text for IDL types. */

/** The type a caller passes. */
export function tsInput(t: TypeRef): string {
  switch (t.kind) {
    case "scalar":
      return { int8: "number", int16: "number", int32: "number", int64: "Int64", bool: "boolean", string: "string", bytes: "Uint8Array | string" }[t.name];
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

/** The type a result carries (64-bit values as bigint). */
export function tsOutput(t: TypeRef): string {
  switch (t.kind) {
    case "scalar":
      return { int8: "number", int16: "number", int32: "number", int64: "bigint", bool: "boolean", string: "string", bytes: "Uint8Array" }[t.name];
    case "list":
    case "set":
      return `${wrap(tsOutput(t.of))}[]`;
    case "map":
      return t.key.kind === "scalar" && t.key.name === "int64" ? `Map<bigint, ${tsOutput(t.value)}>` : `Record<string, ${tsOutput(t.value)}>`;
    default:
      return t.name;
  }
}

function wrap(s: string): string {
  return /[|&]/.test(s) ? `(${s})` : s;
}

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
