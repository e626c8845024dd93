import { StrBytes } from "@rtmkit/fpnn";
import { intRange, isDecimalInt64, isInt64, toBigInt64 } from "./int64.js";
import type { Bounds } from "./schemas.js";
import type { WireType } from "./wire-type.js";

/**
 * Plain-JavaScript checks derived from wire types, built once per table entry. Each accepts exactly what
 * the matching zod schema of schemas.ts accepts (a property test holds them equal), so zod runs only to
 * word a refusal.
 */

export type Check = (value: unknown) => boolean;

const isIntBetween = (min: number, max: number): Check => (v) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/** Whether a caller's value is of the type (within the bounds). */
export function inputCheck(type: WireType, bounds?: Bounds): Check {
  switch (type.kind) {
    case "int": {
      const range = intRange(type.bits);
      return isIntBetween(Math.max(range.min, bounds?.min ?? range.min), Math.min(range.max, bounds?.max ?? range.max));
    }
    case "int64":
      return isInt64;
    case "bool":
      return (v) => typeof v === "boolean";
    case "string":
      return (v) => typeof v === "string";
    case "bytes":
      return (v) => v instanceof Uint8Array || typeof v === "string";
    case "enum": {
      const values: readonly unknown[] = type.values;
      return (v) => values.includes(v);
    }
    case "list":
      return arrayCheck(inputCheck(type.of));
    case "set": {
      const item = inputCheck(type.of);
      const array = arrayCheck(item);
      return (v) => {
        if (!(v instanceof Set)) return array(v);
        for (const x of v) if (!item(x)) return false;
        return true;
      };
    }
    case "map": {
      const item = inputCheck(type.value);
      const key = type.key === "int64" ? isDecimalInt64 : () => true;
      return (v) => isPlainRecord(v) && Object.entries(v).every(([k, x]) => key(k) && item(x));
    }
    case "record": {
      const items = type.fields.map(([, field]) => inputCheck(field));
      return (v) => Array.isArray(v) && v.length === items.length && items.every((item, i) => item(v[i]));
    }
  }
}

/** An array whose every element (holes included) passes. */
function arrayCheck(item: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
    return true;
  };
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const prototype: unknown = Object.getPrototypeOf(v);
  return prototype === Object.prototype || prototype === null;
}

/** What a reader gives for a value it does not recognise: the zod schema then decides (and words the refusal). */
export const UNREAD = Symbol("unread");

/** Reads a decoded wire value into what wireSchema would output (64-bit integers as bigint), or UNREAD. */
export type Reader = (value: unknown) => unknown;

const readString: Reader = (v) => (typeof v === "string" ? v : UNREAD);
const readAnswerString: Reader = (v) => (typeof v === "string" || v instanceof StrBytes ? v : UNREAD);

/**
 * The fast reader of a wire type. `answer`: a value a server is about to send (strings may be StrBytes,
 * 64-bit integers stay as given). Bytes have no fast reader: they give UNREAD for every value.
 */
export function wireReader(type: WireType, answer = false): Reader {
  switch (type.kind) {
    case "int":
    case "enum": {
      const { min, max } = intRange(type.bits);
      return (v) => (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : UNREAD);
    }
    case "int64":
      return answer ? (v) => (isInt64(v) ? v : UNREAD) : (v) => toBigInt64(v) ?? UNREAD;
    case "bool":
      return (v) => (typeof v === "boolean" ? v : UNREAD);
    case "string":
      return answer ? readAnswerString : readString;
    case "list":
    case "set": {
      const item = wireReader(type.of, answer);
      return (v) => {
        if (!Array.isArray(v)) return UNREAD;
        const out: unknown[] = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = item(v[i]);
          if (x === UNREAD) return UNREAD;
          out[i] = x;
        }
        return out;
      };
    }
    case "record": {
      const items = type.fields.map(([, field]) => wireReader(field, answer));
      return (v) => {
        if (!Array.isArray(v) || v.length !== items.length) return UNREAD;
        const out: unknown[] = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = items[i]!(v[i]);
          if (x === UNREAD) return UNREAD;
          out[i] = x;
        }
        return out;
      };
    }
    case "map": {
      const item = wireReader(type.value, answer);
      const idKeys = type.key === "int64";
      const asMap = idKeys && !answer;
      return (v) => {
        if (!isPlainRecord(v)) return UNREAD;
        const out: Record<string, unknown> | Map<bigint, unknown> = asMap ? new Map() : {};
        for (const k in v) {
          const x = item(v[k]);
          if (x === UNREAD || (idKeys && !isDecimalInt64(k))) return UNREAD;
          if (asMap) (out as Map<bigint, unknown>).set(BigInt(k), x);
          else (out as Record<string, unknown>)[k] = x;
        }
        return out;
      };
    }
    default:
      return () => UNREAD;
  }
}
