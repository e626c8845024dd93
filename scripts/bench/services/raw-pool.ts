import { RawBenchClient } from "../raw-client.js";
import type { BenchClient } from "../types.js";

/**
 * The raw-socket ceiling over as many connections as the benchmark has clients: RawBenchClient (pre-encoded
 * frames, answers read by length) on each, calls handed out round-robin, so measure() with one call in flight
 * per connection shows what loopback and the kernel allow that many connections.
 */
export class RawPool implements BenchClient {
  readonly name: string;
  readonly #clients: RawBenchClient[];
  #next = 0;

  constructor(connections: number) {
    this.name = `raw ceiling (${connections} connections)`;
    this.#clients = Array.from({ length: connections }, () => new RawBenchClient());
  }

  async open(endpoint: string): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.open(endpoint)));
  }

  call(): Promise<unknown> {
    const client = this.#clients[this.#next]!;
    this.#next = (this.#next + 1) % this.#clients.length;
    return client.call();
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.close()));
  }
}
