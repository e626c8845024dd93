import { FpnnServer, type Payload, type ServerConnection } from "@rtmkit/fpnn";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { RTMError, RTMServerClient, type RTMEvent, type RTMMessage } from "../src/index.js";
import { RecentKeys } from "../src/push/recent-keys.js";

/** A server that plays RTM's side of pushes: it answers the listen calls, records them, and pushes on the client's connection. */
async function pushingServer(clientOptions: Partial<ConstructorParameters<typeof RTMServerClient>[0]> = {}) {
  const listenCalls: { method: string; payload: Payload; connection: ServerConnection }[] = [];
  const pings: number[] = [];
  const server = new FpnnServer({ hooks: { quest: (e) => (e.direction === "in" && e.method === "*ping" ? pings.push(Date.now()) : undefined) } });
  for (const method of ["addlisten", "removelisten", "setlisten"]) {
    server.handle(method, (payload, { connection }) => {
      listenCalls.push({ method, payload, connection });
      return {};
    });
  }
  server.handle("getmsgnum", () => ({ sender: 1, num: 2 }));
  const { port } = await server.listen(0, "127.0.0.1");
  const client = new RTMServerClient({ pid: 11, secret: "c2VjcmV0", endpoint: `127.0.0.1:${port}`, regressiveStrategy: { firstIntervalMs: 10, maxIntervalMs: 50 }, ...clientOptions } as ConstructorParameters<typeof RTMServerClient>[0]);
  const errors: Error[] = [];
  client.on("error", (error) => errors.push(error));
  const latest = (): ServerConnection => [...server.connections].at(-1)!;
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, listenCalls, pings, errors, latest };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const message = (over: Record<string, unknown> = {}) => ({ from: 1001, to: 1002, mtype: 30, mid: 5n, msg: "hi", attrs: "{}", mtime: 1_795_634_291_123, ...over });

