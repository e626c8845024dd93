import type { StrBytes } from "@rtmkit/fpnn";
import type { Int64 } from "./int64.js";

/**
 * The types of the IDL as data. Generated tables describe every parameter and answer field with these
 * values; the checkers and zod schemas of this package are derived from them once per table.
 */
export type WireType = IntType | Int64Type | BoolType | StringType | BytesType | EnumType | ListType | SetType | MapType | RecordType;

export interface IntType {
  readonly kind: "int";
  readonly bits: 8 | 16 | 32;
}
export interface Int64Type {
  readonly kind: "int64";
}
export interface BoolType {
  readonly kind: "bool";
}
export interface StringType {
  readonly kind: "string";
}
/** Bytes: a caller passes a Uint8Array, or a string that travels as its text (a URL where RTM takes either). */
export interface BytesType {
  readonly kind: "bytes";
}
/** An IDL enum: travels as its integer; callers may pass only its values. */
export interface EnumType<V extends number = number> {
  readonly kind: "enum";
  readonly name: string;
  readonly bits: 8 | 16 | 32;
  readonly values: readonly V[];
}
export interface ListType<E extends WireType = WireType> {
  readonly kind: "list";
  readonly of: E;
}
/** A list whose caller may also pass a Set; it travels as an array. */
export interface SetType<E extends WireType = WireType> {
  readonly kind: "set";
  readonly of: E;
}
/**
 * A map. Its wire keys are strings; with `key` int64 they are decimal ids (RTM keys maps by uid or room id
 * that way), read as a Map with bigint keys.
 */
export interface MapType<V extends WireType = WireType, K extends MapKey = MapKey> {
  readonly kind: "map";
  readonly key: K;
  readonly value: V;
}
export type MapKey = "string" | "int64";
export type RecordField = readonly [name: string, type: WireType];
/** A fixed-order row that travels as a msgpack array (a history row). */
export interface RecordType<F extends readonly RecordField[] = readonly RecordField[]> {
  readonly kind: "record";
  readonly name: string;
  readonly fields: F;
}

export const int8: IntType = { kind: "int", bits: 8 };
export const int16: IntType = { kind: "int", bits: 16 };
export const int32: IntType = { kind: "int", bits: 32 };
export const int64: Int64Type = { kind: "int64" };
export const bool: BoolType = { kind: "bool" };
export const string: StringType = { kind: "string" };
export const bytes: BytesType = { kind: "bytes" };

export function listOf<const E extends WireType>(of: E): ListType<E> {
  return { kind: "list", of };
}
export function setOf<const E extends WireType>(of: E): SetType<E> {
  return { kind: "set", of };
}
export function mapOf<const V extends WireType, const K extends MapKey = "string">(value: V, key: K = "string" as K): MapType<V, K> {
  return { kind: "map", key, value };
}
/** The wire type of an enum object generated from the IDL (`{ Chat: 30, ... } as const`). */
export function enumOf<const E extends Readonly<Record<string, number>>>(name: string, bits: 8 | 16 | 32, values: E): EnumType<E[keyof E]> {
  return { kind: "enum", name, bits, values: Object.values(values) as E[keyof E][] };
}
export function record<const F extends readonly RecordField[]>(name: string, fields: F): RecordType<F> {
  return { kind: "record", name, fields };
}

/** What a caller passes for a value of type T. */
export type InOf<T> = T extends IntType
  ? number
  : T extends Int64Type
    ? Int64
    : T extends BoolType
      ? boolean
      : T extends StringType
        ? string
        : T extends BytesType
          ? Uint8Array | string
          : T extends EnumType<infer V>
            ? V
            : T extends SetType<infer E>
              ? readonly InOf<E>[] | ReadonlySet<InOf<E>>
              : T extends ListType<infer E>
                ? readonly InOf<E>[]
                : T extends MapType<infer V>
                  ? Readonly<Record<string, InOf<V>>>
                  : never;

/**
 * A decoded value of type T, with 64-bit integers as I64 and strings as Str; enums are their integer.
 * `Read`: as a reader gives it (a map keyed by int64 as a Map with bigint keys), else as it is written
 * (every map as a record with string keys).
 */
type WireValue<T, I64, Str, Read extends boolean> = T extends IntType | EnumType
  ? number
  : T extends Int64Type
    ? I64
    : T extends BoolType
      ? boolean
      : T extends StringType
        ? Str
        : T extends BytesType
          ? Uint8Array
          : T extends ListType<infer E> | SetType<infer E>
            ? WireValue<E, I64, Str, Read>[]
            : T extends MapType<infer V, infer K>
              ? [Read, K] extends [true, "int64"]
                ? Map<bigint, WireValue<V, I64, Str, Read>>
                : Record<string, WireValue<V, I64, Str, Read>>
              : T extends RecordType<infer F>
                ? { -readonly [I in keyof F]: WireValue<F[I][1], I64, Str, Read> }
                : never;

/** What a checked wire value of type T is: 64-bit integers as bigint, maps keyed by int64 as Map<bigint, V>. */
export type OutOf<T> = WireValue<T, bigint, string, true>;

/**
 * What a server handler may answer for type T: 64-bit integers as bigint or number, strings as text or
 * as the raw bytes of a str kept as a peer sent them (StrBytes), maps as records with string keys.
 */
export type AnswerOf<T> = WireValue<T, Int64, string | StrBytes, false>;

/** The IDL spelling of a type, for messages: int64, set<int8>, list<HistoryRow>. */
export function typeName(type: WireType): string {
  switch (type.kind) {
    case "int":
      return `int${type.bits}`;
    case "list":
    case "set":
      return `${type.kind}<${typeName(type.of)}>`;
    case "map":
      return `map<${type.key}, ${typeName(type.value)}>`;
    case "enum":
    case "record":
      return type.name;
    default:
      return type.kind;
  }
}
