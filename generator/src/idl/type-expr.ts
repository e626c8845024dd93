/** The IDL's type expressions: scalars, list<T>, set<T>, map<K,V>, and named enums/structs/records. */
export const scalarNames = ["int8", "int16", "int32", "int64", "bool", "string", "bytes"] as const;
export type ScalarName = (typeof scalarNames)[number];
export type IntName = "int8" | "int16" | "int32" | "int64";

export type TypeRef =
  | { readonly kind: "scalar"; readonly name: ScalarName }
  | { readonly kind: "list" | "set"; readonly of: TypeRef }
  | { readonly kind: "map"; readonly key: TypeRef; readonly value: TypeRef }
  | { readonly kind: "enum" | "struct" | "record"; readonly name: string };

export type NamedKind = "enum" | "struct" | "record";

/** Parses a type expression; `lookup` tells the kind of a named type (undefined = unknown). Throws Error with a message. */
export function parseType(text: string, lookup: (name: string) => NamedKind | undefined): TypeRef {
  const src = text.replace(/\s+/g, "");
  let pos = 0;
  const fail = (): never => {
    throw new Error(`invalid type "${text}"`);
  };
  const ident = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(pos));
    if (!m) return fail();
    pos += m[0].length;
    return m[0];
  };
  const expect = (ch: string): void => {
    if (src[pos] !== ch) fail();
    pos++;
  };
  const parse = (): TypeRef => {
    const name = ident();
    if (name === "list" || name === "set") {
      expect("<");
      const of = parse();
      expect(">");
      return { kind: name, of };
    }
    if (name === "map") {
      expect("<");
      const key = parse();
      if (formatType(key) !== "string" && formatType(key) !== "int64") throw new Error(`map keys are string or int64 (decimal ids on the wire), not ${formatType(key)}`);
      expect(",");
      const value = parse();
      expect(">");
      return { kind: "map", key, value };
    }
    if ((scalarNames as readonly string[]).includes(name)) return { kind: "scalar", name: name as ScalarName };
    const kind = lookup(name);
    if (!kind) throw new Error(`unknown type "${name}"`);
    return { kind, name };
  };
  const type = parse();
  if (pos !== src.length) fail();
  return type;
}

export function formatType(t: TypeRef): string {
  switch (t.kind) {
    case "scalar":
      return t.name;
    case "list":
    case "set":
      return `${t.kind}<${formatType(t.of)}>`;
    case "map":
      return `map<${formatType(t.key)},${formatType(t.value)}>`;
    default:
      return t.name;
  }
}

export function sameType(a: TypeRef, b: TypeRef): boolean {
  return formatType(a) === formatType(b);
}

export const intRanges: Record<IntName, readonly [bigint, bigint]> = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
