import { typeName, type AnyMethod, type Param, type WireType } from "@rtmkit/protocol";
import type { Catalog } from "./catalog.js";
import { enumChoices } from "./values.js";

/** How the CLI words the tables: parameter types, fixed fields, the method list. */

/** `int64`, `int16, at most 20`, `MessageCategory (P2PMessage=1, ...)`, `set<int8>, optional`. */
export function paramType(p: Param, catalog: Catalog): string {
  const parts = [typeWithChoices(p.type, catalog)];
  if (p.bounds?.min !== undefined) parts.push(`at least ${p.bounds.min}`);
  if (p.bounds?.max !== undefined) parts.push(`at most ${p.bounds.max}`);
  if (p.optional) parts.push(p.default === undefined ? "optional" : `optional, default ${formatFixed(p.default)}`);
  return parts.join(", ");
}

function typeWithChoices(type: WireType, catalog: Catalog): string {
  return type.kind === "enum" ? `${type.name} (${enumChoices(type, catalog.enumNames(type))})` : typeName(type);
}

/** `mtype=30`, `mtypes=[30,31,32]`: the wire fields a variant fixes. */
export function fixedFields(d: AnyMethod): string {
  return d.fixed.map(([wire, value]) => `${wire}=${formatFixed(value)}`).join(" ");
}

function formatFixed(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** `fromUid: int64, toUid: int64, mtypes?: set<int8>` */
export function signature(d: AnyMethod): string {
  return d.params.map((p) => `${p.name}${p.optional ? "?" : ""}: ${typeName(p.type)}`).join(", ");
}

/** The call options a method takes besides its parameters (a send's `mid`), from its filled fields. */
export function callOptions(d: AnyMethod): readonly { readonly name: string; readonly type: WireType }[] {
  return d.filled.flatMap((f) => (f.option === undefined || d.params.some((p) => p.name === f.option) ? [] : [{ name: f.option, type: f.type }]));
}

/** The text of `rtmkit methods`: per service, one line per method. */
export function methodList(catalog: Catalog): string {
  const byService = new Map<string, AnyMethod[]>();
  for (const d of catalog.methods.values()) {
    const list = byService.get(d.service.name) ?? [];
    list.push(d);
    byService.set(d.service.name, list);
  }
  const lines: string[] = [];
  for (const [service, methods] of byService) {
    lines.push(`service ${service} (${methods[0]!.service.auth})`);
    const nameWidth = Math.max(...methods.map((d) => d.name.length));
    const fpnnWidth = Math.max(...methods.map((d) => d.fpnn.length));
    for (const d of methods) {
      const fixed = fixedFields(d);
      lines.push(`  ${d.name.padEnd(nameWidth)}  ${d.fpnn.padEnd(fpnnWidth)}  ${d.doc}`);
      lines.push(`  ${"".padEnd(nameWidth)}  ${"".padEnd(fpnnWidth)}  (${signature(d)})${fixed === "" ? "" : `  fixed: ${fixed}`}`);
    }
    lines.push("");
  }
  lines.push("Parameters and their types: rtmkit call <method> --help");
  return `${lines.join("\n")}\n`;
}

/** The methods as JSON data (`rtmkit methods --json`). */
export function methodData(catalog: Catalog): unknown[] {
  return [...catalog.methods.values()].map((d) => ({
    service: d.service.name,
    name: d.name,
    fpnn: d.fpnn,
    doc: d.doc,
    params: d.params.map((p) => ({
      name: p.name,
      wire: p.wire,
      type: typeName(p.type),
      optional: p.optional,
      ...(p.default === undefined ? {} : { default: p.default }),
      ...(p.bounds === undefined ? {} : { bounds: p.bounds }),
    })),
    fixed: Object.fromEntries(d.fixed),
    options: callOptions(d).map((o) => ({ name: o.name, type: typeName(o.type) })),
  }));
}
