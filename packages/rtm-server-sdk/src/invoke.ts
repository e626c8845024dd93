import { FpnnErrorCode, type Payload, type QuestOptions } from "@rtmkit/fpnn";
import { z } from "zod";
import type { CallOptions, MethodDescriptor } from "./descriptor.js";
import { invalidArgument, RTMError } from "./errors.js";
import { isInt64, wireInt64 } from "./generated/scalars.js";
import { historyHooks } from "./history.js";
import { idGenerators } from "./ids.js";
import { Signer } from "./signing.js";

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

interface Filled {
  readonly wire: string;
  readonly option: string | undefined;
  readonly generate: () => number;
}

/** Everything about a descriptor that can be worked out once, before its first call. */
interface Plan {
  readonly fixed: readonly (readonly [string, unknown])[];
  readonly filled: readonly Filled[];
  /** Wire keys of the filled fields the result carries (as bigint). */
  readonly returned: readonly string[];
  readonly voidResult: boolean;
  readonly hook: Hook | undefined;
  readonly hookArgs: readonly (readonly [string, number])[];
  /**
   * When every field of the answer schema is wireInt64: its keys. Such answers are checked and
   * converted here without zod (no parse result, no copied object); anything the plain check does not
   * accept goes through `d.answer`, which words the error.
   */
  readonly int64Answer: readonly string[] | undefined;
}

function int64AnswerKeys(answer: z.ZodType): readonly string[] | undefined {
  if (!(answer instanceof z.ZodObject)) return undefined;
  const shape = answer.shape as Record<string, z.ZodType>;
  const keys = Object.keys(shape);
  return keys.every((k) => shape[k] === wireInt64) ? keys : undefined;
}

function planOf(d: MethodDescriptor): Plan {
  const hook = d.hook === undefined ? undefined : hooks[d.hook.name];
  if (d.hook !== undefined && hook === undefined) throw new Error(`${d.name}: the IDL names hook "${d.hook.name}", which the SDK does not implement`);
  const filled = d.filled.map((f) => {
    const generate = idGenerators[f.generate];
    if (generate === undefined) throw new Error(`${d.name}: the IDL names id generator "${f.generate}", which the SDK does not implement`);
    return { wire: f.wire, option: f.option, generate };
  });
  return {
    fixed: Object.entries(d.fixed),
    filled,
    returned: d.filled.filter((f) => f.returned).map((f) => f.wire),
    voidResult: d.result.length === 0 && !d.filled.some((f) => f.returned) && d.hook === undefined,
    hook,
    hookArgs: Object.entries(d.hook?.args ?? {}),
    int64Answer: int64AnswerKeys(d.answer),
  };
}

/** Plans are facts of the generated descriptors, shared by every client. */
const plans = new WeakMap<MethodDescriptor, Plan>();

function cachedPlan(d: MethodDescriptor): Plan {
  let plan = plans.get(d);
  if (plan === undefined) {
    plan = planOf(d);
    plans.set(d, plan);
  }
  return plan;
}

const nextSalt = idGenerators.salt!;

/**
 * The generic invoke every generated method calls: validate, build the payload (auth, fixed and
 * filled fields), send, then check and map the answer. Not an async function: the hot path hands
 * back the transport's promise with one `then`, and every failure still arrives as a rejection.
 */
export class Invoker {
  readonly #transport: QuestTransport;
  readonly #pid: number;
  readonly #signer: Signer;
  readonly #validate: boolean;

  constructor(transport: QuestTransport, options: InvokerOptions) {
    this.#transport = transport;
    this.#pid = options.pid;
    this.#signer = new Signer(options.pid, options.secret);
    this.#validate = options.validate ?? true;
  }

  invoke<Args extends readonly unknown[], Result>(descriptor: MethodDescriptor<Args, Result>, args: Args, options: CallOptions | undefined): Promise<Result> {
    const d = descriptor as unknown as MethodDescriptor;
    let plan: Plan;
    let payload: Payload;
    let sent: Promise<Payload>;
    try {
      plan = cachedPlan(d);
      if (this.#validate && d.accepts?.(args) !== true) {
        const checked = d.input.safeParse(args);
        if (!checked.success) throw argumentError(d, checked.error);
      }
      payload = this.#payload(d, plan, args, options);
      sent = this.#transport.quest(d.fpnn, payload, options);
    } catch (error) {
      return Promise.reject(error instanceof RTMError ? error : RTMError.from(error, d.name));
    }
    return sent.then(
      (answer) => mapAnswer(d, plan, answer, args, payload) as Result,
      (error: unknown) => {
        throw RTMError.from(error, d.name);
      },
    );
  }

