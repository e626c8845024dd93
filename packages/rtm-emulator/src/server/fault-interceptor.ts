import type { ServerConnection, ServerHandler, ServerInterceptor } from "@rtmkit/fpnn";
import { NO_FAULT, type ConnectionFaults, type FaultDecision, type FaultInjector } from "../faults.js";
import { HeldAnswers } from "./held-answers.js";

/**
 * Carries the fault injector's decisions out around the handlers: every quest of a connection is counted
 * and may be delayed, left unanswered, or followed by closing the connection. Put `interceptor` in the
 * server's interceptors (only when the injector is enabled) and call `closeHeld()` right after the
 * server's close().
 */
export class FaultInterception {
  readonly #injector: FaultInjector;
  readonly #faults = new WeakMap<ServerConnection, ConnectionFaults>();
  /** Connections holding answers that are never sent; close() must drop them or their handlers never finish. */
  readonly #held = new HeldAnswers();

  constructor(injector: FaultInjector) {
    this.#injector = injector;
  }

  readonly interceptor: ServerInterceptor = (next) => async (payload, context) => {
    const decision = this.#decide(context.connection, context.method);
    if (decision === NO_FAULT) return next(payload, context);
    let outcome: { ok: true; value: Awaited<ReturnType<ServerHandler>> } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await next(payload, context) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (decision.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    // After the answer has been written (the runtime writes it when this promise settles).
    if (decision.closeAfterAnswer) setImmediate(() => void context.connection.close());
    if (decision.dropAnswer) return this.#held.hold(context.connection);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };

  /** The server is closing: connections that hold dropped answers are closed (those answers were never coming). */
  closeHeld(): void {
    this.#held.release();
  }

  #decide(connection: ServerConnection, method: string): FaultDecision {
    let faults = this.#faults.get(connection);
    if (faults === undefined) {
      faults = this.#injector.connection();
      this.#faults.set(connection, faults);
    }
    return faults.onQuest(method);
  }
}
