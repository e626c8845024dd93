import { FpnnErrorCode } from "@rtmkit/fpnn";
import { RTMError } from "../errors.js";
import type { Push, PushEventName } from "./types.js";

export interface PushStreamOptions {
  /** Only these events (default: every event). */
  readonly events?: readonly PushEventName[];
  /**
   * Most pushes kept for a consumer that has not taken them yet (10,000). A consumer that falls further behind
   * gets an RTMError 20011 from next() once it has taken what was kept: pushes are not dropped silently.
   */
  readonly bufferSize?: number;
  /** Ends the iteration (next() resolves done). */
  readonly signal?: AbortSignal;
}

export const DEFAULT_PUSH_BUFFER = 10_000;

/** The pushes as an async iterator (`for await (const push of client.pushes())`), buffered up to a bound. */
export class PushStream implements AsyncIterableIterator<Push> {
  #buffer: Push[] = [];
  #head = 0;
  #waiting: ((result: IteratorResult<Push>) => void) | undefined;
  #overflow: RTMError | undefined;
  #done = false;
  readonly #bufferSize: number;
  readonly #events: ReadonlySet<string> | undefined;
  readonly #detach: () => void;
  readonly #signal: AbortSignal | undefined;

  constructor(options: PushStreamOptions, attach: (stream: PushStream) => () => void) {
    this.#bufferSize = options.bufferSize ?? DEFAULT_PUSH_BUFFER;
    this.#events = options.events === undefined ? undefined : new Set(options.events);
    this.#signal = options.signal;
    this.#detach = attach(this);
    if (this.#signal?.aborted) this.#finish();
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Called by the dispatcher for every push. */
  offer(push: Push): void {
    if (this.#done || this.#overflow !== undefined || (this.#events !== undefined && !this.#events.has(push.event))) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ value: push, done: false });
      return;
    }
    if (this.#buffer.length - this.#head >= this.#bufferSize) {
      this.#overflow = new RTMError(FpnnErrorCode.CoreWorkQueueFull, `pushes(): the consumer fell more than ${this.#bufferSize} pushes behind (bufferSize); later pushes were not kept`);
      this.#detach();
      return;
    }
    this.#buffer.push(push);
  }

  next(): Promise<IteratorResult<Push>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head++]!;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#buffer.length) {
        this.#buffer = this.#buffer.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#overflow !== undefined) {
      const error = this.#overflow;
      this.#finish();
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiting !== undefined) return Promise.reject(new Error("pushes(): next() called again before the previous call settled"));
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  return(): Promise<IteratorResult<Push>> {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  readonly #onAbort = (): void => this.#finish();

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#overflow = undefined;
    this.#buffer = [];
    this.#head = 0;
    this.#detach();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }
}
