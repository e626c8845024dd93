import type { ServerConnection } from "@rtmkit/fpnn";

/**
 * Answers a fault drops: the quest was handled, its answer never comes. A held quest settles only once its
 * connection closes (the runtime no longer answers then); when the server closes, release() closes every
 * connection that holds one, so closing never waits for answers that were never coming.
 */
export class HeldAnswers {
  readonly #holding = new Set<ServerConnection>();
  #released = false;

  /** Holds the answer of a quest on `connection`: settles when the connection closes. */
  async hold(connection: ServerConnection): Promise<undefined> {
    if (!this.#holding.has(connection)) {
      this.#holding.add(connection);
      void connection.closed.then(() => this.#holding.delete(connection));
    }
    if (this.#released) void connection.close();
    await connection.closed;
    return undefined;
  }

  /** The server is closing: every connection holding an answer closes, now and from now on. */
  release(): void {
    this.#released = true;
    for (const connection of this.#holding) void connection.close();
  }

  get releasing(): boolean {
    return this.#released;
  }
}
