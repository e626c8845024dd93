import type { PushSpec } from "./push.js";
import type { Bounds } from "./schemas.js";
import type { AnswerOf, OutOf, WireType } from "./wire-type.js";

/**
 * The tables rtmkit-gen emits: one descriptor per method, built by `method` and `variant` from a compact
 * spec. Descriptors are plain data; checks.ts, schemas.ts, client-plan.ts and handlers.ts interpret them.
 */

/**
 * "signed": every quest carries pid, sign, salt and ts (envelope.ts); "none": no auth keys (server pushes);
 * "fileToken": the quest goes to the file gate that `filetoken` names, carrying pid, the token it gave and
 * attrs holding the file's sign (FileTokenAuth).
 */
export type Auth = "signed" | "none" | "fileToken";

export interface ServiceInfo<S extends Auth = Auth> {
  readonly name: string;
  readonly auth: S;
  /** "push": its methods are quests the server sends to the client. */
  readonly direction: Direction;
}

export function service<const S extends Auth>(name: string, auth: S, direction: Direction = "call"): ServiceInfo<S> {
  return Object.freeze({ name, auth, direction });
}

export interface ParamOptions extends Bounds {
  readonly optional?: boolean;
  /** Sent when the caller leaves an optional parameter undefined. */
  readonly default?: unknown;
  /** An empty value (an empty list or set, "", 0) is not sent: the key is left out, and a server takes it as optional. */
  readonly omitEmpty?: boolean;
  /**
   * Another key a server also reads the value from when this one is absent (where other RTM SDKs send it under
   * another name); for a list or set, a single value there counts as a list of one.
   */
  readonly alias?: string;
}
/** A parameter: its wire key, its type, and options. */
export type ParamSpec = readonly [wire: string, type: WireType, options?: ParamOptions];
/** An answer field: its type (the result field has the wire key's name), or the result field's name and type. */
export type AnswerSpec = WireType | readonly [name: string, type: WireType, options?: { readonly optional?: boolean }];

/** A wire field the client fills in itself (a fresh mid), overridable through a call option. */
export interface FilledSpec<T extends WireType = WireType> {
  readonly type: T;
  /** The client's id generator that supplies the value. */
  readonly generate: string;
  /** The call option that supplies the value instead. */
  readonly option?: string;
  /** Whether the result carries the value (under the wire key). */
  readonly returned: boolean;
}

/** Phantom marker of a method's result type: `result: returns<SendResult>()`. */
export interface Returns<R> {
  readonly __result?: R;
}
const RETURNS: Returns<never> = Object.freeze({});
export function returns<R>(): Returns<R> {
  return RETURNS as Returns<R>;
}

type ParamTable = Readonly<Record<string, ParamSpec>>;
type AnswerTable = Readonly<Record<string, AnswerSpec>>;
type FilledTable = Readonly<Record<string, FilledSpec>>;

export interface MethodSpec<R, P extends ParamTable, A extends AnswerTable, F extends FilledTable> {
  readonly params: P;
  readonly filled?: F;
  /** The answer's fields by wire key (absent: an empty answer). */
  readonly answer?: A;
  /** A post-processing step of the client, by name; args: the hook's argument names -> parameter names. */
  readonly hook?: { readonly name: string; readonly args?: Readonly<Record<string, keyof P & string>> };
  /** The result type (void when absent); for a push, what its handlers get, built from the params by name. */
  readonly result?: Returns<R>;
  /** A push: the user-level event it raises. */
  readonly push?: PushSpec;
}

export type Direction = "call" | "push";

export interface Param {
  /** SDK parameter name (fromUid). */
  readonly name: string;
  readonly wire: string;
  readonly type: WireType;
  readonly optional: boolean;
  readonly default: unknown;
  readonly omitEmpty: boolean;
  readonly alias: string | undefined;
  readonly bounds: Bounds | undefined;
}
export interface AnswerField {
  readonly wire: string;
  /** The result field it becomes. */
  readonly name: string;
  readonly type: WireType;
  readonly optional: boolean;
}
export interface Filled extends FilledSpec {
  readonly wire: string;
}
export interface HookRef {
  readonly name: string;
  /** Hook argument name -> parameter name. */
  readonly args: readonly (readonly [arg: string, param: string])[];
}

