// GET /api/feed (Server-Sent Events) over a real socket with the real emulator: events of SDK calls, filters,
// the backlog, and the bounds on a client that does not keep up.
import { describe, expect, it } from "vitest";
import type { TrafficEvent } from "../src/admin/types.js";
import { Feed, FeedClient, type FeedFilter } from "../src/console/feed.js";
import { consoleEmulator, onCleanup, PID, sdk } from "./console-helpers.js";

interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/** Reads the feed at `url`, giving each event to `until` until it returns true (or `ms` pass). */
async function readFeed(url: string, until: (events: SseEvent[]) => boolean, ms = 3000, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const events: SseEvent[] = [];
  try {
    const response = await fetch(url, { signal: abort.signal, headers });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) => block.split("\n").find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
        const data = field("data");
        if (data !== undefined) events.push({ event: field("event") ?? "message", data, id: field("id") });
      }
      if (until(events)) break;
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

const ALL: FeedFilter = { pid: undefined, method: undefined, uid: undefined, errorsOnly: false };

const traffic = (events: SseEvent[]) => events.filter((e) => e.event === "traffic").map((e) => JSON.parse(e.data) as TrafficEvent);

describe("console feed", () => {
  it("streams the quests and answers of SDK calls as they happen, filtered by method, uid and errors", async () => {
    const emulator = await consoleEmulator();
    const client = sdk(emulator);
    await client.sendChat(1001n, 1002n, "warm-up", "");
    const feedUrl = (query: string) => new URL(`/api/feed?${query}`, emulator.consoleUrl).href;
    const sendmsg = readFeed(feedUrl("method=SENDMSG&uid=1001"), (events) => traffic(events).filter((e) => e.method === "sendmsg").length >= 2);
    const errors = readFeed(feedUrl(`errors=1&pid=${PID}`), (events) => traffic(events).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.sendChat(1001n, 1002n, "hello feed", "");
    await client.getUserInfo(1001n);
    await client.sendChat(1001n, 1001n, "to myself", "").catch(() => undefined);
    const seen = traffic(await sendmsg);
    expect(seen.every((e) => e.method === "sendmsg" && e.uid === "1001")).toBe(true);
    expect(seen.map((e) => e.kind).slice(0, 2)).toEqual(["quest", "answer"]);
    expect(seen[0]!.summary).toContain("hello feed");
    const failed = traffic(await errors);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: "answer", method: "sendmsg", pid: PID, error: { code: 200052 } });
  });

  it("sends the recent events first when asked (recent=N), and what was missed after Last-Event-ID", async () => {
    const emulator = await consoleEmulator();
    const client = sdk(emulator);
    // Someone reads the feed meanwhile (the ring keeps events while the feed is read).
    const watching = readFeed(new URL("/api/feed", emulator.consoleUrl).href, () => false, 1500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 3; i++) await client.sendChat(1001n, 1002n, `m${i}`, "");
    const recent = traffic(await readFeed(new URL("/api/feed?recent=4&method=sendmsg", emulator.consoleUrl).href, (events) => traffic(events).length >= 4, 1000));
    expect(recent.map((e) => e.kind)).toEqual(["quest", "answer", "quest", "answer"]);
    expect(recent[0]!.seq).toBeLessThan(recent[3]!.seq);
    const lastSeq = recent[1]!.seq;
    const missed = traffic(await readFeed(new URL("/api/feed?method=sendmsg", emulator.consoleUrl).href, (events) => traffic(events).length >= 2, 1000, { "Last-Event-ID": String(lastSeq) }));
    expect(missed.map((e) => e.seq)).toEqual([recent[2]!.seq, recent[3]!.seq]);
    await watching;
  });

  it("rejects bad filters with 400 naming them", async () => {
    const emulator = await consoleEmulator();
    const get = async (query: string) => {
      const response = await fetch(new URL(`/api/feed?${query}`, emulator.consoleUrl));
      return [response.status, ((await response.json()) as { error: string }).error];
    };
    expect(await get("errors=yes")).toEqual([400, 'errors: must be 1 or 0, got "yes"']);
    expect((await get("uid=abc"))[1]).toMatch(/^uid: must be an int64/);
    expect(await get("recent=501")).toEqual([400, 'recent: must be an integer in 0..500, got "501"']);
  });

  it("drops a client once more than its unsent bound waits", async () => {
    const emulator = await consoleEmulator();
    const client = sdk(emulator);
    let closedBy: string | undefined;
    // A socket that never takes anything: every write stays pending.
    const stuck = new FeedClient(ALL, () => new Promise<void>(() => {}), (reason) => (closedBy = reason), { maxUnsentBytes: 64 * 1024, maxEventsPerSecond: 1_000_000 });
    const unsubscribe = emulator.admin.subscribe((event) => stuck.offer(event));
    onCleanup(unsubscribe);
    for (let i = 0; i < 200 && closedBy === undefined; i++) await client.sendChat(1001n, 1002n, `message ${i} `.padEnd(200, "x"), "");
    expect(closedBy).toBe("dropped");
    expect(stuck.closed).toBe(true);
    expect(stuck.unsentBytes).toBeGreaterThan(64 * 1024);
  });

  it("shows each client its share of a second, then stops listening to the model until the next second, and says so", async () => {
    const emulator = await consoleEmulator();
    const client = sdk(emulator);
    const feed = new Feed(emulator.admin, { maxUnsentBytes: 2 ** 20, maxEventsPerSecond: 10 });
    const written: string[] = [];
    const reader = feed.attach(ALL, async (text) => void written.push(text));
    onCleanup(() => reader.close());
    expect(feed.listening).toBe(true);
    for (let i = 0; i < 10; i++) await client.getUserInfo(1001n);
    expect(feed.listening).toBe(false);
    // Not listening: the model builds no events (its ring of recent ones stands still).
    const newest = emulator.admin.recentTraffic(1)[0]!.seq;
    for (let i = 0; i < 5; i++) await client.getUserInfo(1001n);
    expect(emulator.admin.recentTraffic(1)[0]!.seq).toBe(newest);
    await expect.poll(() => written.join(""), { timeout: 2500 }).toMatch(/event: skipped\ndata: \{"skipped":\d+,"exact":false\}/);
    expect(written.join("").match(/event: traffic/g)).toHaveLength(10);
    expect(feed.listening).toBe(true);
    await client.getUserInfo(1001n);
    await expect.poll(() => written.join("").match(/event: traffic/g)?.length).toBe(12);
    reader.close();
    expect(feed.listening).toBe(false);
    expect(feed.clients).toBe(0);
  });

  it("serves at most 16 feed clients at once", async () => {
    const emulator = await consoleEmulator();
    const abort = new AbortController();
    onCleanup(() => abort.abort());
    const open = await Promise.all(Array.from({ length: 16 }, () => fetch(new URL("/api/feed", emulator.consoleUrl), { signal: abort.signal })));
    expect(open.every((r) => r.status === 200)).toBe(true);
    const one = await fetch(new URL("/api/feed", emulator.consoleUrl));
    expect(one.status).toBe(503);
    expect(await one.json()).toEqual({ error: "feed: 16 clients are reading it already" });
  });
});
