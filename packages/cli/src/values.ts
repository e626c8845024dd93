import { INT64_MAX, INT64_MIN, intRange, typeName, type WireType } from "@rtmkit/protocol";
import type { EnumNames } from "./catalog.js";

/** A command-line value that does not read as its type; the caller adds the parameter's name. */
export class ValueError extends Error {
  override readonly name = "ValueError";
}

/** The enum names a value may use, by enum type. */
export type EnumLookup = (type: Extract<WireType, { kind: "enum" }>) => EnumNames | undefined;

/**
 * A command-line text as a value of the wire type: integers from decimal text (int64 as bigint), bools
 * as true/false, enums by number or name, lists and sets as comma-separated items or a JSON array, maps
 * and records as JSON. Bounds are left to the protocol's schema.
 */
export function parseValue(type: WireType, text: string, enums: EnumLookup): unknown {
  switch (type.kind) {
    case "list":
    case "set": {
      if (text.trimStart().startsWith("[")) return fromJson(type, parseJson(text, type), enums);
      if (text.trim() === "") return [];
      return text.split(",").map((item) => parseValue(type.of, item.trim(), enums));
    }
    case "map":
    case "record":
      return fromJson(type, parseJson(text, type), enums);
    default:
      return scalar(type, text, enums);
  }
}

function scalar(type: Exclude<WireType, { kind: "list" | "set" | "map" | "record" }>, text: string, enums: EnumLookup): unknown {
  switch (type.kind) {
    case "int": {
      const { min, max } = intRange(type.bits);
      const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
      if (!Number.isInteger(n) || n < min || n > max) throw new ValueError(`${quote(text)} is not an int${type.bits} (an integer in ${min}..${max})`);
      return n;
    }
    case "int64": {
      const n = /^[+-]?\d+$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
      if (n === undefined || n < INT64_MIN || n > INT64_MAX) throw new ValueError(`${quote(text)} is not an int64 (a decimal integer in ${INT64_MIN}..${INT64_MAX})`);
      return n;
    }
    case "bool": {
      const word = text.trim().toLowerCase();
      if (word === "true" || word === "1") return true;
      if (word === "false" || word === "0") return false;
      throw new ValueError(`${quote(text)} is not a bool (true or false)`);
    }
    case "string":
      return text;
    case "bytes":
      return new TextEncoder().encode(text);
    case "enum": {
      const names = enums(type);
      const trimmed = text.trim();
      const byNumber = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
      const byName = names === undefined ? undefined : Object.entries(names).find(([name]) => name.toLowerCase() === trimmed.toLowerCase())?.[1];
      const value = byNumber ?? byName;
      if (value === undefined || !(type.values as readonly number[]).includes(value)) throw new ValueError(`${quote(text)} is not a ${type.name} (${enumChoices(type, names)})`);
      return value;
    }
  }
}

/** A JSON value (as JSON.parse gives it) as a value of the wire type. */
function fromJson(type: WireType, value: unknown, enums: EnumLookup): unknown {
  switch (type.kind) {
    case "list":
    case "set":
      if (!Array.isArray(value)) throw new ValueError(`expected a JSON array for ${typeName(type)}`);
      return value.map((item) => fromJson(type.of, item, enums));
    case "record":
      if (!Array.isArray(value) || value.length !== type.fields.length) throw new ValueError(`expected a JSON array of ${type.fields.length} items for ${type.name}`);
      return type.fields.map(([, field], i) => fromJson(field, value[i], enums));
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ValueError(`expected a JSON object for ${typeName(type)}`);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(type.value, v, enums)]));
    case "string":
      if (typeof value !== "string") throw new ValueError(`expected a JSON string, got ${JSON.stringify(value)}`);
      return value;
    default:
      // JSON.parse has already rounded integers past 2^53: such an int64 must come as a string.
      if (typeof value === "number" && !Number.isSafeInteger(value)) throw new ValueError(`${value} is not exact in JSON: write it as a string ("...")`);
      if (typeof value !== "number" && typeof value !== "string" && typeof value !== "boolean") throw new ValueError(`expected a ${typeName(type)}, got ${JSON.stringify(value)}`);
      return scalar(type, String(value), enums);
  }
}

function parseJson(text: string, type: WireType): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValueError(`expected JSON for ${typeName(type)}: ${(error as Error).message}`);
  }
}

/** "P2PMessage=1, GroupMessage=2" when the names are known, else "1, 2". */
export function enumChoices(type: Extract<WireType, { kind: "enum" }>, names: EnumNames | undefined): string {
  if (names === undefined) return type.values.join(", ");
  return type.values.map((v) => `${Object.entries(names).find(([, n]) => n === v)?.[0] ?? "?"}=${v}`).join(", ");
}

function quote(text: string): string {
  return JSON.stringify(text);
}
