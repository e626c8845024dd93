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
 * Events one client gets per second. A feed is for people and scripts watching: under a benchmark's tens of
 * thousands of events a second, the rest of the second is not shown (see Feed).
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

export const DEFAULT_FEED_LIMITS: FeedLimits = { maxUnsentBytes: MAX_UNSENT_BYTES, maxEventsPerSecond: MAX_EVENTS_PER_SECOND };

/**
 * One SSE client: takes the events that match its filter, at most `maxEventsPerSecond` a second, serialises them
 * and writes them in batches through `write`, which resolves once its socket has taken them. What waits (queued and
 * being written) is bounded by `maxUnsentBytes`: past it the client is closed ("dropped").
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
  #thisSecond = 0;
  #skipped = 0;
  #quietSeconds = 0;
  #closed = false;

  constructor(filter: FeedFilter, write: (text: string) => Promise<void>, onClose: (reason: "dropped" | "closed") => void, limits: FeedLimits = DEFAULT_FEED_LIMITS) {
    this.#filter = filter;
    this.#write = write;
    this.#onClose = onClose;
    this.#limits = limits;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get unsentBytes(): number {
    return this.#unsentBytes;
  }

  /** Whether this second's share of events is used up (matching events are then only counted). */
  get saturated(): boolean {
    return this.#thisSecond >= this.#limits.maxEventsPerSecond;
  }

  /** An event of the emulator's traffic: queued when it matches and the second's share is not used up. */
  offer(event: TrafficEvent): void {
    if (this.#closed || !feedMatches(this.#filter, event)) return;
    if (this.saturated) {
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

  /**
   * A new second: what was skipped in the last one is told (`exact` false when the feed stopped listening for the
   * rest of that second, so that more went by unseen), the share starts again; a keep-alive after a quiet while.
   */
  newSecond(exact: boolean): void {
    if (this.#closed) return;
    if (this.#skipped > 0 || (this.saturated && !exact)) {
      this.#enqueue(`event: skipped\ndata: {"skipped":${this.#skipped},"exact":${exact}}\n\n`);
    } else if (++this.#quietSeconds >= KEEPALIVE_SECONDS && this.#queue.length === 0) {
      this.#enqueue(": keep-alive\n\n");
    }
    this.#skipped = 0;
    this.#thisSecond = 0;
  }

  close(reason: "dropped" | "closed" = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
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

/**
 * GET /api/feed: the live traffic as Server-Sent Events ("traffic", data = one TrafficEvent; "skipped", data =
 * {skipped, exact}). One subscription to the admin model serves every client, and only while there is one: the model
 * builds traffic events only while subscribed, which costs every quest. Once every client has had its share of a
 * second, the feed lets go of the subscription for the rest of that second, so that under heavy traffic the model
 * builds about as many events as are shown, not every one.
 */
export class Feed {
  readonly #admin: EmulatorAdmin;
  readonly #limits: FeedLimits;
  readonly #clients = new Set<FeedClient>();
  #unsubscribe: (() => void) | undefined;
  #ticker: NodeJS.Timeout | undefined;
  /** The subscription was let go in this second because every client had its share. */
  #resting = false;

  constructor(admin: EmulatorAdmin, limits: FeedLimits = DEFAULT_FEED_LIMITS) {
    this.#admin = admin;
    this.#limits = limits;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Whether the feed is subscribed to the admin model now. */
  get listening(): boolean {
    return this.#unsubscribe !== undefined;
  }

  handle(c: Context, destroy: () => void): Response {
    const { filter, recent, after } = feedQuery(c);
    if (this.#clients.size >= MAX_FEED_CLIENTS) return c.json({ error: `feed: ${MAX_FEED_CLIENTS} clients are reading it already` }, 503);
    return streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        const client = this.attach(filter, async (text) => void (await stream.write(text)), (reason) => {
          if (reason === "dropped") destroy();
          resolve();
        });
        stream.onAbort(() => client.close());
        client.send("retry: 1000\n\n");
        // Reconnected (Last-Event-ID): what it missed, as far as the ring reaches; else the `recent` it asked for.
        const backlog = after !== undefined ? this.#admin.recentTraffic(MAX_BACKLOG).filter((e) => e.seq > after) : recent > 0 ? this.#admin.recentTraffic(MAX_BACKLOG) : [];
        const wanted = backlog.filter((e) => feedMatches(filter, e));
        for (const event of wanted.slice(0, after !== undefined ? MAX_BACKLOG : recent).reverse()) client.offer(event);
      });
    });
  }

  /** A client of the feed (what handle() serves over SSE); it leaves when closed. */
  attach(filter: FeedFilter, write: (text: string) => Promise<void>, onClose: (reason: "dropped" | "closed") => void = () => {}): FeedClient {
    const client = new FeedClient(
      filter,
      write,
      (reason) => {
        this.#clients.delete(client);
        if (this.#clients.size === 0) this.#stop();
        onClose(reason);
      },
      this.#limits,
    );
    this.#clients.add(client);
    if (this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.#newSecond(), 1000);
      this.#ticker.unref();
    }
    this.#resting = false;
    this.#subscribe();
    return client;
  }

  /** Ends every feed (the console is closing). */
  closeAll(): void {
    for (const client of [...this.#clients]) client.close();
  }

  #subscribe(): void {
    this.#unsubscribe ??= this.#admin.subscribe((event) => this.#deliver(event));
  }

  #deliver(event: TrafficEvent): void {
    let saturated = true;
    for (const client of this.#clients) {
      client.offer(event);
      saturated &&= client.saturated;
    }
    if (saturated) {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      this.#resting = true;
    }
  }

  #newSecond(): void {
    for (const client of this.#clients) client.newSecond(!this.#resting);
    this.#resting = false;
    if (this.#clients.size > 0) this.#subscribe();
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.#resting = false;
  }
}