/** What the type-level helpers (RequestOf, AnswerValue, ResultOf) read; absent at run time. */
interface Spec<R, P, A, F, S> {
  readonly result: R;
  readonly params: P;
  readonly answer: A;
  readonly filled: F;
  readonly auth: S;
}

export interface MethodDescriptor<R = unknown, P = ParamTable, A = AnswerTable, F = FilledTable, S extends Auth = Auth> {
  readonly service: ServiceInfo<S>;
  readonly name: string;
  readonly fpnn: string;
  /** What the method does (the IDL's doc). */
  readonly doc: string;
  readonly direction: Direction;
  /** The caller's parameters, in call order (a variant lacks the ones it fixes). */
  readonly params: readonly Param[];
  /** Wire fields with a value fixed by the method (a variant's mtype). */
  readonly fixed: readonly (readonly [wire: string, value: unknown])[];
  readonly filled: readonly Filled[];
  readonly answer: readonly AnswerField[];
  readonly hook: HookRef | undefined;
  /** The method a variant derives from. */
  readonly base: MethodDescriptor | undefined;
  /** A push: the user-level event it raises. */
  readonly push: PushSpec | undefined;
  readonly __spec?: Spec<R, P, A, F, S>;
}

/** Any descriptor, whatever its phantom types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethod = MethodDescriptor<any, any, any, any, any>;

/** A method of a service: its SDK name (sendMessage), its FPNN name (sendmsg), what it does, and its tables. */
export function method<R = void, const P extends ParamTable = {}, const A extends AnswerTable = {}, const F extends FilledTable = {}, const S extends Auth = Auth>(
  service: ServiceInfo<S>,
  name: string,
  fpnn: string,
  doc: string,
  spec: MethodSpec<R, P, A, F>,
): MethodDescriptor<R, P, A, F, S> {
  const params = Object.entries(spec.params).map(([name, [wire, type, options]]): Param => {
    const bounds = options?.min !== undefined || options?.max !== undefined ? { min: options.min, max: options.max } : undefined;
    return { name, wire, type, optional: options?.optional === true, default: options?.default, omitEmpty: options?.omitEmpty === true, alias: options?.alias, bounds };
  });
  const answer = Object.entries(spec.answer ?? {}).map(([wire, field]): AnswerField => {
    if (!Array.isArray(field)) return { wire, name: wire, type: field as WireType, optional: false };
    const [name, type, options] = field as Extract<AnswerSpec, readonly unknown[]>;
    return { wire, name, type, optional: options?.optional === true };
  });
  const filled = Object.entries(spec.filled ?? {}).map(([wire, f]): Filled => ({ wire, ...f }));
  const hook = spec.hook === undefined ? undefined : { name: spec.hook.name, args: Object.entries(spec.hook.args ?? {}) };
  return Object.freeze({ service, name, fpnn, doc, direction: service.direction, params, fixed: [], filled, answer, hook, base: undefined, push: spec.push });
}

/**
 * A method derived from another by fixing parameters (sendChat is sendMessage with mtype 30): same FPNN
 * method, same answer, without the fixed parameters.
 */
export function variant<D extends AnyMethod>(base: D, name: string, fixed: Readonly<Partial<Record<keyof NonNullable<D["__spec"]>["params"], unknown>>>, doc = base.doc): D {
  const fixedNames = Object.keys(fixed);
  const unknown = fixedNames.filter((n) => !base.params.some((p) => p.name === n));
  if (unknown.length > 0) throw new Error(`${name}: fixes ${unknown.join(", ")}, which ${base.name} does not have`);
  return Object.freeze({
    ...base,
    name,
    doc,
    params: base.params.filter((p) => !fixedNames.includes(p.name)),
    fixed: [...base.fixed, ...base.params.filter((p) => fixedNames.includes(p.name)).map((p) => [p.wire, (fixed as Record<string, unknown>)[p.name]] as const)],
    base,
  }) as D;
}