  #payload(d: MethodDescriptor, plan: Plan, args: readonly unknown[], options: CallOptions | undefined): Payload {
    const payload: Payload = {};
    const now = Date.now();
    if (d.signed) {
      const salt = nextSalt();
      const ts = Math.floor(now / 1000);
      payload.pid = this.#pid;
      payload.sign = this.#signer.sign(salt, d.fpnn, ts);
      payload.salt = salt;
      payload.ts = ts;
    }
    const fixed = plan.fixed;
    for (let i = 0; i < fixed.length; i++) payload[fixed[i]![0]] = fixed[i]![1];
    const wire = d.wire;
    for (let i = 0; i < wire.length; i++) {
      const value = args[i] ?? d.defaults[i];
      if (value !== undefined) payload[wire[i]!] = value instanceof Set ? [...(value as Set<unknown>)] : value;
    }
    const filled = plan.filled;
    for (let i = 0; i < filled.length; i++) {
      const f = filled[i]!;
      const given = f.option === undefined || options === undefined ? undefined : (options as Record<string, unknown>)[f.option];
      if (given !== undefined && this.#validate && !isInt64(given)) {
        throw invalidArgument(d.name, `options.${f.option}`, "expected an int64 (a bigint, or a number that is a safe integer)");
      }
      payload[f.wire] = given ?? f.generate();
    }
    return payload;
  }
}

/** Whether wireInt64 accepts a value (a bigint, or a number that is a safe integer). */
function isWireInt64(value: unknown): boolean {
  return typeof value === "bigint" || Number.isSafeInteger(value);
}

function mapAnswer(d: MethodDescriptor, plan: Plan, answer: Payload, args: readonly unknown[], payload: Payload): unknown {
  const keys = plan.int64Answer;
  if (keys !== undefined && typeof answer === "object" && answer !== null && !Array.isArray(answer)) {
    let ok = true;
    for (let i = 0; i < keys.length && ok; i++) ok = isWireInt64(answer[keys[i]!]);
    // Every field is then present and an int64: mapData converts the ones the result takes.
    if (ok) return mapData(d, plan, answer, true, args, payload);
  }
  const parsed = d.answer.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RTMError(FpnnErrorCode.CoreDecoding, `${d.name}: unexpected answer: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`, {
      method: d.name,
    });
  }
  return mapData(d, plan, parsed.data, false, args, payload);
}

/** Builds the result from checked answer data; `toBigInt`: the data is the raw answer, its int64 fields still numbers or bigints. */
function mapData(d: MethodDescriptor, plan: Plan, data: Record<string, unknown>, toBigInt: boolean, args: readonly unknown[], payload: Payload): unknown {
  if (plan.voidResult) return undefined;
  const result: Record<string, unknown> = {};
  const fields = d.result;
  for (let i = 0; i < fields.length; i++) {
    const [wire, field] = fields[i]!;
    const value = data[wire];
    if (value !== undefined) result[field] = toBigInt ? BigInt(value as bigint | number) : value;
  }
  for (const wire of plan.returned) result[wire] = BigInt(payload[wire] as bigint | number);
  if (plan.hook === undefined) return result;
  const hookArgs: Record<string, unknown> = {};
  for (const [name, index] of plan.hookArgs) hookArgs[name] = args[index];
  return plan.hook(result, hookArgs);
}

function argumentError(d: MethodDescriptor, error: z.ZodError): RTMError {
  const issue = error.issues[0];
  const index = typeof issue?.path[0] === "number" ? issue.path[0] : -1;
  const param = d.params[index] ?? "arguments";
  const rest = issue?.path.slice(1).map((p) => `[${String(p)}]`).join("") ?? "";
  const tooMany = issue?.code === "too_big" && issue.path.length === 0;
  return invalidArgument(d.name, tooMany ? "arguments" : `${param}${rest}`, tooMany ? `expected at most ${d.params.length} arguments` : (issue?.message ?? "invalid"));
}