function until<T>(ready: () => T | undefined, ms = 2000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const value = ready();
      if (value !== undefined && value !== false) resolve(value);
      else if (Date.now() - started > ms) reject(new Error("timed out waiting"));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe("RTMServerClient pushes", () => {
  it("raises the typed event of each push: by conversation and mtype, file info read, events and pings", async () => {
    const { client, latest } = await pushingServer();
    const seen: [string, unknown][] = [];
    client.onPush({
      p2pChat: (m) => void seen.push(["p2pChat", m]),
      groupCmd: (m) => void seen.push(["groupCmd", m]),
      roomFile: (m) => void seen.push(["roomFile", m.fileInfo]),
      p2pMessage: (m) => void seen.push(["p2pMessage", m.messageType]),
      groupFile: (m) => void seen.push(["groupFile", m.fileInfo?.url]),
      event: (e) => void seen.push(["event", e]),
      ping: () => void seen.push(["ping", undefined]),
    });
    await client.connect();
    const connection = latest();
    const file = { msg: JSON.stringify({ url: "http://f/1", size: 3 }), attrs: JSON.stringify({ rtm: { filename: "a.png", ext: "png" } }) };
    const answers = await Promise.all([
      connection.quest("pushmsg", message()),
      connection.quest("pushgroupmsg", { ...message({ mtype: 32, mid: 6n }), to: undefined, gid: 77 }),
      connection.quest("pushroommsg", { ...message({ mtype: 40, mid: 7n, ...file }), to: undefined, rid: 88 }),
      connection.quest("pushmsg", message({ mtype: 99, mid: 8n })),
      connection.quest("pushgroupfile", { ...message({ mtype: 50, mid: 9n, ...file }), to: undefined, gid: 77 }),
      connection.quest("pushevent", { pid: 11, event: "login", uid: 1001, time: 1_795_634_291, endpoint: "10.0.0.1:13321", data: "" }),
      connection.quest("ping", {}),
    ]);
    expect(answers).toEqual(Array(7).fill({}));
    await until(() => seen.length === 7);
    expect(seen).toEqual([
      ["p2pChat", { fromUid: 1001n, toId: 1002n, messageType: 30, messageId: 5n, message: "hi", attrs: "{}", modifiedTime: 1_795_634_291_123n } satisfies RTMMessage],
      ["groupCmd", expect.objectContaining({ toId: 77n, messageType: 32 })],
      ["roomFile", { url: "http://f/1", size: 3n, isRTMAudio: false, fileName: "a.png", fileExtension: "png" }],
      ["p2pMessage", 99],
      ["groupFile", "http://f/1"],
      ["event", { pid: 11, event: "login", uid: 1001n, time: 1_795_634_291, endpoint: "10.0.0.1:13321", data: "" } satisfies RTMEvent],
      ["ping", undefined],
    ]);
  });

  it("answers every push at once, whatever its handlers do: a handler that throws or never settles is reported and blocks nothing", async () => {
    const { client, latest, errors } = await pushingServer();
    const got: bigint[] = [];
    client.onPush("p2pChat", (m) => {
      if (m.messageId === 1n) throw new Error("boom");
      if (m.messageId === 2n) return new Promise(() => {});
      if (m.messageId === 3n) return Promise.reject(new Error("later boom"));
      got.push(m.messageId);
    });
    await client.connect();
    const connection = latest();
    for (const mid of [1n, 2n, 3n, 4n]) expect(await connection.quest("pushmsg", message({ mid }), { timeout: 1 })).toEqual({});
    await until(() => got.length === 1 && errors.length === 2);
    expect(got).toEqual([4n]);
    expect(errors.map((e) => e.message)).toEqual(['a "p2pChat" push handler failed: boom', 'a "p2pChat" push handler failed: later boom']);
    expect(await client.getMessageNum(2, 1, new Set([30]), 0, 0)).toMatchObject({ num: 2 });
  });

  it("refuses a malformed push with an error answer naming the key, and calls no handler", async () => {
    const { client, latest } = await pushingServer();
    const got: unknown[] = [];
    client.onPush("p2pChat", (m) => void got.push(m));
    await client.connect();
    await expect(latest().quest("pushmsg", message({ mid: "five" }))).rejects.toMatchObject({ code: 200034, message: expect.stringContaining('"mid"') });
    await expect(latest().quest("pushmsg", { ...message(), from: undefined })).rejects.toMatchObject({ code: 200033, message: expect.stringContaining('"from"') });
    expect(await latest().quest("pushmsg", message())).toEqual({});
    await until(() => got.length === 1);
  });

  it("drops a pushed message seen recently (conversation, from, target, mid), not events; pushDedupe false keeps them", async () => {
    const { client, latest } = await pushingServer();
    const got: string[] = [];
    client.onPush({ p2pChat: (m) => void got.push(`p2p ${m.messageId}`), groupChat: (m) => void got.push(`group ${m.messageId}`), event: (e) => void got.push(e.event) });
    await client.connect();
    const c = latest();
    const login = { pid: 11, event: "login", uid: 1, time: 1, endpoint: "e", data: "" };
    for (const payload of [message(), message(), message({ to: 1003 }), login, login]) await c.quest(payload === login ? "pushevent" : "pushmsg", payload);
    await c.quest("pushgroupmsg", { ...message(), to: undefined, gid: 1002 });
    await until(() => got.length === 5);
    expect(got).toEqual(["p2p 5", "p2p 5", "login", "login", "group 5"]);
    expect(client.duplicatePushes).toBe(1);

    const keeping = await pushingServer({ pushDedupe: false });
    const all: bigint[] = [];
    keeping.client.onPush("p2pChat", (m) => void all.push(m.messageId));
    await keeping.client.connect();
    await keeping.latest().quest("pushmsg", message());
    await keeping.latest().quest("pushmsg", message());
    await until(() => all.length === 2);
  });

  it("removes handlers with the function onPush returns", async () => {
    const { client, latest } = await pushingServer();
    const got: bigint[] = [];
    const off = client.onPush("p2pChat", (m) => void got.push(m.messageId));
    await client.connect();
    await latest().quest("pushmsg", message({ mid: 1n }));
    await until(() => got.length === 1);
    off();
    await latest().quest("pushmsg", message({ mid: 2n }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(got).toEqual([1n]);
  });

  it("hands the pushes to a for-await consumer, in order, filtered by event, until it stops", async () => {
    const { client, latest } = await pushingServer();
    await client.connect();
    const controller = new AbortController();
    const stream = client.pushes({ events: ["p2pChat", "event"], signal: controller.signal });
    const c = latest();
    for (let mid = 1n; mid <= 5n; mid++) await c.quest("pushmsg", message({ mid }));
    await c.quest("pushgroupmsg", { ...message({ mid: 6n }), to: undefined, gid: 1 });
    await c.quest("pushevent", { pid: 11, event: "logout", uid: 1, time: 1, endpoint: "e" });
    const got: string[] = [];
    for await (const push of stream) {
      if (push.event === "p2pChat") got.push(`chat ${push.data.messageId}`);
      else if (push.event === "event") {
        got.push(push.data.event);
        controller.abort();
      }
    }
    expect(got).toEqual(["chat 1", "chat 2", "chat 3", "chat 4", "chat 5", "logout"]);
  });

  it("a consumer that falls behind its bufferSize gets what was kept, then an RTMError 20011", async () => {
    const { client, latest } = await pushingServer();
    await client.connect();
    const stream = client.pushes({ bufferSize: 3 });
    for (let mid = 1n; mid <= 5n; mid++) await latest().quest("pushmsg", message({ mid }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const kept = [await stream.next(), await stream.next(), await stream.next()].map((r) => (r.value as { data: RTMMessage }).data.messageId);
    expect(kept).toEqual([1n, 2n, 3n]);
    const failure = await stream.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RTMError);
    expect(failure).toMatchObject({ code: 20011, message: expect.stringContaining("more than 3 pushes behind") });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it("close() ends the push iterators: a consumer waiting for the next push is done", async () => {
    const { client } = await pushingServer();
    await client.connect();
    const waiting = client.pushes().next();
    await client.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it("refuses bad pushDedupe options, naming the field", () => {
    expect(() => new RTMServerClient({ pid: 1, secret: "s", endpoint: "127.0.0.1:1", pushDedupe: { capacity: 0 } })).toThrow("options.pushDedupe.capacity: expected a positive integer, got 0");
    expect(() => new RTMServerClient({ pid: 1, secret: "s", endpoint: "127.0.0.1:1", pushDedupe: { ttlSeconds: -1 } })).toThrow("options.pushDedupe.ttlSeconds");
    expect(() => new RTMServerClient({ pid: 1, secret: "s", endpoint: "127.0.0.1:1", pushDedupe: "no" as never })).toThrow("options.pushDedupe: expected { capacity?, ttlSeconds? } or false");
  });

  it("sends its listen state again on every new connection, before any other quest, as one setlisten", async () => {
    const { client, listenCalls, latest } = await pushingServer();
    await client.addListen([1, 2], [3], [1001n], ["login"]);
    await client.removeListen([2], [], [], []);
    await client.addListen([], [], [], ["logout"]);
    const reconnected = new Promise((resolve) => client.once("connect", resolve));
    latest().destroy();
    await reconnected;
    const restore = listenCalls.at(-1)!;
    expect(restore.method).toBe("setlisten");
    expect(restore.connection).toBe(latest());
    expect(restore.payload).toMatchObject({ gids: [1], rids: [3], uids: [1001], events: ["login", "logout"] });
    expect(Object.keys(restore.payload).filter((k) => !["pid", "sign", "salt", "ts"].includes(k)).sort()).toEqual(["events", "gids", "rids", "uids"]);

    await client.setListenAll(true, false, true, false);
    await client.addListen([9]);
    const again = new Promise((resolve) => client.once("connect", resolve));
    latest().destroy();
    await again;
    const mixed = listenCalls.at(-1)!.payload;
    expect(mixed).toMatchObject({ gids: [9], group: true, p2p: true });
    expect(Object.keys(mixed)).not.toContain("room");

    await client.setListen();
    const empty = listenCalls.length;
    const third = new Promise((resolve) => client.once("connect", resolve));
    latest().destroy();
    await third;
    await client.getMessageNum(2, 1, new Set([30]), 0, 0);
    expect(listenCalls).toHaveLength(empty);
  });

  it("a listen call the server refused changes nothing that is restored", async () => {
    const { client, server, listenCalls, latest } = await pushingServer();
    await client.addListen([1]);
    server.handle("addlisten", () => {
      throw Object.assign(new Error("no"), { code: 200034 });
    });
    await expect(client.addListen([2])).rejects.toBeInstanceOf(RTMError);
    const reconnected = new Promise((resolve) => client.once("connect", resolve));
    latest().destroy();
    await reconnected;
    expect(listenCalls.at(-1)!.payload).toMatchObject({ gids: [1] });
  });

  it("pings from the server keep the connection alive: the client sends no *ping of its own while they come", async () => {
    const { client, latest, pings } = await pushingServer({ keepAlive: { idleMs: 150, timeoutMs: 100 } });
    let pinged = 0;
    client.onPush("ping", () => void pinged++);
    await client.connect();
    const connection = latest();
    const timer = setInterval(() => void connection.quest("ping", {}).catch(() => {}), 40);
    await new Promise((resolve) => setTimeout(resolve, 600));
    clearInterval(timer);
    expect(pinged).toBeGreaterThan(8);
    expect(pings).toEqual([]);
    await until(() => pings.length > 0, 1000);
  });
});

describe("RecentKeys", () => {
  it("forgets keys after the TTL and the oldest beyond the capacity", () => {
    let now = 0;
    const keys = new RecentKeys(2, 100, () => now);
    expect(keys.seen("a")).toBe(false);
    expect(keys.seen("a")).toBe(true);
    now = 50;
    expect(keys.seen("b")).toBe(false);
    now = 101;
    expect(keys.seen("a")).toBe(false);
    expect(keys.size).toBe(2);
    expect(keys.seen("c")).toBe(false);
    expect(keys.seen("b")).toBe(false);
    expect(keys.size).toBe(2);
  });

  it("answers as a list of (key, time) kept in arrival order would, over random keys and clock steps", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 40 })), { maxLength: 200 }), (capacity, steps) => {
        let now = 0;
        const keys = new RecentKeys(capacity, 50, () => now);
        let model: [string, number][] = [];
        for (const [k, dt] of steps) {
          now += dt;
          const key = `k${k}`;
          model = model.filter(([, at]) => at > now - 50);
          const expected = model.some(([x]) => x === key);
          if (!expected) {
            if (model.length === capacity) model.shift();
            model.push([key, now]);
          }
          expect(keys.seen(key)).toBe(expected);
          expect(keys.size).toBe(model.length);
        }
      }),
    );
  });
});
