import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { EmulatorAdmin } from "../admin/admin.js";
import type { TrafficEvent } from "../admin/types.js";
import { ApiError } from "./errors.js";
import { idParam, integerParam } from "./params.js";

/** Feed clients served at once; one more is answered 503. */
export const MAX_FEED_CLIENTS = 16;
/** A client with more than this written but not yet taken by its socket is dropped. */
export const MAX_UNSENT_BYTES = 2 ** 20;
/**
 * Events one client gets per second; past it they are counted and told as one `skipped` event a second. A feed is
 * for people and scripts watching; under a benchmark's 100,000 events/s this keeps the console's share small.
 */
export const MAX_EVENTS_PER_SECOND = 2000;
/** Events of one tick are written together, at most this often. */
const FLUSH_MS = 20;
/** A comment line when nothing was sent for this long, so that proxies and the browser keep the stream open. */
const KEEPALIVE_SECONDS = 15;
/** Events a client may ask to get first (`recent=`, or the ones after Last-Event-ID), from the admin's ring. */
const MAX_BACKLOG = 500;

export interface FeedFilter {
  readonly pid: number | undefined;
  /** Lower case; an event matches when its method contains it. */
  readonly method: string | undefined;
  readonly uid: string | undefined;
  readonly errorsOnly: boolean;
}

export function feedMatches(filter: FeedFilter, event: TrafficEvent): boolean {
  return (
    (filter.pid === undefined || event.pid === filter.pid) &&
    (filter.uid === undefined || event.uid === filter.uid) &&
    (!filter.errorsOnly || event.error !== null) &&
    (filter.method === undefined || event.method.toLowerCase().includes(filter.method))
  );
}

export interface FeedLimits {
  readonly maxUnsentBytes: number;
  readonly maxEventsPerSecond: number;
}

/**
 * One SSE client: takes the events that match its filter, at most `maxEventsPerSecond`, serialises them and writes
 * them in batches through `write`, which resolves once its socket has taken them. What waits (queued and being
 * written) is bounded by `maxUnsentBytes`: past it the client is closed.
 */
export class FeedClient {
  readonly #filter: FeedFilter;
  readonly #write: (text: string) => Promise<void>;
  readonly #limits: FeedLimits;
  readonly #onClose: (reason: "dropped" | "closed") => void;
  #queue: string[] = [];
  /** UTF-8 bytes queued plus those being written. */
  #unsentBytes = 0;
  #queuedBytes = 0;
  #writing = false;
  #flushTimer: NodeJS.Timeout | undefined;
  readonly #secondTimer: NodeJS.Timeout;
  #thisSecond = 0;
  #skipped = 0;
  #quietSeconds = 0;
  #closed = false;

  constructor(filter: FeedFilter, write: (text: string) => Promise<void>, onClose: (reason: "dropped" | "closed") => void, limits: FeedLimits = { maxUnsentBytes: MAX_UNSENT_BYTES, maxEventsPerSecond: MAX_EVENTS_PER_SECOND }) {
    this.#filter = filter;
    this.#write = write;
    this.#onClose = onClose;
    this.#limits = limits;
    this.#secondTimer = setInterval(() => this.#everySecond(), 1000);
    this.#secondTimer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get unsentBytes(): number {
    return this.#unsentBytes;
  }

