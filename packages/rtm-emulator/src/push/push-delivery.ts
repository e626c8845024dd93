import { FpnnError, FpnnErrorCode } from "@rtmkit/fpnn";
import type { Logger } from "../server/logger.js";
import { DropLog } from "./drop-log.js";
import type { PushConnection } from "./push-connection.js";
import { emptyPushStats, type PushStats } from "./push-stats.js";

export interface PushDeliveryOptions {
  readonly timeoutSeconds: number;
  readonly maxUnanswered: number;
  readonly logger: Logger;
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

  constructor(options: PushDeliveryOptions) {
    this.#timeoutSeconds = options.timeoutSeconds;
    this.#maxUnanswered = options.maxUnanswered;
    this.#drops = options.logger.enabled("warn") ? new DropLog(options.logger, options.maxUnanswered) : undefined;
  }

  /** Sends `payload` (an encoded msgpack map) as a `method` quest, unless the connection is closed (nothing counted) or full (dropped). */
  send(connection: PushConnection, method: string, payload: Uint8Array): void {
    if (!connection.isOpen) return; // leaving the registry: it is no listener any more
    if (connection.pendingCount >= this.#maxUnanswered) {
      this.#stats.dropped++;
      this.#drops?.dropped(connection);
      return;
    }
    this.#stats.sent++;
    connection.questEncoded(method, payload, { timeout: this.#timeoutSeconds }).then(this.#answered, this.#failed);
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
