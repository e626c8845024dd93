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
      return `mapOf(${wireType(t.value, enumBits)})`;
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
  const byName = new Map(model.enums.map((e) => [e.name, Number(e.base.slice(3))]));
  return (name) => byName.get(name) ?? 32;
}
