import type { Logger } from "../server/logger.js";
import { peerOf, type PushConnection } from "./push-connection.js";

interface Unlogged {
  count: number;
  loggedAt: number;
}

/** At most one line per connection per this many ms, however fast its pushes are dropped. */
export const DROP_LOG_INTERVAL_MS = 1000;

/**
 * Logs dropped pushes (warn), at most one line per connection per second, each naming the connection and how
 * many were dropped since its last line; what a connection drops after its last line is logged when it closes.
 * Kept per connection in a WeakMap: it goes with the connection.
 */
export class DropLog {
  readonly #logger: Logger;
  readonly #maxUnanswered: number;
  readonly #now: () => number;
  readonly #unlogged = new WeakMap<PushConnection, Unlogged>();

  constructor(logger: Logger, maxUnanswered: number, now: () => number = Date.now) {
    this.#logger = logger;
    this.#maxUnanswered = maxUnanswered;
    this.#now = now;
  }

  dropped(connection: PushConnection): void {
    let unlogged = this.#unlogged.get(connection);
    if (unlogged === undefined) {
      const created: Unlogged = { count: 0, loggedAt: -Infinity };
      this.#unlogged.set(connection, (unlogged = created));
      void connection.closed.then(() => {
        if (created.count > 0) this.#logger.warn(`push: dropped ${created.count} more push(es) to ${peerOf(connection)} before it closed`);
      });
    }
    unlogged.count++;
    const now = this.#now();
    if (now - unlogged.loggedAt < DROP_LOG_INTERVAL_MS) return;
    this.#logger.warn(
      `push: dropped ${unlogged.count} push(es) to ${peerOf(connection)}: it leaves ${this.#maxUnanswered} unanswered (maxUnansweredPushes / --max-unanswered-pushes)`,
    );
    unlogged.loggedAt = now;
    unlogged.count = 0;
  }
}
