import { StrBytes } from "@rtmkit/fpnn";
import { z } from "zod";
import { inputCheck, UNREAD, wireReader, type Check, type Reader } from "./checks.js";
import type { AnyMethod } from "./method.js";
import { firstIssue, inputSchema, objectSchema } from "./schemas.js";

/** Per-call options. `timeout` is in seconds; 0 or absent means the client's default. */
export interface CallOptions {
  timeout?: number;
  signal?: AbortSignal;
}

/**
 * Options of a call of a "fileToken" service (a file send): CallOptions, and what the client writes into the
 * attrs of the file besides its sign. The extension defaults to the text after the last "." of the name.
 */
export interface FileOptions extends CallOptions {
  fileName?: string;
  fileExtension?: string;
  /** Your own attributes of the file message. */
  attrs?: Readonly<Record<string, string>>;
}

/** A client's post-processing step named by the IDL (`hook:`): the mapped result and the named arguments in, the result out. */
export type Hook = (result: Record<string, unknown>, args: Record<string, unknown>) => unknown;

/** What a client supplies for the names the IDL uses: hooks and id generators. */
export interface ClientParts {
  readonly hooks: Readonly<Record<string, Hook>>;
  readonly ids: Readonly<Record<string, () => number | bigint>>;
}

/** A refused argument: the parameter (or option) path and why. */
export interface ArgumentIssue {
  readonly path: string;
  readonly message: string;
}

/** What `CallPlan.result` gives for an answer that does not match the table; `answerIssue` words it. */
export const ANSWER_MISMATCH = Symbol("answer mismatch");

type ParamWrite = "asIs" | "bytes" | "omitEmpty";

/** What an omitEmpty parameter leaves out: an empty list or set, an empty string, 0. */
function isEmpty(value: unknown): boolean {
  return value === 0 || value === 0n || value === "" || (Array.isArray(value) && value.length === 0);
}

interface PlannedFilled {
  readonly wire: string;
  readonly option: string | undefined;
  readonly generate: () => number | bigint;
  readonly check: Check;
}

/**
 * Everything about one method that a client can work out once: the argument checks, how the payload is
 * filled, how the answer is read and mapped. Built on first use of a descriptor, shared by every call.
 */
export class CallPlan {
  readonly #method: AnyMethod;
  readonly #checks: readonly Check[];
  readonly #optional: readonly boolean[];
  /** Per parameter, how fill() writes a value other than as is; undefined when every value goes as is. */
  readonly #writes: readonly ParamWrite[] | undefined;
  readonly #filled: readonly PlannedFilled[];
  readonly #readers: readonly Reader[];
  readonly #returned: readonly string[];
  readonly #hook: Hook | undefined;
  readonly #hookArgs: readonly (readonly [arg: string, index: number])[];
  readonly #voidResult: boolean;
  #argsSchema: z.ZodType | undefined;
  #answerSchema: z.ZodType<Record<string, unknown>> | undefined;

