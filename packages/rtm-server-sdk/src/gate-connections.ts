import { FpnnError, FpnnErrorCode, type FpnnClient } from "@rtmkit/fpnn";

/** What the pool needs of a gate connection: FpnnClient satisfies it. */
export type GateClient = Pick<FpnnClient, "quest" | "close">;

export interface GateConnectionsOptions {
  /** A connection no send has used for this long is closed (RTM's SDKs: 150 s). */
  readonly idleMs: number;
  /** Most endpoints kept open; beyond it the least recently used idle one is closed. */
  readonly maxEndpoints: number;
  /** Makes the connection to one endpoint ("host:port"); it connects on its first quest. */
  readonly create: (endpoint: string) => GateClient;
}

interface Entry {
  readonly endpoint: string;
  readonly client: GateClient;
  /** Sends using the connection now; it is idle at 0. */
  inFlight: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * The file-gate connections of one RTM client: one per endpoint, reused by every send to it, closed once idle
 * for `idleMs` (unref'd timers: they never keep the process alive) and all closed by close(). Holds at most
 * `maxEndpoints` connections except while more endpoints have sends in flight: a connection is never closed
 * under a send, the surplus goes as soon as sends end.
 */
export class GateConnections {
  readonly #options: GateConnectionsOptions;
  /** In least recently used first order (a Map keeps insertion order; a use re-inserts). */
  readonly #entries = new Map<string, Entry>();
  /** Connections dropped (idle, surplus) whose close has not finished: close() waits for them too. */
  readonly #closing = new Set<Promise<void>>();
  #closed = false;

  constructor(options: GateConnectionsOptions) {
    this.#options = options;
  }

  /** The connection to `endpoint` for one send; give it back with release() when the send settles. */
  acquire(endpoint: string): GateClient {
    if (this.#closed) throw new FpnnError(FpnnErrorCode.CoreConnectionClosed, "client closed");
    let entry = this.#entries.get(endpoint);
    if (entry === undefined) {
      entry = { endpoint, client: this.#options.create(endpoint), inFlight: 0, idleTimer: undefined };
    } else {
      this.#entries.delete(endpoint);
      clearTimeout(entry.idleTimer);
      entry.idleTimer = undefined;
    }
    this.#entries.set(endpoint, entry);
    entry.inFlight++;
    this.#trim();
    return entry.client;
  }

  /** A send on `client` (from acquire) has settled. */
  release(endpoint: string, client: GateClient): void {
    const entry = this.#entries.get(endpoint);
    if (entry === undefined || entry.client !== client) return; // closed meanwhile (client.close())
    entry.inFlight--;
    if (entry.inFlight === 0) {
      entry.idleTimer = setTimeout(() => this.#drop(entry), this.#options.idleMs);
      entry.idleTimer.unref();
    }
    this.#trim();
  }

  /** Endpoints with an open (or opening) connection. */
  get size(): number {
    return this.#entries.size;
  }

  /** Closes every connection (their pending sends reject with 20002); later acquires throw 20002. */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const entry of entries) clearTimeout(entry.idleTimer);
    await Promise.all([...entries.map((entry) => entry.client.close()), ...this.#closing]);
  }

  /** Closes least recently used idle connections while there are more than maxEndpoints. */
  #trim(): void {
    if (this.#entries.size <= this.#options.maxEndpoints) return;
    for (const entry of this.#entries.values()) {
      if (this.#entries.size <= this.#options.maxEndpoints) return;
      if (entry.inFlight === 0) this.#drop(entry);
    }
  }

  #drop(entry: Entry): void {
    clearTimeout(entry.idleTimer);
    if (this.#entries.get(entry.endpoint) === entry) this.#entries.delete(entry.endpoint);
    // Nothing is in flight on a dropped connection and nobody but close() waits for this: a failure to close it
    // has no caller to reach, and must not become an unhandled rejection.
    const closing = entry.client.close().catch(() => undefined);
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
  }
}
