import type { FpnnError } from "./errors.js";

/** "out": a quest this side sent (and its answer); "in": a quest the peer sent (and our answer). */
export type Direction = "out" | "in";

export interface QuestEvent {
  readonly direction: Direction;
  readonly method: string;
  /** Payload bytes. */
  readonly size: number;
  readonly oneway: boolean;
}

export interface AnswerEvent {
  readonly direction: Direction;
  readonly method: string;
  /** Payload bytes (0 when no answer arrived: timeout, closed connection, cancelled). */
  readonly size: number;
  /** out: round trip; in: time spent in the handler. */
  readonly latencyMs: number;
  readonly error: FpnnError | undefined;
}

/**
 * Logging and metrics. Hooks run synchronously on the hot path: keep them cheap; a throw is reported as an 'error'.
 * They observe frames, not calls: encoded sizes, and also what interceptors never see (keep-alive `*ping`s,
 * the runtime's own error answers such as unknown method or a payload too complex to decode).
 */
export interface FpnnHooks {
  quest?(event: QuestEvent): void;
  answer?(event: AnswerEvent): void;
}
