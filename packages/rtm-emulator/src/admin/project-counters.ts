import { RateCounter } from "./rate.js";
import { Ring } from "./ring.js";
import type { TrafficEvent } from "./types.js";

/** Error answers kept per project for its overview. */
export const RECENT_ERRORS = 20;

/** A connection as the counters need it. */
export interface CountedConnection {
  readonly isOpen: boolean;
  readonly closed: Promise<unknown>;
}

/**
 * What the traffic tap counts for one project, always (not only while somebody subscribes): calls, error
 * answers and pushes with their rates, dropped pushes, the connections that sent a quest of the project (each
 * leaves when it closes, so at most the server's maxConnections), and its last RECENT_ERRORS error answers.
 */
export class ProjectCounters {
  readonly calls = new RateCounter();
  readonly errors = new RateCounter();
  readonly pushes = new RateCounter();
  pushesDropped = 0;
  readonly recentErrors = new Ring<TrafficEvent>(RECENT_ERRORS);
  readonly #connections = new Set<CountedConnection>();

  called(connection: CountedConnection, second: number): void {
    this.calls.add(second);
    if (this.#connections.has(connection)) return;
    this.#connections.add(connection);
    void connection.closed.then(() => this.#connections.delete(connection));
  }

  /** Connections that sent a quest of this project and are still open. */
  get openConnections(): number {
    let open = 0;
    for (const connection of this.#connections) if (connection.isOpen) open++;
    return open;
  }
}
