import type { EnumModel, IdlModel, StructModel } from "../idl/model.js";
import type { TypeRef } from "../idl/type-expr.js";

/** Lookups over the model's named types, shared by the emitters. */
export class NamedTypes {
  readonly #enums: Map<string, EnumModel>;
  readonly #structs: Map<string, StructModel>;
  readonly #records: Map<string, StructModel>;

  constructor(readonly model: IdlModel) {
    this.#enums = new Map(model.enums.map((e) => [e.name, e]));
    this.#structs = new Map(model.structs.map((s) => [s.name, s]));
    this.#records = new Map(model.records.map((r) => [r.name, r]));
  }

  enumValues = (name: string): readonly number[] => this.#enums.get(name)?.values.map((v) => v.value) ?? [];
  enumBase = (name: string): string => this.#enums.get(name)?.base ?? "int32";

  /** Structs and records reachable from the roots, dependencies first (the order their schemas must be declared in). */
  reachable(roots: readonly TypeRef[]): { kind: "struct" | "record"; type: StructModel }[] {
    const out: { kind: "struct" | "record"; type: StructModel }[] = [];
    const seen = new Set<string>();
    const visit = (t: TypeRef): void => {
      switch (t.kind) {
        case "list":
        case "set":
          return visit(t.of);
        case "map":
          visit(t.key);
          return visit(t.value);
        case "struct":
        case "record": {
          if (seen.has(t.name)) return;
          seen.add(t.name);
          const type = (t.kind === "struct" ? this.#structs : this.#records).get(t.name);
          if (!type) return;
          for (const f of type.fields) visit(f.type);
          out.push({ kind: t.kind, type });
          return;
        }
        default:
          return;
      }
    };
    roots.forEach(visit);
    return out;
  }

  allNames(): string[] {
    return [...this.#enums.keys(), ...this.#structs.keys(), ...this.#records.keys()].sort();
  }

  /** Named types a piece of TypeScript text mentions. */
  mentioned(texts: readonly string[]): string[] {
    const all = texts.join(" ");
    const names = [...this.#enums.keys(), ...this.#structs.keys(), ...this.#records.keys()];
    return names.filter((n) => new RegExp(`(^|[^A-Za-z0-9_])${n}([^A-Za-z0-9_]|$)`).test(all)).sort();
  }
}
