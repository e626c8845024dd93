/**
 * The zod schemas of the IDL's scalar types, emitted verbatim as `scalars.ts` beside the generated code
 * (so the generated code is self-contained). Input schemas check what callers pass; wire schemas check
 * decoded msgpack and turn 64-bit values into bigint.
 */
export const scalarsSource = `import { z } from "zod";

const int64Text = "expected an int64 (a bigint, or a number that is a safe integer)";

function intIn(bits: 8 | 16 | 32) {
  const max = 2 ** (bits - 1) - 1;
  const error = \`expected an int\${bits} (\${-max - 1}..\${max})\`;
  return z.number({ error }).int({ error }).min(-max - 1, { error }).max(max, { error });
}

export const int8 = intIn(8);
export const int16 = intIn(16);
export const int32 = intIn(32);
export const int64 = z.union(
  [
    z.bigint().min(-(2n ** 63n), { error: int64Text }).max(2n ** 63n - 1n, { error: int64Text }),
    z.number().int({ error: int64Text }).min(Number.MIN_SAFE_INTEGER, { error: int64Text }).max(Number.MAX_SAFE_INTEGER, { error: int64Text }),
  ],
  { error: int64Text },
);
export const bool = z.boolean({ error: "expected a boolean" });
export const string = z.string({ error: "expected a string" });
export const bytes = z.instanceof(Uint8Array, { error: "expected a Uint8Array" });

/** A set parameter: an array or a Set (checked as an array, so an element's error names its index). */
export function setOf<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v instanceof Set ? [...v] : v), z.array(item, { error: "expected an array or a Set" }));
}

function wireIntIn(bits: 8 | 16 | 32) {
  const max = 2 ** (bits - 1) - 1;
  return z.union([z.number().int(), z.bigint().transform(Number)], { error: \`expected an int\${bits}\` }).pipe(
    z.number().min(-max - 1).max(max),
  );
}

export const wireInt8 = wireIntIn(8);
export const wireInt16 = wireIntIn(16);
export const wireInt32 = wireIntIn(32);
export const wireInt64 = z.union([z.bigint(), z.number().int().transform((n) => BigInt(n))], { error: int64Text });
/** Bytes arrive as bin (Uint8Array) from Node peers and as str from C++ peers. */
export const wireBytes = z.union([z.instanceof(Uint8Array), z.string().transform((s) => new TextEncoder().encode(s))]);
`;

/**
 * Plain checks for the SDK's hot path, emitted after the schemas in the SDK's `scalars.ts`: each is true
 * only for values the matching input schema accepts, so a descriptor's `accepts` can skip zod for good
 * arguments and leave the error wording to zod.
 */
export const scalarChecksSource = `const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

export const isIntIn = (v: unknown, min: number, max: number): boolean => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
export const isInt8 = (v: unknown): boolean => isIntIn(v, -(2 ** 7), 2 ** 7 - 1);
export const isInt16 = (v: unknown): boolean => isIntIn(v, -(2 ** 15), 2 ** 15 - 1);
export const isInt32 = (v: unknown): boolean => isIntIn(v, -(2 ** 31), 2 ** 31 - 1);
export const isInt64 = (v: unknown): boolean => (typeof v === "bigint" ? v >= int64Min && v <= int64Max : Number.isSafeInteger(v));
export const isBool = (v: unknown): boolean => typeof v === "boolean";
export const isString = (v: unknown): boolean => typeof v === "string";
export const isBytes = (v: unknown): boolean => v instanceof Uint8Array;

/** An array whose every element (holes included) passes. */
export function isListOf(v: unknown, item: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
  return true;
}

/** An array or a Set whose every element passes. */
export function isSetOf(v: unknown, item: (x: unknown) => boolean): boolean {
  if (!(v instanceof Set)) return isListOf(v, item);
  for (const x of v) if (!item(x)) return false;
  return true;
}
`;

/**
 * The emulator's answer-side schemas, emitted after the schemas in the emulator's `scalars.ts`: what a
 * handler may answer where the IDL says string. A str whose bytes are not UTF-8 (a C++ peer's
 * std::string) is kept as those bytes and goes back out as a str holding them (StrBytes).
 */
export const answerScalarsImport = `import { StrBytes } from "@rtmkit/fpnn";`;

export const answerScalarsSource = `/** A string in an answer: text, or a str's raw bytes kept as a peer sent them (written back as that str). */
export const answerString = z.union([z.string(), z.instanceof(StrBytes)], { error: "expected a string or StrBytes" });
`;

/**
 * Plain readers for the emulator's hot path, emitted after the schemas in the emulator's \`scalars.ts\`:
 * each returns what the matching wire schema would output for a value it recognizes as well formed,
 * and undefined for anything else, which then goes through the schema (which accepts or words the error).
 */
export const wireReadersSource = `/** A value as the wire schema outputs it, or undefined: ask the schema. */
export type WireRead = (v: unknown) => unknown;

function readWireIntIn(bits: 8 | 16 | 32): WireRead {
  const max = 2 ** (bits - 1) - 1;
  return (v) => (typeof v === "number" && Number.isInteger(v) && v >= -max - 1 && v <= max ? v : undefined);
}

export const readWireInt8 = readWireIntIn(8);
export const readWireInt16 = readWireIntIn(16);
export const readWireInt32 = readWireIntIn(32);
export const readWireInt64: WireRead = (v) => (typeof v === "bigint" ? v : Number.isSafeInteger(v) ? BigInt(v as number) : undefined);
export const readBool: WireRead = (v) => (typeof v === "boolean" ? v : undefined);
export const readString: WireRead = (v) => (typeof v === "string" ? v : undefined);

/** An array read element by element; undefined when any element is not recognized. */
export function readListOf(item: WireRead): WireRead {
  return (v) => {
    if (!Array.isArray(v)) return undefined;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = item(v[i]);
      if (x === undefined) return undefined;
      out[i] = x;
    }
    return out;
  };
}
`;
