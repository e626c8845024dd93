import { inputSchema, typeName, type AnyMethod, type Bounds, type WireType } from "@rtmkit/protocol";
import type { Catalog } from "./catalog.js";
import { callOptions } from "./describe.js";
import { UsageError } from "./usage.js";
import { parseValue, ValueError } from "./values.js";

/** A method's arguments and call options, read from the command line and checked against its table. */
export interface CallArguments {
  /** In the method's parameter order; undefined for an optional parameter left out. */
  readonly args: readonly unknown[];
  /** Filled-field options given as flags (a send's `--mid`). */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * Parameters given as `--<name> value` take their place; the positional values fill the others in
 * parameter order. Every value is read by its wire type and checked by the protocol's schema (bounds
 * included), so a refusal names the parameter before anything is sent.
 */
export function callArguments(d: AnyMethod, positional: readonly string[], flags: Readonly<Record<string, string | undefined>>, catalog: Catalog): CallArguments {
  const rest = [...positional];
  const args = d.params.map((p) => {
    const text = flags[p.name] ?? rest.shift();
    if (text === undefined) {
      if (p.optional) return undefined;
      throw new UsageError(`${d.name}: missing parameter ${p.name} (${typeName(p.type)})`);
    }
    return valueOf(d, p.name, p.type, text, catalog, p.bounds);
  });
  if (rest.length > 0) throw new UsageError(`${d.name}: too many arguments (${d.params.length} parameters, extra: ${rest.map((t) => JSON.stringify(t)).join(" ")})`);
  const options: Record<string, unknown> = {};
  for (const o of callOptions(d)) {
    const text = flags[o.name];
    if (text !== undefined) options[o.name] = valueOf(d, o.name, o.type, text, catalog);
  }
  return { args, options };
}

function valueOf(d: AnyMethod, name: string, type: WireType, text: string, catalog: Catalog, bounds?: Bounds): unknown {
  let value: unknown;
  try {
    value = parseValue(type, text, (t) => catalog.enumNames(t));
  } catch (error) {
    if (error instanceof ValueError) throw new UsageError(`${d.name}: ${name}: ${error.message}`);
    throw error;
  }
  const checked = inputSchema(type, bounds).safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const path = (issue?.path ?? []).map((p) => `[${String(p)}]`).join("");
    throw new UsageError(`${d.name}: ${name}${path}: ${issue?.message ?? "invalid"}`);
  }
  return value;
}