  constructor(method: AnyMethod, parts: ClientParts) {
    const d = method;
    this.#method = d;
    this.#checks = d.params.map((p) => inputCheck(p.type, p.bounds));
    this.#optional = d.params.map((p) => p.optional);
    const writes = d.params.map((p): ParamWrite => (p.type.kind === "bytes" ? "bytes" : p.omitEmpty ? "omitEmpty" : "asIs"));
    this.#writes = writes.every((w) => w === "asIs") ? undefined : writes;
    this.#filled = d.filled.map((f) => {
      const generate = parts.ids[f.generate];
      if (generate === undefined) throw new Error(`${d.name}: the IDL names id generator "${f.generate}", which this client does not have`);
      return { wire: f.wire, option: f.option, generate, check: inputCheck(f.type) };
    });
    this.#readers = d.answer.map((a) => wireReader(a.type));
    this.#returned = d.filled.filter((f) => f.returned).map((f) => f.wire);
    this.#hook = d.hook === undefined ? undefined : parts.hooks[d.hook.name];
    if (d.hook !== undefined && this.#hook === undefined) throw new Error(`${d.name}: the IDL names hook "${d.hook.name}", which this client does not have`);
    this.#hookArgs = (d.hook?.args ?? []).map(([arg, param]) => [arg, d.params.findIndex((p) => p.name === param)] as const);
    this.#voidResult = d.answer.length === 0 && this.#returned.length === 0 && d.hook === undefined;
  }

  get method(): AnyMethod {
    return this.#method;
  }

  /** Why the arguments are refused, or undefined when they are fine. */
  argumentIssue(args: readonly unknown[]): ArgumentIssue | undefined {
    const checks = this.#checks;
    let ok = args.length <= checks.length;
    for (let i = 0; i < checks.length && ok; i++) ok = checks[i]!(args[i]) || (this.#optional[i]! && args[i] === undefined);
    if (ok) return undefined;
    const parsed = this.argsSchema.safeParse(args);
    if (parsed.success) return undefined;
    const issue = firstIssue(parsed.error);
    const params = this.#method.params;
    if (issue.code === "too_big" && issue.path.length === 0) return { path: "arguments", message: `expected at most ${params.length} arguments` };
    const index = typeof issue.path[0] === "number" ? issue.path[0] : -1;
    const rest = issue.path.slice(1).map((p) => `[${String(p)}]`).join("");
    return { path: `${params[index]?.name ?? "arguments"}${rest}`, message: issue.message };
  }

  /** Why a filled field's option is refused (options.mid), or undefined. */
  optionIssue(options: object | undefined): ArgumentIssue | undefined {
    if (options === undefined) return undefined;
    for (const f of this.#filled) {
      const given = f.option === undefined ? undefined : (options as Record<string, unknown>)[f.option];
      if (given === undefined || f.check(given)) continue;
      const type = this.#method.filled.find((x) => x.wire === f.wire)!.type;
      const parsed = inputSchema(type).safeParse(given);
      return { path: `options.${f.option}`, message: parsed.success ? "invalid" : firstIssue(parsed.error).message };
    }
    return undefined;
  }

  /** Adds the fixed fields, the arguments and the filled fields to a payload, in that order. */
  fill(payload: Record<string, unknown>, args: readonly unknown[], options: object | undefined): void {
    const d = this.#method;
    const fixed = d.fixed;
    for (let i = 0; i < fixed.length; i++) payload[fixed[i]![0]] = fixed[i]![1];
    const params = d.params;
    const writes = this.#writes;
    for (let i = 0; i < params.length; i++) {
      let value = args[i] ?? params[i]!.default;
      if (value === undefined) continue;
      if (value instanceof Set) value = [...(value as Set<unknown>)];
      if (writes !== undefined) {
        // Bytes travel as a str holding them, as RTM's C++ SDK sends a std::string (docs/protocol/rtm-wire.md).
        if (writes[i] === "bytes" && value instanceof Uint8Array) value = new StrBytes(value);
        else if (writes[i] === "omitEmpty" && isEmpty(value)) continue;
      }
      payload[params[i]!.wire] = value;
    }
    const filled = this.#filled;
    for (let i = 0; i < filled.length; i++) {
      const f = filled[i]!;
      const given = f.option === undefined || options === undefined ? undefined : (options as Record<string, unknown>)[f.option];
      payload[f.wire] = given ?? f.generate();
    }
  }

  /** The call's result from its answer, or ANSWER_MISMATCH. */
  result(answer: unknown, args: readonly unknown[], payload: Readonly<Record<string, unknown>>): unknown {
    if (typeof answer !== "object" || answer === null || Array.isArray(answer)) return ANSWER_MISMATCH;
    const fields = this.#method.answer;
    const result: Record<string, unknown> = {};
    // What zod made of the whole answer, once, when a field's plain reader does not recognise its value.
    let parsed: Record<string, unknown> | undefined;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const raw = (answer as Record<string, unknown>)[f.wire];
      if (raw === undefined && f.optional) continue;
      let value = this.#readers[i]!(raw);
      if (value === UNREAD) {
        if (parsed === undefined) {
          const checked = this.answerSchema.safeParse(answer);
          if (!checked.success) return ANSWER_MISMATCH;
          parsed = checked.data;
        }
        value = parsed[f.wire];
      }
      result[f.name] = value;
    }
    if (this.#voidResult) return undefined;
    for (const wire of this.#returned) result[wire] = BigInt(payload[wire] as bigint | number);
    if (this.#hook === undefined) return result;
    const hookArgs: Record<string, unknown> = {};
    for (const [arg, index] of this.#hookArgs) hookArgs[arg] = args[index];
    return this.#hook(result, hookArgs);
  }

  /** "path: message" of an answer `result` refused. */
  answerIssue(answer: unknown): string {
    const parsed = this.answerSchema.safeParse(answer);
    if (parsed.success) return "(root): expected a map";
    const issue = firstIssue(parsed.error);
    return `${issue.path.join(".") || "(root)"}: ${issue.message}`;
  }

  /** The zod schema of the arguments (a tuple), built on first use. */
  get argsSchema(): z.ZodType {
    this.#argsSchema ??= argsSchema(this.#method);
    return this.#argsSchema;
  }

  /** The zod schema of the answer, built on first use. */
  get answerSchema(): z.ZodType<Record<string, unknown>> {
    this.#answerSchema ??= objectSchema(this.#method.answer.map((a) => ({ key: a.wire, type: a.type, optional: a.optional })));
    return this.#answerSchema;
  }
}

/** The zod schema of a method's positional arguments. */
export function argsSchema(method: AnyMethod): z.ZodType {
  const items = method.params.map((p) => (p.optional ? inputSchema(p.type, p.bounds).optional() : inputSchema(p.type, p.bounds)));
  return z.tuple(items as [z.ZodType]);
}
