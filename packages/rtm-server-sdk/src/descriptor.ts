import type { z } from "zod";

/**
 * The interface generated code is generated against: one MethodDescriptor per SDK method, handed to the
 * generic invoke (invoke.ts) by a one-line generated method.
 */

/** A 64-bit integer as a caller passes it: a bigint, or a number that is a safe integer. Results carry bigint. */
export type Int64 = bigint | number;

/** Per-call options. `timeout` is in seconds; 0 or absent means the client's default. */
export interface CallOptions {
  timeout?: number;
  signal?: AbortSignal;
}

/** How a parameter value is prepared for msgpack: 64-bit values become exact integers, sets become arrays. */
export type WireKind = "plain" | "int64" | "list" | "int64list";

/** A wire field the client fills in itself (a fresh mid), optionally overridable through the call options. */
export interface FilledField {
  readonly wire: string;
  /** Name of the generator in the runtime (ids.ts), e.g. "mid". */
  readonly generate: string;
  /** Call option that supplies the value instead. */
  readonly option?: string;
  /** Whether the value is part of the result (under the wire key). */
  readonly returned: boolean;
}

/** A hand-written post-processing step named by the IDL; args map the hook's argument names to parameter indexes. */
export interface HookRef {
  readonly name: string;
  readonly args: Readonly<Record<string, number>>;
}

export interface MethodDescriptor<Args extends readonly unknown[] = readonly unknown[], Result = unknown> {
  readonly service: string;
  /** SDK method name (sendChat). */
  readonly name: string;
  /** FPNN method name (sendmsg). */
  readonly fpnn: string;
  /** Whether the runtime adds pid, sign, salt and ts. */
  readonly signed: boolean;
  /** SDK parameter names, in call order (for error messages). */
  readonly params: readonly string[];
  /** Wire key of each parameter. */
  readonly wire: readonly string[];
  readonly kinds: readonly WireKind[];
  /** Value used when an optional parameter is undefined (undefined: leave the key out). */
  readonly defaults: readonly unknown[];
  /** Wire fields with a value fixed by the method (a variant's mtype). */
  readonly fixed: Readonly<Record<string, unknown>>;
  readonly filled: readonly FilledField[];
  /** Validates the positional arguments. */
  readonly input: z.ZodType;
  /**
   * A fast plain check of the arguments, true only for arguments `input` accepts; `input` (which words
   * the error) runs when it is false or absent.
   */
  readonly accepts?: (args: readonly unknown[]) => boolean;
  /** Validates the answer and converts its 64-bit values to bigint. */
  readonly answer: z.ZodType<Record<string, unknown>>;
  /** Answer wire key -> result field. */
  readonly result: readonly (readonly [wire: string, field: string])[];
  readonly hook?: HookRef;
  /** Phantom: the result type. */
  readonly __result?: Result;
}

/** What generated client methods call. */
export type Invoke = <Args extends readonly unknown[], Result>(
  method: MethodDescriptor<Args, Result>,
  args: Args,
  options: CallOptions | undefined,
) => Promise<Result>;
