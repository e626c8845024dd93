import type { AnyMethod, WireType } from "@rtmkit/protocol";
import * as sdk from "@rtmkit/rtm-server-sdk";

/** Name -> value of an IDL enum, as the generated types export it (`MessageCategory.GroupMessage === 2`). */
export type EnumNames = Readonly<Record<string, number>>;

/** What the CLI knows, all of it read from the generated tables at run time. */
export interface Catalog {
  /** Every client method, by SDK name, in table order. */
  readonly methods: ReadonlyMap<string, AnyMethod>;
  /** The names of an enum type's values, when the tables export them. */
  enumNames(type: Extract<WireType, { kind: "enum" }>): EnumNames | undefined;
}

/**
 * Builds the catalog from a module's exports: every `<service>Methods` table (at the top level or in a
 * service namespace such as `chat`), and every exported enum object. A new IDL service the SDK's generated
 * index exports shows up without a change here.
 */
export function catalogOf(exports: Readonly<Record<string, unknown>>): Catalog {
  const methods = new Map<string, AnyMethod>();
  const addTables = (scope: Readonly<Record<string, unknown>>) => {
    for (const [key, table] of Object.entries(scope)) {
      if (!key.endsWith("Methods") || !isObject(table)) continue;
      const entries = Object.values(table);
      if (entries.length === 0 || !entries.every(isDescriptor)) continue;
      for (const d of entries) if (d.direction === "call" && !methods.has(d.name)) methods.set(d.name, d);
    }
  };
  addTables(exports);
  for (const value of Object.values(exports)) if (isObject(value)) addTables(value);

  const enums = new Map<string, EnumNames>();
  for (const [key, value] of Object.entries(exports)) {
    if (isObject(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === "number")) enums.set(key, value as EnumNames);
  }
  return {
    methods,
    enumNames(type) {
      const names = enums.get(type.name);
      // The same name with other values would be some other object: trust it only when the values agree.
      if (names === undefined || !sameValues(Object.values(names), type.values)) return undefined;
      return names;
    },
  };
}

/** The catalog of the installed SDK. */
export const catalog: Catalog = catalogOf(sdk as unknown as Record<string, unknown>);

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDescriptor(value: unknown): value is AnyMethod {
  if (!isObject(value)) return false;
  return typeof value.name === "string" && typeof value.fpnn === "string" && Array.isArray(value.params) && isObject(value.service);
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}
