// The admin model's traffic tap: counters per project (always), TrafficEvents for quests, answers, errors and
// pushes (only while somebody subscribes), the ring behind recentTraffic, and the bounded summaries.
import { describe, expect, it } from "vitest";
import { RateCounter, RATE_WINDOW_SECONDS } from "../src/admin/rate.js";
import { Ring } from "../src/admin/ring.js";
import { summarize, SUMMARY_MAX_CHARS } from "../src/admin/summary.js";
import { TRAFFIC_RING_SIZE } from "../src/admin/traffic-tap.js";
import type { TrafficEvent } from "../src/admin/types.js";
import { emulatorForTest, failure, listening, OTHER_PID, PID, sdk, until } from "./admin-helpers.js";

const BAD_MTYPE = 200005;

describe("counters without subscribers", () => {
  it("counts calls, error answers and connections per project, keeps the newest 20 errors, and builds no event for the feed", async () => {
    const clock = { ms: 1_700_000_000_000 };
    const emulator = await emulatorForTest({ now: () => clock.ms, tsSkewSeconds: 1e9 });
    const client = sdk(emulator);
    const other = sdk(emulator, OTHER_PID);
    await client.sendChat(1001n, 1002n, "hi", "");
    await client.addGroupMembers(5n, [1001n]);
    for (let i = 0; i < 22; i++) expect(await failure(client.sendMessage(1001n, 1002n, 0, `bad ${i}`, ""))).toBe(BAD_MTYPE);
    await other.getUserInfo(7n);

    const overview = emulator.admin.overview(PID);
    expect(overview).toMatchObject({ pid: PID, connections: 1, listeners: 0, calls: { total: 24 }, errors: { total: 22 }, pushes: { total: 0, perSecond: 0, dropped: 0 } });
    expect(overview.calls.perSecond).toBe(24 / RATE_WINDOW_SECONDS);
    expect(overview.recentErrors).toHaveLength(20);
    const newest = overview.recentErrors[0]!;
    expect(newest).toMatchObject({ kind: "answer", pid: PID, method: "sendmsg", uid: "1001", error: { code: BAD_MTYPE }, latencyMs: null });
    expect(newest.connection).toMatch(/^127\.0\.0\.1:\d+$/);
    // The request's keys, without the auth keys.
    expect(newest.summary).toContain('"msg":"bad 21"');
    expect(newest.summary).not.toMatch(/"(sign|salt|ts|pid)"/);
    expect(overview.recentErrors.map((event) => event.seq)).toEqual([...overview.recentErrors.map((event) => event.seq)].sort((a, b) => b - a));
    expect(emulator.admin.overview(OTHER_PID)).toMatchObject({ connections: 1, calls: { total: 1 }, errors: { total: 0 } });
    expect(emulator.admin.recentTraffic(TRAFFIC_RING_SIZE)).toEqual([]);

    // Rates over the last 10 s of the server clock; totals stay.
    clock.ms += 5_000;
    await client.getUserInfo(1n);
    expect(emulator.admin.overview(PID).calls.perSecond).toBe(25 / RATE_WINDOW_SECONDS);
    clock.ms += 9_000;
    expect(emulator.admin.overview(PID).calls).toEqual({ total: 25, perSecond: 1 / RATE_WINDOW_SECONDS });
    expect(emulator.admin.overview(PID).errors).toEqual({ total: 22, perSecond: 0 });

    // A connection that closed no longer counts.
    await other.close();
    await until(() => emulator.admin.overview(OTHER_PID).connections === 0, 5000, "the closed connection to leave");
  });

  it("counts pushes sent and dropped per project; a ping belongs to none", async () => {
    const emulator = await emulatorForTest({ maxUnansweredPushes: 1, pushTimeoutSeconds: 30 });
    const answering = await listening(emulator, { p2p: true });
    // Never answers: its first push stays unanswered, the next ones are dropped.
    const silent = await listening(emulator, { p2p: true }, PID);
    silent.client.onQuest("pushmsg", () => new Promise(() => {}));
    const client = sdk(emulator);
    for (let i = 0; i < 3; i++) await client.sendChat(1001n, 1002n, `m${i}`, "");
    await answering.received(3);
    const overview = emulator.admin.overview(PID);
    expect(overview.listeners).toBe(2);
    expect(overview.pushes).toMatchObject({ total: 4, dropped: 2 });
    expect(emulator.admin.overview(OTHER_PID).pushes).toEqual({ total: 0, perSecond: 0, dropped: 0 });
  });
});