  /** An event of the emulator's traffic: queued when it matches and the second's share is not used up. */
  offer(event: TrafficEvent): void {
    if (this.#closed || !feedMatches(this.#filter, event)) return;
    if (this.#thisSecond >= this.#limits.maxEventsPerSecond) {
      this.#skipped++;
      return;
    }
    this.#thisSecond++;
    this.#enqueue(`event: traffic\nid: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** Text written as it is (the stream's first lines, comments). */
  send(text: string): void {
    if (!this.#closed) this.#enqueue(text);
  }

  close(reason: "dropped" | "closed" = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#secondTimer);
    clearTimeout(this.#flushTimer);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#onClose(reason);
  }

  #enqueue(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.#unsentBytes += bytes;
    if (this.#unsentBytes > this.#limits.maxUnsentBytes) {
      this.close("dropped");
      return;
    }
    this.#queue.push(text);
    this.#queuedBytes += bytes;
    if (!this.#writing && this.#flushTimer === undefined) this.#flushTimer = setTimeout(() => void this.#flush(), FLUSH_MS);
  }

  async #flush(): Promise<void> {
    this.#flushTimer = undefined;
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const text = this.#queue.join("");
        const bytes = this.#queuedBytes;
        this.#queue = [];
        this.#queuedBytes = 0;
        await this.#write(text);
        this.#unsentBytes -= bytes;
        this.#quietSeconds = 0;
      }
    } catch {
      this.close();
    } finally {
      this.#writing = false;
    }
  }

  #everySecond(): void {
    if (this.#skipped > 0) {
      this.#enqueue(`event: skipped\ndata: {"skipped":${this.#skipped}}\n\n`);
      this.#skipped = 0;
    } else if (++this.#quietSeconds >= KEEPALIVE_SECONDS && this.#queue.length === 0) {
      this.#enqueue(": keep-alive\n\n");
    }
    this.#thisSecond = 0;
  }
}

/** The feed's query: pid, method (part of the name), uid, errors=1; recent=N events from before the connection. */
export function feedQuery(c: Context): { filter: FeedFilter; recent: number; after: number | undefined } {
  const pid = c.req.query("pid");
  const method = c.req.query("method")?.trim().toLowerCase();
  const uid = c.req.query("uid");
  const errors = c.req.query("errors");
  if (errors !== undefined && errors !== "" && errors !== "0" && errors !== "1") throw new ApiError(400, `errors: must be 1 or 0, got ${JSON.stringify(errors)}`);
  const lastId = c.req.header("last-event-id");
  const after = lastId !== undefined && /^\d{1,15}$/.test(lastId) ? Number(lastId) : undefined;
  return {
    filter: {
      pid: pid === undefined || pid === "" ? undefined : integerParam(pid, "pid", 1, 2 ** 31 - 1, 0),
      method: method === undefined || method === "" ? undefined : method,
      uid: uid === undefined || uid === "" ? undefined : idParam(uid, "uid"),
      errorsOnly: errors === "1",
    },
    recent: integerParam(c.req.query("recent"), "recent", 0, MAX_BACKLOG, 0),
    after,
  };
}

/** GET /api/feed: the live traffic as Server-Sent Events ("traffic", data = one TrafficEvent; "skipped", data = {skipped}). */
export class Feed {
  readonly #admin: EmulatorAdmin;
  readonly #clients = new Set<FeedClient>();

  constructor(admin: EmulatorAdmin) {
    this.#admin = admin;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** `destroy` ends the client's connection at once (a dropped client's socket may hold megabytes it will not read). */
  handle(c: Context, destroy: () => void): Response {
    const { filter, recent, after } = feedQuery(c);
    if (this.#clients.size >= MAX_FEED_CLIENTS) return c.json({ error: `feed: ${MAX_FEED_CLIENTS} clients are reading it already` }, 503);
    return streamSSE(c, async (stream) => {
      let unsubscribe = () => {};
      await new Promise<void>((resolve) => {
        const client = new FeedClient(
          filter,
          async (text) => void (await stream.write(text)),
          (reason) => {
            unsubscribe();
            this.#clients.delete(client);
            if (reason === "dropped") destroy();
            resolve();
          },
        );
        this.#clients.add(client);
        stream.onAbort(() => client.close());
        client.send("retry: 1000\n\n");
        // Reconnected (Last-Event-ID): what it missed, as far as the ring reaches; else the `recent` it asked for.
        const backlog = after !== undefined ? this.#admin.recentTraffic(MAX_BACKLOG).filter((e) => e.seq > after) : recent > 0 ? this.#admin.recentTraffic(MAX_BACKLOG) : [];
        const wanted = backlog.filter((e) => feedMatches(filter, e));
        for (const event of wanted.slice(0, after !== undefined ? MAX_BACKLOG : recent).reverse()) client.offer(event);
        if (!client.closed) unsubscribe = this.#admin.subscribe((event) => client.offer(event));
      });
    });
  }

  /** Ends every feed (the console is closing). */
  closeAll(): void {
    for (const client of [...this.#clients]) client.close();
  }
}
