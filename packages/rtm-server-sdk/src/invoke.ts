import { FpnnErrorCode, type Payload, type QuestOptions } from "@rtmkit/fpnn";
import type { z } from "zod";
import type { CallOptions, MethodDescriptor } from "./descriptor.js";
import { invalidArgument, RTMError } from "./errors.js";
import { int64 } from "./generated/scalars.js";
import { historyHooks } from "./history.js";
import { idGenerators } from "./ids.js";
import { computeSign } from "./signing.js";

/** What the invoker needs from a connection: FpnnClient satisfies it. */
export interface QuestTransport {
  quest(method: string, payload: Payload, options?: QuestOptions): Promise<Payload>;
}

export interface InvokerOptions {
  pid: number;
  secret: string;
  /** Validate arguments before sending (default true). Answers are always checked and mapped. */
  validate?: boolean;
}

type Hook = (result: Record<string, unknown>, args: Record<string, unknown>) => unknown;
const hooks: Readonly<Record<string, Hook>> = historyHooks;

/** Everything about a descriptor that can be worked out once, before its first call. */
interface Compiled {
  readonly fixed: readonly (readonly [string, unknown])[];
  readonly setParams: readonly number[];
  readonly filled: readonly { wire: string; option: string | undefined; returned: boolean; generate: () => number }[];
  readonly voidResult: boolean;
  readonly hook: Hook | undefined;
  readonly hookArgs: readonly (readonly [string, number])[];
}

function compile(d: MethodDescriptor): Compiled {
  const hook = d.hook === undefined ? undefined : hooks[d.hook.name];
  if (d.hook !== undefined && hook === undefined) throw new Error(`${d.name}: the IDL names hook "${d.hook.name}", which the SDK does not implement`);
  const filled = d.filled.map((f) => {
    const generate = idGenerators[f.generate];
    if (generate === undefined) throw new Error(`${d.name}: the IDL names id generator "${f.generate}", which the SDK does not implement`);
    return { wire: f.wire, option: f.option, returned: f.returned, generate };
  });
  return {
    fixed: Object.entries(d.fixed),
    setParams: d.kinds.flatMap((k, i) => (k === "list" || k === "int64list" ? [i] : [])),
    filled,
    voidResult: d.result.length === 0 && !d.filled.some((f) => f.returned) && d.hook === undefined,
    hook,
    hookArgs: Object.entries(d.hook?.args ?? {}),
  };
}

/**
 * The generic invoke every generated method calls: validate, build the payload (auth, fixed and
 * filled fields), send, then check and map the answer.
 */
export class Invoker {
  readonly #transport: QuestTransport;
  readonly #pid: number;
  readonly #secret: string;
  readonly #validate: boolean;
  readonly #compiled = new WeakMap<MethodDescriptor, Compiled>();

  constructor(transport: QuestTransport, options: InvokerOptions) {
    this.#transport = transport;
    this.#pid = options.pid;
    this.#secret = options.secret;
    this.#validate = options.validate ?? true;
  }

  async invoke<Args extends readonly unknown[], Result>(d: MethodDescriptor<Args, Result>, args: Args, options: CallOptions | undefined): Promise<Result> {
    const method = d as unknown as MethodDescriptor;
    let c = this.#compiled.get(method);
    if (c === undefined) {
      c = compile(method);
      this.#compiled.set(method, c);
    }
    if (this.#validate) {
      const checked = d.input.safeParse(args);
      if (!checked.success) throw argumentError(d, checked.error);
    }

    const payload: Payload = {};
    if (d.signed) {
      const salt = idGenerators.salt!();
      const ts = Math.floor(Date.now() / 1000);
      payload.pid = this.#pid;
      payload.sign = computeSign(this.#pid, this.#secret, salt, d.fpnn, ts);
      payload.salt = salt;
      payload.ts = ts;
    }
    for (const [key, value] of c.fixed) payload[key] = value;
    const wire = d.wire;
    for (let i = 0; i < wire.length; i++) {
      const value = args[i] ?? d.defaults[i];
      if (value !== undefined) payload[wire[i]!] = value;
    }
    for (const i of c.setParams) {
      const value = payload[wire[i]!];
      if (value instanceof Set) payload[wire[i]!] = [...value];
    }
    let filledValues: unknown[] | undefined;
    for (const f of c.filled) {
      const given = f.option === undefined || options === undefined ? undefined : (options as Record<string, unknown>)[f.option];
      if (given !== undefined && this.#validate && !int64.safeParse(given).success) {
        throw invalidArgument(d.name, `options.${f.option}`, "expected an int64 (a bigint, or a number that is a safe integer)");
      }
      const value = given ?? f.generate();
      payload[f.wire] = value;
      (filledValues ??= []).push(value);
    }

    let answer: Payload;
    try {
      answer = await this.#transport.quest(d.fpnn, payload, options);
    } catch (error) {
      throw RTMError.from(error, d.name);
    }
    return mapAnswer(d, c, answer, args, filledValues) as Result;
  }
}

function mapAnswer(d: MethodDescriptor<readonly unknown[], unknown>, c: Compiled, answer: Payload, args: readonly unknown[], filledValues: unknown[] | undefined): unknown {
  const parsed = d.answer.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RTMError(FpnnErrorCode.CoreDecoding, `${d.name}: unexpected answer: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`, {
      method: d.name,
    });
  }
  if (c.voidResult) return undefined;
  const data = parsed.data;
  const result: Record<string, unknown> = {};
  for (const [wire, field] of d.result) {
    const value = data[wire];
    if (value !== undefined) result[field] = value;
  }
  if (filledValues !== undefined) {
    for (let i = 0; i < c.filled.length; i++) {
      const f = c.filled[i]!;
      if (f.returned) result[f.wire] = BigInt(filledValues[i] as bigint | number);
    }
  }
  if (c.hook === undefined) return result;
  const hookArgs: Record<string, unknown> = {};
  for (const [name, index] of c.hookArgs) hookArgs[name] = args[index];
  return c.hook(result, hookArgs);
}

function argumentError(d: MethodDescriptor<readonly unknown[], unknown>, error: z.ZodError): RTMError {
  const issue = error.issues[0];
  const index = typeof issue?.path[0] === "number" ? issue.path[0] : -1;
  const param = d.params[index] ?? "arguments";
  const rest = issue?.path.slice(1).map((p) => `[${String(p)}]`).join("") ?? "";
  const tooMany = issue?.code === "too_big" && issue.path.length === 0;
  return invalidArgument(d.name, tooMany ? "arguments" : `${param}${rest}`, tooMany ? `expected at most ${d.params.length} arguments` : (issue?.message ?? "invalid"));
}
