import { FpnnError, FpnnErrorCode } from "@rtmkit/fpnn";
import type { Logger } from "../server/logger.js";
import { DropLog } from "./drop-log.js";
import type { PushConnection } from "./push-connection.js";
import { emptyPushStats, type PushStats } from "./push-stats.js";

export interface PushDeliveryOptions {
  readonly timeoutSeconds: number;
  readonly maxUnanswered: number;
  readonly logger: Logger;
  /** Hears of every push sent or dropped (the admin model's traffic tap). */
  readonly tap?: PushTap | undefined;
}

/** What became of one push: undefined when answered, else why not (an FpnnError: error answer, timeout, closed). */
export type PushOutcome = (error: unknown) => void;

/** Hears of the pushes, per project (null: a ping, which belongs to none). */
export interface PushTap {
  /** A push was handed to a connection; answers who wants to hear its outcome, or undefined (the common case: nobody). */
  sent(pid: number | null, connection: PushConnection, method: string, payload: Uint8Array): PushOutcome | undefined;
  /** A push was dropped: the connection had maxUnanswered unanswered. */
  dropped(pid: number | null): void;
}

/**
 * Sends encoded pushes to connections as two-way quests and counts what becomes of them. A connection that does
 * not answer costs nothing beyond its own bounded backlog: past maxUnanswered unanswered quests its pushes are
 * dropped (counted and logged) instead of queued, and a push never waits for anything.
 */
export class PushDelivery {
  readonly #stats = emptyPushStats();
  readonly #timeoutSeconds: number;
  readonly #maxUnanswered: number;
  /** Undefined when warnings are not logged: then a drop costs a counter only. */
  readonly #drops: DropLog | undefined;
  readonly #tap: PushTap | undefined;

  constructor(options: PushDeliveryOptions) {
    this.#timeoutSeconds = options.timeoutSeconds;
    this.#maxUnanswered = options.maxUnanswered;
    this.#drops = options.logger.enabled("warn") ? new DropLog(options.logger, options.maxUnanswered) : undefined;
    this.#tap = options.tap;
  }

  /**
   * Sends `payload` (an encoded msgpack map) as a `method` quest of project `pid` (null: a ping), unless the
   * connection is closed (nothing counted) or full (dropped).
   */
  send(connection: PushConnection, method: string, payload: Uint8Array, pid: number | null = null): void {
    if (!connection.isOpen) return; // leaving the registry: it is no listener any more
    if (connection.pendingCount >= this.#maxUnanswered) {
      this.#stats.dropped++;
      this.#drops?.dropped(connection);
      this.#tap?.dropped(pid);
      return;
    }
    this.#stats.sent++;
    const answer = connection.questEncoded(method, payload, { timeout: this.#timeoutSeconds });
    const outcome = this.#tap?.sent(pid, connection, method, payload);
    if (outcome === undefined) {
      answer.then(this.#answered, this.#failed);
      return;
    }
    answer.then(
      () => {
        this.#answered();
        outcome(undefined);
      },
      (error: unknown) => {
        this.#failed(error);
        outcome(error);
      },
    );
  }

  /** A copy of the totals. */
  stats(): PushStats {
    return { ...this.#stats };
  }

  readonly #answered = (): void => {
    this.#stats.answered++;
  };

  readonly #failed = (error: unknown): void => {
    if (FpnnError.is(error) && error.code === FpnnErrorCode.CoreTimeout) this.#stats.timedOut++;
    else this.#stats.failed++;
  };
}
