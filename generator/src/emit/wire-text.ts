import type { IdlModel } from "../idl/model.js";
import type { TypeRef } from "../idl/type-expr.js";

/** The protocol helpers a wire type expression may use (`@rtmkit/protocol`). */
export const wireHelperNames = ["int8", "int16", "int32", "int64", "bool", "string", "bytes", "listOf", "setOf", "mapOf", "enumOf", "record"];

/**
 * The `@rtmkit/protocol` expression of an IDL type, as the tables hold it: `int64`, `setOf(int8)`,
 * `enumOf("MessageCategory", 8, MessageCategory)`, or a record's name. `enumBits` gives an enum's width.
 */
export function wireType(t: TypeRef, enumBits: (name: string) => number): string {
  switch (t.kind) {
    case "scalar":
      return t.name;
    case "list":
      return `listOf(${wireType(t.of, enumBits)})`;
    case "set":
      return `setOf(${wireType(t.of, enumBits)})`;
    case "map":
      return t.key.kind === "scalar" && t.key.name === "int64" ? `mapOf(${wireType(t.value, enumBits)}, "int64")` : `mapOf(${wireType(t.value, enumBits)})`;
    case "enum":
      return `enumOf(${JSON.stringify(t.name)}, ${enumBits(t.name)}, ${t.name})`;
    case "record":
      return t.name;
    case "struct":
      throw new Error(`struct ${t.name} cannot travel on the wire; declare it as a record`);
  }
}

/** Which of `names` a piece of text uses as identifiers (for import lines). */
export function usedNames(texts: readonly string[], names: readonly string[]): string[] {
  const all = texts.join(" ");
  return names.filter((n) => new RegExp(`(^|[^A-Za-z0-9_."])${n}([^A-Za-z0-9_"]|$)`).test(all));
}

/** An enum's width in bits (its IDL base type), by name. */
export function enumBitsOf(model: IdlModel): (name: string) => number {
  const byName = new Map([...(model.base?.enums ?? []), ...model.enums].map((e) => [e.name, Number(e.base.slice(3))]));
  return (name) => byName.get(name) ?? 32;
}

/** Where generated code takes the named types of an IDL that extends the RTM IDL from: the SDK's public entry. */
export const baseModule = "@rtmkit/rtm-server-sdk";

/**
 * The import lines for the named types a piece of generated text uses: its own IDL's from `./types.js`, the
 * extended IDL's from the SDK. Enums and records are values (their wire tables), structs types only.
 */
export function namedTypeImports(model: IdlModel, texts: readonly string[], typesOnly = false): { moduleSpecifier: string; namedImports: string[] }[] {
  const out: { moduleSpecifier: string; namedImports: string[] }[] = [];
  const origins: [IdlModel, string][] = [[model, "./types.js"], ...(model.base !== undefined ? [[model.base, baseModule] as [IdlModel, string]] : [])];
  for (const [owner, moduleSpecifier] of origins) {
    const values = usedNames(texts, [...owner.enums.map((e) => e.name), ...owner.records.map((r) => r.name)]);
    const types = usedNames(
      texts.map((t) => t.replace(/enumOf\([^)]*\)/g, "")),
      owner.structs.map((s) => s.name),
    ).filter((n) => !values.includes(n));
    const names = typesOnly ? [...values, ...types].sort() : [...values, ...types.map((t) => `type ${t}`)];
    if (names.length > 0) out.push({ moduleSpecifier, namedImports: names });
  }
  return out;
}
