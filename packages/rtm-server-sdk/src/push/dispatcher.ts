import type { FpnnClient, Payload } from "@rtmkit/fpnn";
import { PushPlan, registerImplementation, type PushedEvent } from "@rtmkit/protocol";
import { pushEndpoints } from "../generated/client.js";
import { RtmErrorCode } from "../generated/error-codes.js";
import type { RTMMessage } from "../generated/types.js";
import { clientHooks } from "../hooks.js";
import { PushStream, type PushStreamOptions } from "./push-stream.js";
import { RecentKeys } from "./recent-keys.js";
import type { Push, PushEventName, PushHandler, PushHandlers } from "./types.js";

export interface PushDedupeOptions {
  /** Most message keys remembered (5,000, as RTM's C++ SDK). */
  readonly capacity?: number;
  /** How long a key is remembered, seconds (300). */
  readonly ttlSeconds?: number;
}

export const DEFAULT_DEDUPE_CAPACITY = 5_000;
export const DEFAULT_DEDUPE_TTL_SECONDS = 300;

type AnyHandler = (data: unknown) => unknown;
const EMPTY_ANSWER: Payload = Object.freeze({});

/**
 * Receives the server's pushes on a client's connection: each is checked against the IDL, answered with an
 * empty map at once, dropped when it repeats a message seen recently (key: conversation, from, target, mid),
 * and handed to user code after the answer is on its way, on a later turn of the event loop, in arrival order.
 * A handler that throws or rejects is reported (`report`) and changes nothing for the others or the connection.
 */
export class PushDispatcher {
  readonly #handlers = new Map<string, Set<AnyHandler>>();
  readonly #streams = new Set<PushStream>();
  readonly #recent: RecentKeys | undefined;
  readonly #report: (error: Error) => void;
  #queue: Push[] = [];
  #scheduled = false;
  /** Pushes dropped as duplicates. */
  duplicates = 0;

  constructor(fpnn: FpnnClient, dedupe: PushDedupeOptions | false, report: (error: Error) => void) {
    this.#report = report;
    this.#recent = dedupe === false ? undefined : new RecentKeys(dedupe.capacity ?? DEFAULT_DEDUPE_CAPACITY, (dedupe.ttlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS) * 1000);
    const handlers: Record<string, (request: Record<string, unknown>) => Payload> = {};
    for (const [fpnn, descriptor] of Object.entries(pushEndpoints)) {
      const plan = new PushPlan(descriptor, clientHooks);
      handlers[fpnn] = (request) => {
        this.#receive(plan.read(request));
        return EMPTY_ANSWER;
      };
    }
    registerImplementation(fpnn, { endpoints: pushEndpoints, handlers }, { missingCode: RtmErrorCode.EmptyParameter, invalidCode: RtmErrorCode.InvalidParameter });
  }

  on(handlers: PushHandlers): () => void;
  on<K extends PushEventName>(event: K, handler: PushHandler<K>): () => void;
  on(first: PushHandlers | PushEventName, handler?: AnyHandler): () => void {
    const entries = typeof first === "string" ? [[first, handler] as const] : Object.entries(first);
    const added: [Set<AnyHandler>, AnyHandler][] = [];
    for (const [event, fn] of entries) {
      if (typeof fn !== "function") throw new TypeError(`onPush: the handler of "${event}" must be a function`);
      let set = this.#handlers.get(event);
      if (set === undefined) this.#handlers.set(event, (set = new Set()));
      set.add(fn as AnyHandler);
      added.push([set, fn as AnyHandler]);
    }
    return () => {
      for (const [set, fn] of added) set.delete(fn);
    };
  }

  stream(options: PushStreamOptions = {}): PushStream {
    return new PushStream(options, (stream) => {
      this.#streams.add(stream);
      return () => this.#streams.delete(stream);
    });
  }

  /** Ends every push iterator (the client closed): a consumer waiting in next() gets done. */
  endStreams(): void {
    for (const stream of [...this.#streams]) void stream.return();
  }

  #receive(pushed: PushedEvent): void {
    if (pushed.conversation !== undefined && this.#recent !== undefined) {
      const m = pushed.data as RTMMessage;
      if (this.#recent.seen(`${pushed.conversation}:${m.fromUid}:${m.toId}:${m.messageId}`)) {
        this.duplicates++;
        return;
      }
    }
    this.#queue.push({ event: pushed.event, data: pushed.data } as Push);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#drain);
    }
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const push of queue) {
      for (const handler of this.#handlers.get(push.event) ?? []) this.#run(handler, push);
      for (const stream of this.#streams) stream.offer(push);
    }
  };

  #run(handler: AnyHandler, push: Push): void {
    try {
      const result = handler(push.data);
      if (result instanceof Promise) result.catch((error: unknown) => this.#report(handlerError(push, error)));
    } catch (error) {
      this.#report(handlerError(push, error));
    }
  }
}

function handlerError(push: Push, error: unknown): Error {
  return new Error(`a "${push.event}" push handler failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
