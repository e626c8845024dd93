import { FpnnError, type Payload, type QuestContext, type ServerConnection, type ServerHandler, type ServerInterceptor } from "@rtmkit/fpnn";
import { RAISER } from "../server/chat-handlers.js";
import { HeldAnswers } from "../server/held-answers.js";
import { describe } from "./args.js";
import type { MethodFault } from "./types.js";

/** Longest delay a runtime fault may add to an answer, in ms (10 minutes). */
export const MAX_FAULT_DELAY_MS = 600_000;
/** The `ex` of an error answer an errorCode fault sends. */
export const INJECTED_FAULT = "injected fault";

type Outcome = { ok: true; value: Payload | void } | { ok: false; error: unknown };

/**
 * Faults per FPNN method, set and cleared while the emulator runs (EmulatorAdmin.setMethodFault). Its
 * interceptor sits between the traffic tap and the static fault injection (FaultOptions): a quest of a method
 * with a fault is delayed, answered with an error without running its handler, or handled and never answered;
 * every other quest costs a size check (no fault at all) or one map lookup. Held answers and running delays end
 * at closeHeld(), so the emulator's close never waits for them. At most one fault per served method.
 */
export class MethodFaults {
  readonly #methods: ReadonlySet<string>;
  readonly #faults = new Map<string, Readonly<MethodFault>>();
  /** Connections holding answers that are never sent (each leaves when it closes). */
  readonly #held = new HeldAnswers();
  /** Delays running now, each ended early by closeHeld(); at most one per quest in flight. */
  readonly #delays = new Set<() => void>();

  constructor(methods: Iterable<string>) {
    this.#methods = new Set(methods);
  }

  readonly interceptor: ServerInterceptor = (next) => (payload, context) => {
    if (this.#faults.size === 0) return next(payload, context);
    const fault = this.#faults.get(context.method);
    return fault === undefined ? next(payload, context) : this.#apply(fault, next, payload, context);
  };

  set(method: unknown, fault: unknown): void {
    if (typeof method !== "string" || !this.#methods.has(method)) throw new TypeError(`method: ${describe(method)} is not a method this emulator serves`);
    if (fault === null) {
      this.#faults.delete(method);
      return;
    }
    this.#faults.set(method, checkedFault(fault));
  }

  /** The methods a fault may be set for, ascending. */
  methods(): string[] {
    return [...this.#methods].sort();
  }

  /** A copy: method -> fault. */
  all(): Record<string, MethodFault> {
    return Object.fromEntries([...this.#faults].map(([method, fault]) => [method, { ...fault }]));
  }

  clear(): void {
    this.#faults.clear();
  }

  /** The server is closing: held answers are never coming (their connections close) and delays end now. */
  closeHeld(): void {
    this.#held.release();
    for (const end of [...this.#delays]) end();
  }

  async #apply(fault: Readonly<MethodFault>, next: ServerHandler, payload: Payload, context: QuestContext<ServerConnection>): Promise<Payload | void> {
    let outcome: Outcome;
    if (fault.errorCode !== undefined) {
      outcome = { ok: false, error: new FpnnError(fault.errorCode, INJECTED_FAULT, { raiser: RAISER, method: context.method }) };
    } else {
      try {
        outcome = { ok: true, value: await next(payload, context) };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }
    if (fault.delayMs !== undefined && fault.delayMs > 0) await this.#delay(fault.delayMs);
    if (fault.dropAnswer === true) return this.#held.hold(context.connection);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  #delay(ms: number): Promise<void> {
    if (this.#held.releasing) return Promise.resolve();
    return new Promise((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        this.#delays.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.#delays.add(end);
    });
  }
}

const FAULT_KEYS: readonly string[] = ["dropAnswer", "delayMs", "errorCode"];

/** A fault as given, checked: a TypeError names the key that is wrong. */
function checkedFault(fault: unknown): MethodFault {
  if (typeof fault !== "object" || fault === null || Array.isArray(fault)) throw new TypeError(`fault: expected an object or null, got ${describe(fault)}`);
  const given = fault as Record<string, unknown>;
  for (const key of Object.keys(given)) if (!FAULT_KEYS.includes(key)) throw new TypeError(`fault.${key}: not a fault (${FAULT_KEYS.join(", ")})`);
  const checked: MethodFault = {};
  if (given.dropAnswer !== undefined) {
    if (typeof given.dropAnswer !== "boolean") throw new TypeError(`fault.dropAnswer: expected a boolean, got ${describe(given.dropAnswer)}`);
    checked.dropAnswer = given.dropAnswer;
  }
  if (given.delayMs !== undefined) {
    const delay = given.delayMs;
    if (typeof delay !== "number" || !Number.isInteger(delay) || delay < 0 || delay > MAX_FAULT_DELAY_MS) {
      throw new TypeError(`fault.delayMs: expected an integer in 0..${MAX_FAULT_DELAY_MS}, got ${describe(delay)}`);
    }
    checked.delayMs = delay;
  }
  if (given.errorCode !== undefined) {
    const code = given.errorCode;
    if (typeof code !== "number" || !Number.isSafeInteger(code) || code < 1) throw new TypeError(`fault.errorCode: expected a positive integer (an RTM or FPNN code), got ${describe(code)}`);
    checked.errorCode = code;
  }
  if (checked.dropAnswer !== true && (checked.delayMs ?? 0) === 0 && checked.errorCode === undefined) {
    throw new TypeError("fault: does nothing; give dropAnswer: true, a delayMs above 0 or an errorCode (null clears a fault)");
  }
  return checked;
}