describe("traffic events while subscribed", () => {
  it("a quest and its answer, with latency; an error answer with its code and the request; subscribers see them in order", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    await client.getUserInfo(1n); // connected before the feed starts
    const events: TrafficEvent[] = [];
    const unsubscribe = emulator.admin.subscribe((event) => events.push(event));
    const sent = await client.sendChat(1001n, 1002n, "hello", "{}");
    expect(await failure(client.sendMessage(1001n, 1002n, 0, "bad", ""))).toBe(BAD_MTYPE);
    unsubscribe();
    await client.getUserInfo(1n);

    expect(events.map((event) => [event.kind, event.method])).toEqual([
      ["quest", "sendmsg"],
      ["answer", "sendmsg"],
      ["quest", "sendmsg"],
      ["answer", "sendmsg"],
    ]);
    const [quest, answer, badQuest, badAnswer] = events as [TrafficEvent, TrafficEvent, TrafficEvent, TrafficEvent];
    expect(events.map((event) => event.seq)).toEqual([quest.seq, quest.seq + 1, quest.seq + 2, quest.seq + 3]);
    expect(quest).toMatchObject({ pid: PID, uid: "1001", latencyMs: null, error: null });
    expect(JSON.parse(quest.summary)).toMatchObject({ mtype: 30, from: 1001, to: 1002, msg: "hello", attrs: "{}" });
    expect(quest.summary).not.toMatch(/"(sign|salt|ts|pid)"/);
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
    expect(answer.error).toBeNull();
    expect(answer.summary).toBe(`{"mtime":${sent.mtime}}`);
    expect(answer.at).toBeGreaterThanOrEqual(quest.at);
    expect(badQuest.error).toBeNull();
    expect(badAnswer.error).toEqual({ code: BAD_MTYPE, message: expect.stringContaining("mtype") });
    expect(badAnswer.summary).toBe(badQuest.summary);
    // The ring has what was built while subscribed, newest first.
    expect(emulator.admin.recentTraffic(TRAFFIC_RING_SIZE)).toEqual([...events].reverse());
    expect(emulator.admin.recentTraffic(1)).toEqual([badAnswer]);
    expect(emulator.admin.overview(PID).recentErrors[0]).toEqual(badAnswer);
  });

  it("pushes and their answers, with the push's project, method, uid and round trip", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, { p2p: true, ev: true });
    const events: TrafficEvent[] = [];
    emulator.admin.subscribe((event) => events.push(event));
    const answers = (count: number) => until(() => events.filter((event) => event.kind === "pushAnswer").length === count, 5000, "the push answers");
    await sdk(emulator).sendChat(1001n, 1002n, "pushed", "");
    await answers(1);
    emulator.userLogin(PID, 1003n);
    await answers(2);
    expect(listener.of()).toHaveLength(2);
    const pushes = events.filter((event) => event.kind === "push" || event.kind === "pushAnswer");
    expect(pushes.map((event) => [event.kind, event.method, event.pid, event.uid])).toEqual([
      ["push", "pushmsg", PID, "1001"],
      ["pushAnswer", "pushmsg", PID, "1001"],
      ["push", "pushevent", PID, "1003"],
      ["pushAnswer", "pushevent", PID, "1003"],
    ]);
    expect(JSON.parse(pushes[0]!.summary)).toMatchObject({ from: 1001, to: 1002, mtype: 30, msg: "pushed" });
    expect(pushes[1]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(pushes[1]!.error).toBeNull();
    expect(pushes[0]!.connection).toBe(pushes[1]!.connection);
  });

  it("file sends through the file gate are traffic of their project too (the gate has the tap)", async () => {
    const emulator = await emulatorForTest();
    const events: TrafficEvent[] = [];
    emulator.admin.subscribe((event) => events.push(event));
    await sdk(emulator).sendFile(1001n, 1002n, 50, Buffer.from("bytes of a file"), { fileName: "a.txt" });
    expect(events.map((event) => [event.kind, event.method])).toEqual([
      ["quest", "filetoken"],
      ["answer", "filetoken"],
      ["quest", "sendfile"],
      ["answer", "sendfile"],
    ]);
    const gate = events[2]!;
    expect(gate).toMatchObject({ pid: PID, uid: "1001" });
    expect(gate.connection).not.toBe(events[0]!.connection);
    expect(JSON.parse(gate.summary)).toEqual({ from: 1001, to: 1002, mtype: 50, file: "bytes of a file", mid: expect.any(Number), attrs: expect.stringContaining("a.txt") });
    expect(emulator.admin.overview(PID).calls.total).toBe(2);
  });

  it("a push that times out is a pushAnswer with the timeout's code", async () => {
    const emulator = await emulatorForTest({ pushTimeoutSeconds: 1 });
    const listener = await listening(emulator, { p2p: true });
    listener.client.onQuest("pushmsg", () => new Promise(() => {}));
    const events: TrafficEvent[] = [];
    emulator.admin.subscribe((event) => events.push(event));
    await sdk(emulator).sendChat(1001n, 1002n, "never answered", "");
    await until(() => events.some((event) => event.kind === "pushAnswer"), 5000, "the push to time out");
    expect(events.find((event) => event.kind === "pushAnswer")!.error).toMatchObject({ code: 20003 });
  });

  it("keeps the last 1,000 events; a throwing subscriber is logged and the others still hear", async () => {
    const lines: string[] = [];
    const emulator = await emulatorForTest({ logLevel: "error", log: (line) => lines.push(line) });
    const client = sdk(emulator);
    const seen: TrafficEvent[] = [];
    emulator.admin.subscribe(() => {
      throw new Error("broken subscriber");
    });
    emulator.admin.subscribe((event) => seen.push(event));
    await Promise.all(Array.from({ length: 600 }, (_, i) => client.getUserInfo(BigInt(i))));
    expect(seen).toHaveLength(1200);
    const recent = emulator.admin.recentTraffic(TRAFFIC_RING_SIZE);
    expect(recent).toHaveLength(TRAFFIC_RING_SIZE);
    expect(recent[0]!.seq).toBe(seen.at(-1)!.seq);
    expect(recent.at(-1)!.seq).toBe(seen.at(-TRAFFIC_RING_SIZE)!.seq);
    expect(lines.filter((line) => line.includes("broken subscriber"))).toHaveLength(1200);
  });

  it("the same function subscribed twice hears twice until each subscription ends; ending twice is harmless", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    let heard = 0;
    const listener = () => void heard++;
    const first = emulator.admin.subscribe(listener);
    const second = emulator.admin.subscribe(listener);
    await client.getUserInfo(1n);
    expect(heard).toBe(4);
    first();
    first();
    await client.getUserInfo(1n);
    expect(heard).toBe(6);
    second();
    await client.getUserInfo(1n);
    expect(heard).toBe(6);
  });
});

