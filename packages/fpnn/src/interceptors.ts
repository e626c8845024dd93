import type { QuestOptions } from "./arguments.js";
import type { QuestHandler } from "./connection.js";
import type { Payload } from "./msgpack/index.js";
import type { ServerConnection } from "./server.js";

/** One outgoing two-way quest: what FpnnClient.quest() takes and returns. */
export type QuestCall = (method: string, payload: Payload, options?: QuestOptions) => Promise<Payload>;

/**
 * Wraps every two-way quest an FpnnClient sends (connect-es style): it gets the next step and returns
 * the step that runs instead. It may change the method, payload or options, the answer or the error,
 * answer by itself, or retry. A throw becomes the quest's rejection.
 */
export type ClientInterceptor = (next: QuestCall) => QuestCall;

/**
 * Wraps every quest an FpnnServer hands to a registered handler (not the runtime's own answers: unknown
 * methods, the built-in `*ping`, the encryption's `*key`). Its result is the answer; a throw or rejection
 * becomes an error answer, like a handler's.
 */
export type ServerInterceptor = (next: QuestHandler<ServerConnection>) => QuestHandler<ServerConnection>;

/** The first interceptor is the outermost: it sees the call first and the answer last. */
export function chain<F>(interceptors: readonly ((next: F) => F)[], last: F): F {
  let next = last;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    next = interceptors[i]!(next);
    if (typeof next !== "function") throw new TypeError(`interceptors[${i}]: returned ${typeof next}, expected the function that runs instead of next`);
  }
  return next;
}

/** Checks the `interceptors` option; undefined when there are none, so the hot path can skip the chain. */
export function interceptorsOf<I>(option: readonly I[] | undefined, field = "options.interceptors"): readonly I[] | undefined {
  if (option === undefined) return undefined;
  if (!Array.isArray(option)) throw new TypeError(`${field}: expected an array of functions`);
  option.forEach((interceptor, i) => {
    if (typeof interceptor !== "function") throw new TypeError(`${field}[${i}]: expected a function, got ${typeof interceptor}`);
  });
  return option.length === 0 ? undefined : [...option];
}