type AllOptional<P> = { readonly [K in keyof P]: P[K] extends readonly [infer W, infer T, ...unknown[]] ? readonly [W, T, { readonly optional: true }] : never };
type ParamsOf<D> = SpecOf<D>["params"];

/**
 * The endpoint of an FPNN method the client reaches through two methods that send different keys (setlisten:
 * by ids or for everything): every key of either, each optional. What a server registers; clients call the forms.
 */
export function alternatives<A extends AnyMethod, B extends AnyMethod>(
  a: A,
  b: B,
): MethodDescriptor<void, AllOptional<ParamsOf<A> & ParamsOf<B>>, SpecOf<A>["answer"], SpecOf<A>["filled"], SpecOf<A>["auth"]> {
  if (a.fpnn !== b.fpnn) throw new Error(`alternatives: ${a.name} sends ${a.fpnn}, ${b.name} sends ${b.fpnn}`);
  const params = [...a.params, ...b.params.filter((p) => !a.params.some((q) => q.wire === p.wire))].map((p) => ({ ...p, optional: true }));
  return Object.freeze({ ...a, params, base: undefined });
}

/** The FPNN methods of one service side, by FPNN name: what a server (or a client, for pushes) registers handlers for. */
export type Endpoints = Readonly<Record<string, AnyMethod>>;

export function endpoints<const E extends Endpoints>(table: E): E {
  for (const [fpnn, d] of Object.entries(table)) if (d.fpnn !== fpnn) throw new Error(`endpoint ${fpnn} holds ${d.name}, whose FPNN method is ${d.fpnn}`);
  return Object.freeze(table);
}

// Type-level views of a descriptor.

type SpecOf<D> = NonNullable<D extends MethodDescriptor<infer R, infer P, infer A, infer F, infer S> ? Spec<R, P, A, F, S> : never>;
/** A key a request may lack: an optional parameter's, or one left out when empty. */
type Optional = readonly [string, WireType, { readonly optional: true } | { readonly omitEmpty: true }];
type TypeOfAnswer<T> = T extends readonly [string, infer W, ...unknown[]] ? W : T;
type Flat<T> = { [K in keyof T]: T[K] } & {};

/** The result a client call resolves to. */
export type ResultOf<D> = SpecOf<D>["result"];

/** A request as a server handler receives it, by wire key (64-bit integers as bigint). */
export type RequestOf<D, P = SpecOf<D>["params"], F = SpecOf<D>["filled"]> = Flat<
  { -readonly [K in keyof P as P[K] extends Optional ? never : P[K] extends ParamSpec ? P[K][0] : never]: P[K] extends ParamSpec ? OutOf<P[K][1]> : never } & {
    -readonly [K in keyof P as P[K] extends Optional ? (P[K] extends ParamSpec ? P[K][0] : never) : never]?: P[K] extends ParamSpec ? OutOf<P[K][1]> : never;
  } & { -readonly [K in keyof F]: F[K] extends FilledSpec<infer T> ? OutOf<T> : never }
>;

/** An answer as a handler gives it, by wire key. */
export type AnswerValue<D, A = SpecOf<D>["answer"]> = Flat<
  { -readonly [K in keyof A as A[K] extends Optional ? never : K]: AnswerOf<TypeOfAnswer<A[K]>> } & {
    -readonly [K in keyof A as A[K] extends Optional ? K : never]?: AnswerOf<TypeOfAnswer<A[K]>>;
  }
>;

/** An answer as a client reads it, by wire key (64-bit integers as bigint). */
export type ReadAnswerOf<D, A = SpecOf<D>["answer"]> = Flat<
  { -readonly [K in keyof A as A[K] extends Optional ? never : K]: OutOf<TypeOfAnswer<A[K]>> } & {
    -readonly [K in keyof A as A[K] extends Optional ? K : never]?: OutOf<TypeOfAnswer<A[K]>>;
  }
>;

export type AuthOf<D> = SpecOf<D>["auth"];