describe("tap parts", () => {
  it("summaries are compact JSON of at most 300 chars, auth keys left out, bytes as hex", () => {
    expect(summarize({ pid: 1, sign: "S", salt: 2n, ts: 3, from: 2n ** 63n - 1n, list: [1, "a"], nested: { pid: 5 } })).toBe(
      '{"from":9223372036854775807,"list":[1,"a"],"nested":{"pid":5}}',
    );
    expect(summarize({ bytes: Uint8Array.of(0xff, 0x00) })).toBe('{"bytes":"hex:ff00"}');
    const long = summarize({ msg: "x".repeat(1_000_000) });
    expect(long).toHaveLength(SUMMARY_MAX_CHARS);
    expect(long.endsWith("…")).toBe(true);
    expect(summarize({ many: Array.from({ length: 10_000 }, (_, i) => i) })).toHaveLength(SUMMARY_MAX_CHARS);
    expect(summarize({ deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } })).toBe('{"deep":{"a":{"b":{"c":{"d":{"e":"…"}}}}}}');
  });

  it("rates count per second over the last 10 seconds", () => {
    const rate = new RateCounter();
    for (let i = 0; i < 5; i++) rate.add(100);
    rate.add(105);
    expect(rate.perSecond(105)).toBe(0.6);
    expect(rate.perSecond(109)).toBe(0.6);
    expect(rate.perSecond(110)).toBe(0.1);
    expect(rate.perSecond(115)).toBe(0);
    rate.add(120); // same bucket as 100 and 110: starts again
    expect(rate.perSecond(120)).toBe(0.1);
    expect(rate.total).toBe(7);
  });

  it("the ring keeps the newest items, newest first", () => {
    const ring = new Ring<number>(3);
    expect(ring.newest()).toEqual([]);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.newest()).toEqual([5, 4, 3]);
    expect(ring.newest(2)).toEqual([5, 4]);
  });
});
