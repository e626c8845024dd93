import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUT_MS, FpnnClient } from "../src/client.js";
import { timeoutMsOf } from "../src/arguments.js";
import { FpnnError } from "../src/errors.js";
import { encodeQuest, FrameType } from "../src/frame.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import type { AnswerEvent, QuestEvent } from "../src/hooks.js";
import { packPayload, unpackPayload, type Payload } from "../src/msgpack/index.js";
import type { FpnnServer } from "../src/server.js";
import { newClient, rawClient, rawServer, rejectionOf, sleep, startServer } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function setup(configure?: (server: FpnnServer) => void, clientOptions?: Parameters<typeof newClient>[1], serverOptions?: Parameters<typeof startServer>[0]) {
  const { server, endpoint } = await startServer(serverOptions);
  configure?.(server);
  const client = newClient(endpoint, clientOptions);
  cleanups.push(() => server.close(), () => client.close());
  return { server, client, endpoint };
}

describe("quests", () => {
  it("connects lazily on the first quest and answers it", async () => {
    const { client } = await setup((s) => s.handle("echo", (p) => p));
    expect(client.isConnected).toBe(false);
    expect(await client.quest("echo", { hello: "world" })).toEqual({ hello: "world" });
    expect(client.isConnected).toBe(true);
  });

  it("pipelines thousands of quests on one connection, answers out of order matched by seq", async () => {
    const held: { n: number; resolve: (p: Payload) => void }[] = [];
    const total = 5000;
    const { client, server } = await setup((s) =>
      s.handle("hold", (p) => new Promise<Payload>((resolve) => {
        held.push({ n: p.n as number, resolve });
        if (held.length === total) {
          // answer in a scrambled order: odd ones reversed first, then the even ones
          const order = [...held.filter((h) => h.n % 2 === 1).reverse(), ...held.filter((h) => h.n % 2 === 0)];
          for (const h of order) h.resolve({ n: h.n, square: h.n * h.n });
        }
      })),
      undefined,
      { limits: { maxConcurrentQuests: total } }, // all of them are held at once
    );
    await client.connect();
    const answers = await Promise.all(Array.from({ length: total }, (_, n) => client.quest("hold", { n })));
    answers.forEach((answer, n) => expect(answer).toEqual({ n, square: n * n }));
    expect(server.connections.size).toBe(1);
    expect(client.connection!.pendingCount).toBe(0);
  });

  it("answers slow quests held while thousands of fast ones pass, and times out a never-answered one", async () => {
    const held: (() => void)[] = [];
    const { client } = await setup((s) => {
      s.handle("echo", (p) => p);
      s.handle("hold", (p) => new Promise<Payload>((resolve) => held.push(() => resolve(p))));
      s.handle("never", () => new Promise(() => {}));
    });
    await client.connect();
    const slow = [client.quest("hold", { slow: 1 }), client.quest("hold", { slow: 2 })];
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => client.quest("echo", { round, i })));
      answers.forEach((answer, i) => expect(answer).toEqual({ round, i }));
    }
    expect(client.connection!.pendingCount).toBe(2);
    const lost = rejectionOf(client.quest("never", {}, { timeout: 0.3 }));
    expect(client.connection!.pendingCount).toBe(3);
    for (const release of held) release();
    expect(await Promise.all(slow)).toEqual([{ slow: 1 }, { slow: 2 }]);
    expect((await lost).code).toBe(FpnnErrorCode.CoreTimeout);
    expect(client.connection!.pendingCount).toBe(0);
  });

  it("batches the socket writes of one tick: thousands of quests, few write() calls", async () => {
    const { client } = await setup((s) => s.handle("echo", (p) => p));
    await client.connect();
    const connection = client.connection!;
    const before = connection.stats;
    const quests = Array.from({ length: 3000 }, (_, i) => client.quest("echo", { i }));
    await Promise.all(quests);
    const after = connection.stats;
    expect(after.framesSent - before.framesSent).toBe(3000);
    expect(after.writes - before.writes).toBeLessThanOrEqual(3);
  });

  it("writes the head of a big tick at once, and the rest when the tick ends", async () => {
    const { client } = await setup((s) => s.handle("echo", (p) => p));
    await client.connect();
    const connection = client.connection!;
    const before = connection.stats.writes;
    const text = "x".repeat(1000);
    const quests = Array.from({ length: 100 }, (_, i) => client.quest("echo", { i, text })); // ~100 KiB in one tick
    expect(connection.stats.writes - before).toBe(1); // the head start went out while the tick was still staging
    expect((await Promise.all(quests)).map((answer) => (answer as { i: number }).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(connection.stats.writes - before).toBe(2);
  });

  it("an error answer rejects with the peer's code, ex and raiser", async () => {
    const { client } = await setup((s) => s.handle("fail", () => {
      throw new FpnnError(200010, "frequency limited", { raiser: "rtm" });
    }));
    const error = await rejectionOf(client.quest("fail", {}));
    expect([error.code, error.message, error.raiser, error.method]).toEqual([200010, "frequency limited", "rtm", "fail"]);
    expect(error.isCoreCode).toBe(false);
  });

  it("a handler's other exception becomes 20001 and the server keeps serving", async () => {
    const errors: Error[] = [];
    const { client, server } = await setup((s) => {
      s.handle("crash", async () => {
        throw new TypeError("bug");
      });
      s.handle("ok", () => ({ fine: true }));
    });
    server.on("error", (e) => errors.push(e));
    const error = await rejectionOf(client.quest("crash", {}));
    expect([error.code, error.message]).toEqual([FpnnErrorCode.CoreUnknownError, "bug"]);
    expect(await client.quest("ok", {})).toEqual({ fine: true });
    expect(errors.map((e) => e.message)).toEqual(["bug"]);
  });

  it("unknown method answers 20004", async () => {
    const { client } = await setup();
    const error = await rejectionOf(client.quest("nope", {}));
    expect(error.code).toBe(FpnnErrorCode.CoreUnknownMethod);
  });

  it("the server answers *ping with {ts}", async () => {
    const { client } = await setup();
    const before = Date.now();
    const { ts } = await client.quest("*ping", {});
    expect(typeof ts === "number" || typeof ts === "bigint").toBe(true);
    expect(Number(ts)).toBeGreaterThanOrEqual(before);
  });

  it("64-bit integers are exact in both directions", async () => {
    let received: Payload = {};
    const { client } = await setup((s) =>
      s.handle("ids", (p) => {
        received = p;
        return { max: 2n ** 64n - 1n, min: -(2n ** 63n), big: 2 ** 40, exact: 2n ** 53n + 1n, small: 5n };
      }),
    );
    const answer = await client.quest("ids", { uid: 2n ** 63n - 1n, mid: 7712190559145689089n, num: 2 ** 50, neg: -(2 ** 35) });
    expect(received).toEqual({ uid: 2n ** 63n - 1n, mid: 7712190559145689089n, num: 2 ** 50, neg: -(2 ** 35) });
    expect(answer).toEqual({ max: 2n ** 64n - 1n, min: -(2n ** 63n), big: 2 ** 40, exact: 2n ** 53n + 1n, small: 5 });
  });

  it("a bad argument rejects with a message naming it and nothing is sent", async () => {
    const { client } = await setup((s) => s.handle("echo", (p) => p));
    await client.connect();
    const sent = client.connection!.stats.framesSent;
    expect((await rejectionOf(client.quest("echo", { at: new Date() }))).message).toMatch(/payload\.at/);
    expect((await rejectionOf(client.quest("", {}))).message).toMatch(/^method:/);
    expect((await rejectionOf(client.quest("echo", {}, { timeout: -1 }))).message).toMatch(/options\.timeout/);
    expect(() => client.oneway("echo", { f: Symbol("x") })).toThrowError(/payload\.f/);
    await sleep(10);
    expect(client.connection!.stats.framesSent).toBe(sent);
  });

  it("refuses to send an oversize frame, keeps the connection", async () => {
    const { client } = await setup((s) => s.handle("echo", (p) => p), { maxFrameSize: 1000 });
    await client.connect();
    const connection = client.connection;
    const error = await rejectionOf(client.quest("echo", { blob: Buffer.alloc(2000) }));
    expect(error.message).toMatch(/exceeds maxFrameSize 1000/);
    expect(() => client.oneway("echo", { blob: Buffer.alloc(2000) })).toThrowError(/exceeds maxFrameSize/);
    expect(await client.quest("echo", { small: 1 })).toEqual({ small: 1 });
    expect(client.connection).toBe(connection);
  });

  it("an AbortSignal cancels a pending quest with 20015", async () => {
    const { client } = await setup((s) => s.handle("never", () => new Promise(() => {})));
    const controller = new AbortController();
    const pending = rejectionOf(client.quest("never", {}, { signal: controller.signal }));
    await sleep(20);
    controller.abort();
    expect((await pending).code).toBe(FpnnErrorCode.CoreCancelled);
    expect((await rejectionOf(client.quest("never", {}, { signal: controller.signal }))).code).toBe(FpnnErrorCode.CoreCancelled);
  });

  it("one-way quests reach their handler and get no answer", async () => {
    const seen: Payload[] = [];
    const { client } = await setup((s) => s.handle("event", (p) => void seen.push(p)));
    client.oneway("event", { a: 1 });
    client.oneway("event", { a: 2 });
    for (let i = 0; i < 100 && seen.length < 2; i++) await sleep(10);
    expect(seen).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("calls the hooks for every quest and answer", async () => {
    const quests: QuestEvent[] = [];
    const answers: AnswerEvent[] = [];
    const { client } = await setup((s) => s.handle("echo", (p) => p), { hooks: { quest: (e) => quests.push(e), answer: (e) => answers.push(e) } });
    await client.quest("echo", { x: "abc" });
    await client.quest("missing", {}).catch(() => {});
    expect(quests.map((q) => [q.direction, q.method, q.oneway])).toEqual([
      ["out", "echo", false],
      ["out", "missing", false],
    ]);
    expect(quests[0]!.size).toBe(packPayload({ x: "abc" }).length);
    expect(answers.map((a) => [a.method, a.error?.code])).toEqual([
      ["echo", undefined],
      ["missing", 20004],
    ]);
    expect(answers[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe("timeouts", () => {
  it("rejects with 20003 after the quest's timeout; the late answer is dropped", async () => {
    let release: (() => void) | undefined;
    const { client } = await setup((s) => {
      s.handle("slow", () => new Promise<Payload>((resolve) => (release = () => resolve({ late: true }))));
      s.handle("echo", (p) => p);
    });
    const started = performance.now();
    const error = await rejectionOf(client.quest("slow", {}, { timeout: 0.15 }));
    expect(error.code).toBe(FpnnErrorCode.CoreTimeout);
    expect(error.method).toBe("slow");
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
    release!();
    expect(await client.quest("echo", { after: 1 })).toEqual({ after: 1 });
    expect(client.connection!.pendingCount).toBe(0);
  });

  it("uses the client default (30 s) when the timeout is 0 or absent, and a configured default", async () => {
    const { client: slowDefault } = await setup((s) => s.handle("never", () => new Promise(() => {})), { timeout: 0.1 });
    expect((await rejectionOf(slowDefault.quest("never", {}, { timeout: 0 }))).message).toMatch(/after 0\.1 s/);
    expect((await rejectionOf(slowDefault.quest("never", {}))).code).toBe(FpnnErrorCode.CoreTimeout);

    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
    expect(timeoutMsOf(0, DEFAULT_TIMEOUT_MS)).toBe(30_000);
    expect(timeoutMsOf(undefined, DEFAULT_TIMEOUT_MS)).toBe(30_000);
    const { client } = await setup((s) => s.handle("never", () => new Promise(() => {})));
    let settled = false;
    const pending = rejectionOf(client.quest("never", {}, { timeout: 0 }).finally(() => (settled = true)));
    await sleep(300);
    expect(settled).toBe(false);
    await client.close();
    const error = await pending;
    expect(error.code).toBe(FpnnErrorCode.CoreConnectionClosed);
  });
});

describe("closing", () => {
  it("close() rejects every pending quest with 20002, exactly once", async () => {
    const { client } = await setup((s) => s.handle("never", () => new Promise(() => {})));
    await client.connect();
    let settled = 0;
    const pending = Array.from({ length: 100 }, () => rejectionOf(client.quest("never", {}).finally(() => settled++)));
    await sleep(20);
    const closes: FpnnError[] = [];
    client.on("close", (e) => closes.push(e));
    await client.close();
    const errors = await Promise.all(pending);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set([FpnnErrorCode.CoreConnectionClosed]));
    expect(settled).toBe(100);
    expect(closes.map((e) => e.code)).toEqual([20002]);
    expect((await rejectionOf(client.quest("never", {}))).code).toBe(FpnnErrorCode.CoreConnectionClosed);
  });

  it("a broken socket rejects pending quests with 20012", async () => {
    const raw = await rawServer();
    cleanups.push(() => raw.close());
    const client = newClient(`127.0.0.1:${raw.port}`, { autoReconnect: false });
    cleanups.push(() => client.close());
    const pending = [rejectionOf(client.quest("a", {})), rejectionOf(client.quest("b", {}))];
    const peer = await raw.nextPeer();
    await peer.waitFrames(2);
    peer.socket.resetAndDestroy();
    const errors = await Promise.all(pending);
    expect(errors.map((e) => [e.code, e.method])).toEqual([
      [FpnnErrorCode.CoreInvalidConnection, "a"],
      [FpnnErrorCode.CoreInvalidConnection, "b"],
    ]);
  });

  it("a peer closing cleanly rejects pending quests with 20002", async () => {
    const raw = await rawServer();
    cleanups.push(() => raw.close());
    const client = newClient(`127.0.0.1:${raw.port}`, { autoReconnect: false });
    cleanups.push(() => client.close());
    const pending = rejectionOf(client.quest("a", {}));
    const peer = await raw.nextPeer();
    await peer.waitFrames(1);
    peer.socket.end();
    expect((await pending).code).toBe(FpnnErrorCode.CoreConnectionClosed);
  });

  it("a malformed frame from the server drops the connection with 20012", async () => {
    const raw = await rawServer();
    cleanups.push(() => raw.close());
    const client = newClient(`127.0.0.1:${raw.port}`, { autoReconnect: false });
    cleanups.push(() => client.close());
    const pending = rejectionOf(client.quest("a", {}));
    const peer = await raw.nextPeer();
    await peer.waitFrames(1);
    peer.write(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const error = await pending;
    expect(error.code).toBe(FpnnErrorCode.CoreInvalidConnection);
    expect(error.message).toMatch(/bad magic/);
  });

  it("the client accepts a frame up to its limit and refuses a bigger one (error, connection dropped)", async () => {
    const { client } = await setup((s) => s.handle("big", (p) => ({ blob: Buffer.alloc(p.size as number) })), { maxFrameSize: 2000, autoReconnect: false });
    expect(((await client.quest("big", { size: 1000 })).blob as Buffer).length).toBe(1000);
    const error = await rejectionOf(client.quest("big", { size: 3000 }));
    expect(error.code).toBe(FpnnErrorCode.CoreInvalidConnection);
    expect(error.message).toMatch(/exceeds the limit of 2000/);
  });

  it("server.close() lets running handlers answer, refuses new quests with 20014, then closes", async () => {
    const { server, endpoint } = await startServer();
    server.handle("slow", async () => {
      await sleep(100);
      return { done: true };
    });
    const client = newClient(endpoint, { autoReconnect: false });
    cleanups.push(() => client.close());
    const slow = client.quest("slow", {});
    await sleep(30);
    const closing = server.close();
    await sleep(10);
    const refused = rejectionOf(client.quest("slow", {}));
    expect(await slow).toEqual({ done: true });
    const error = await refused;
    expect([FpnnErrorCode.CoreServerStopping, FpnnErrorCode.CoreConnectionClosed]).toContain(error.code);
    await closing;
    expect(server.connections.size).toBe(0);
  });
});

describe("server-initiated quests (duplex)", () => {
  it("the server quests the client and gets its handler's answer; unknown method answers 20004", async () => {
    const { client, server } = await setup();
    client.onQuest("greet", (p, ctx) => ({ hello: p.name, method: ctx.method }));
    client.onQuest("async", async () => {
      await sleep(5);
      return { later: 1n << 60n };
    });
    client.onQuest("fails", () => {
      throw new FpnnError(424242, "client says no");
    });
    await client.connect();
    const connection = [...server.connections][0]!;
    expect(await connection.quest("greet", { name: "server" })).toEqual({ hello: "server", method: "greet" });
    expect(await connection.quest("async", {})).toEqual({ later: 1n << 60n });
    const failed = await rejectionOf(connection.quest("fails", {}));
    expect([failed.code, failed.message]).toEqual([424242, "client says no"]);
    expect((await rejectionOf(connection.quest("unknown", {}))).code).toBe(FpnnErrorCode.CoreUnknownMethod);
    expect(await connection.quest("*ping", {})).toHaveProperty("ts");
  });

  it("the client's answers are never zero-length, even for a handler returning nothing", async () => {
    const raw = await rawServer();
    cleanups.push(() => raw.close());
    const client = newClient(`127.0.0.1:${raw.port}`, { autoReconnect: false });
    cleanups.push(() => client.close());
    client.onQuest("nothing", () => undefined);
    client.onQuest("empty", () => ({}));
    await client.connect();
    const peer = await raw.nextPeer();
    peer.write(Buffer.concat([encodeQuest("nothing", packPayload({}), 11), encodeQuest("empty", packPayload({}), 12), encodeQuest("who", packPayload({}), 13)]));
    const frames = await peer.waitFrames(3);
    expect(frames.map((f) => [f.type, f.seq, f.status])).toEqual([
      [FrameType.Answer, 11, 0],
      [FrameType.Answer, 12, 0],
      [FrameType.Answer, 13, 1],
    ]);
    expect(frames[0]!.payload).toEqual(Buffer.of(0x80));
    expect(frames[1]!.payload).toEqual(Buffer.of(0x80));
    expect(unpackPayload(frames[2]!.payload)).toMatchObject({ code: 20004 });
  });

  it("the server's own seqs are independent of the client's", async () => {
    const { client, server } = await setup((s) => s.handle("echo", (p) => p));
    client.onQuest("echo", (p) => p);
    await client.connect();
    const connection = [...server.connections][0]!;
    const both = await Promise.all([client.quest("echo", { from: "client" }), connection.quest("echo", { from: "server" })]);
    expect(both).toEqual([{ from: "client" }, { from: "server" }]);
  });
});

describe("FpnnClient construction", () => {
  it("validates its options, naming them", () => {
    expect(() => new FpnnClient({ endpoint: "nohost" })).toThrowError(/options\.endpoint/);
    expect(() => new FpnnClient({ endpoint: "h:70000" })).toThrowError(/options\.endpoint/);
    expect(() => new FpnnClient({ endpoint: "h:1", timeout: -5 })).toThrowError(/options\.timeout/);
    expect(() => new FpnnClient({ endpoint: "h:1", regressiveStrategy: { firstIntervalMs: -1 } })).toThrowError(/regressiveStrategy\.firstIntervalMs/);
    expect(new FpnnClient({ endpoint: "[::1]:13315" }).host).toBe("::1");
  });

  it("an 'error' without listener does not crash; a failed connect rejects with 20012", async () => {
    const raw = await rawServer();
    const port = raw.port;
    await raw.close();
    const client = newClient(`127.0.0.1:${port}`, { autoReconnect: false });
    const error = await rejectionOf(client.connect());
    expect(error.code).toBe(FpnnErrorCode.CoreInvalidConnection);
    expect((await rejectionOf(client.quest("x", {}))).code).toBe(FpnnErrorCode.CoreInvalidConnection);
    await client.close();
  });
});

describe("raw peers against FpnnServer", () => {
  it("answers a raw pipelined burst in one chunk", async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    server.handle("add", (p) => ({ sum: (p.a as number) + (p.b as number) }));
    const peer = await rawClient(port);
    cleanups.push(async () => peer.socket.destroy());
    peer.write(Buffer.concat(Array.from({ length: 50 }, (_, i) => encodeQuest("add", packPayload({ a: i, b: 1 }), i + 1))));
    const frames = await peer.waitFrames(50);
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(frames.map((f) => unpackPayload(f.payload).sum)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
