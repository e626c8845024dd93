import { afterEach, describe, expect, it } from "vitest";
import type { FpnnClient } from "../src/client.js";
import { FpnnError } from "../src/errors.js";
import { FrameType } from "../src/frame.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import { RegressiveReconnect } from "../src/reconnect.js";
import { FpnnServer } from "../src/server.js";
import { newClient, rawClient, rawServer, sleep, startServer } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function track(client: FpnnClient) {
  const events: string[] = [];
  const delays: number[] = [];
  client.on("connect", (e) => events.push(e.reconnected ? "reconnected" : "connected"));
  client.on("close", (e) => events.push(`close ${e.code}`));
  client.on("reconnect", (e) => {
    events.push("reconnect");
    delays.push(e.delayMs);
  });
  return { events, delays };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await sleep(10);
  }
}

async function freePort(): Promise<number> {
  const raw = await rawServer();
  await raw.close();
  return raw.port;
}

/** A client that connected once, to a server that is then gone: what auto-reconnect rides out. */
async function connectedThenServerDown(options?: Parameters<typeof newClient>[1]) {
  const { server, port, endpoint } = await startServer();
  const client = newClient(endpoint, options);
  cleanups.push(() => client.close());
  const tracked = track(client);
  await client.connect();
  await server.close();
  await until(() => tracked.events.includes("close 20002") && !client.isConnected);
  return { client, port, ...tracked };
}

describe("regressive strategy", () => {
  it("retries at once 5 times, then 2 s growing linearly over 5 steps to 120 s", () => {
    const strategy = new RegressiveReconnect();
    const delays = Array.from({ length: 12 }, () => strategy.afterFailure());
    expect(delays).toEqual([0, 0, 0, 0, 0, 2000, 25600, 49200, 72800, 96400, 120000, 120000]);
  });

  it("a connection that lived longer than 1.5 s resets the count; a younger one counts as a failure", () => {
    const strategy = new RegressiveReconnect();
    for (let i = 0; i < 7; i++) strategy.afterFailure();
    expect(strategy.afterClose(1501)).toBe(0);
    expect(strategy.failureCount).toBe(1);
    for (let i = 0; i < 4; i++) expect(strategy.afterClose(100)).toBe(0);
    expect(strategy.afterClose(100)).toBe(2000);
  });

  it("is configurable", () => {
    const strategy = new RegressiveReconnect({ startConnectFailedCount: 1, firstIntervalMs: 10, maxIntervalMs: 30, linearRegressiveCount: 2 });
    expect(Array.from({ length: 5 }, () => strategy.afterFailure())).toEqual([0, 10, 20, 30, 30]);
  });
});

describe("auto-reconnect", () => {
  it("reconnects after the server drops the connection; quests work again", async () => {
    const { server, endpoint } = await startServer();
    server.handle("echo", (p) => p);
    cleanups.push(() => server.close());
    const client = newClient(endpoint);
    cleanups.push(() => client.close());
    const { events, delays } = track(client);
    await client.quest("echo", { n: 1 });
    const first = client.connection;
    for (const connection of server.connections) connection.destroy();
    await until(() => events.includes("reconnected"));
    expect(events).toEqual(["connected", "close 20002", "reconnect", "reconnected"]);
    expect(delays).toEqual([0]);
    expect(await client.quest("echo", { n: 2 })).toEqual({ n: 2 });
    expect(client.connection).not.toBe(first);
  });

  it("runs the ready steps on every new connection, after beforeReady and before the queued quests; a removed one no more", async () => {
    const { server, endpoint } = await startServer();
    const order: string[] = [];
    server.handle("echo", (p) => {
      order.push(`echo ${String(p.n)}`);
      return p;
    });
    cleanups.push(() => server.close());
    const client = newClient(endpoint, { beforeReady: () => void order.push("beforeReady") });
    cleanups.push(() => client.close());
    const { events } = track(client);
    const removeFirst = client.addReadyStep(async (connection) => {
      order.push("step 1");
      await connection.quest("echo", { n: "from step" });
    });
    client.addReadyStep(() => void order.push("step 2"));
    await client.quest("echo", { n: 1 });
    removeFirst();
    for (const connection of server.connections) connection.destroy();
    await until(() => events.includes("close 20002"));
    const queued = client.quest("echo", { n: 2 });
    await until(() => events.includes("reconnected"));
    await queued;
    expect(order).toEqual(["beforeReady", "step 1", "echo from step", "step 2", "echo 1", "beforeReady", "step 2", "echo 2"]);
    expect(() => client.addReadyStep("no" as never)).toThrow("step: must be a function");
  });

  it("follows the configured strategy while the server is down; queued quests are sent once it is back", async () => {
    const { client, port, delays } = await connectedThenServerDown({
      regressiveStrategy: { startConnectFailedCount: 2, firstIntervalMs: 40, maxIntervalMs: 100, linearRegressiveCount: 2 },
    });
    const queued = client.quest("echo", { queued: true }, { timeout: 5 });
    const oneway: string[] = [];
    client.oneway("note", { text: "queued one-way" });
    await until(() => delays.length >= 5);
    expect(delays.slice(0, 5)).toEqual([0, 0, 40, 70, 100]);
    const server = new FpnnServer();
    server.handle("echo", (p) => p);
    server.handle("note", (p) => void oneway.push(p.text as string));
    cleanups.push(() => server.close());
    await server.listen(port);
    expect(await queued).toEqual({ queued: true });
    await until(() => oneway.length === 1);
    expect(oneway).toEqual(["queued one-way"]);
  });

  it("a queued quest fails with 20003 when no reconnection comes within its timeout", async () => {
    const { client } = await connectedThenServerDown({ regressiveStrategy: { startConnectFailedCount: 0, firstIntervalMs: 50 } });
    const error = await client.quest("echo", {}, { timeout: 0.2 }).catch((e: unknown) => e);
    expect(FpnnError.is(error, FpnnErrorCode.CoreTimeout)).toBe(true);
  });

  it("without auto-reconnect: a dropped connection stays down until the next quest reconnects lazily", async () => {
    const { server, endpoint } = await startServer();
    server.handle("echo", (p) => p);
    cleanups.push(() => server.close());
    const client = newClient(endpoint, { autoReconnect: false });
    cleanups.push(() => client.close());
    const { events } = track(client);
    await client.quest("echo", {});
    for (const connection of server.connections) connection.destroy();
    await until(() => events.length === 2);
    await sleep(50);
    expect(events).toEqual(["connected", "close 20002"]);
    expect(client.isConnected).toBe(false);
    expect(await client.quest("echo", { lazy: 1 })).toEqual({ lazy: 1 });
    expect(events).toEqual(["connected", "close 20002", "reconnected"]);
  });

  it("never connected and nothing listening: quests fail at once with 20012, the OS error as cause, and no retry is scheduled", async () => {
    const port = await freePort();
    const client = newClient(`127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    const { events } = track(client);
    const started = performance.now();
    const errors = await Promise.all([client.quest("echo", { a: 1 }), client.quest("echo", { a: 2 }, { timeout: 60 })].map((q) => q.catch((e: unknown) => e as FpnnError)));
    expect(performance.now() - started).toBeLessThan(1000);
    for (const [i, error] of errors.entries()) {
      expect(FpnnError.is(error, FpnnErrorCode.CoreInvalidConnection), String(error)).toBe(true);
      expect(error.method).toBe("echo");
      expect(error.message).toBe(`cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
      expect((error.cause as NodeJS.ErrnoException).code, `quest ${i}`).toBe("ECONNREFUSED");
    }
    await sleep(100);
    expect(events).toEqual([]);
    // Nothing is stuck: once the server is up, the next quest connects.
    const server = new FpnnServer();
    server.handle("echo", (p) => p);
    cleanups.push(() => server.close());
    await server.listen(port);
    expect(await client.quest("echo", { b: 1 })).toEqual({ b: 1 });
    expect(events).toEqual(["connected"]);
  });

  it("never connected and the host does not resolve: 20012 with the resolver's error as cause", async () => {
    const client = newClient("nonexistent.invalid:1");
    cleanups.push(() => client.close());
    const error = (await client.quest("echo", {}).catch((e: unknown) => e)) as FpnnError;
    expect(FpnnError.is(error, FpnnErrorCode.CoreInvalidConnection), String(error)).toBe(true);
    expect(error.message).toMatch(/^cannot connect to nonexistent\.invalid:1: getaddrinfo (ENOTFOUND|EAI_AGAIN) nonexistent\.invalid$/);
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
  });

  it("without auto-reconnect and no server: queued quests fail at once with 20012", async () => {
    const client = newClient(`127.0.0.1:${await freePort()}`, { autoReconnect: false });
    cleanups.push(() => client.close());
    const error = await client.quest("echo", {}).catch((e: unknown) => e);
    expect(FpnnError.is(error, FpnnErrorCode.CoreInvalidConnection)).toBe(true);
    expect((error as FpnnError).message).toMatch(/cannot connect/);
  });
});

describe("keep-alive", () => {
  it("pings after the idle interval and keeps a live connection", async () => {
    const pings: string[] = [];
    const { server, endpoint } = await startServer({ hooks: { quest: (e) => void (e.method === "*ping" && pings.push(e.direction)) } });
    cleanups.push(() => server.close());
    const client = newClient(endpoint, { keepAlive: { idleMs: 60, timeoutMs: 500 } });
    cleanups.push(() => client.close());
    await client.connect();
    const connection = client.connection;
    await until(() => pings.length >= 2);
    expect(pings.every((d) => d === "in")).toBe(true);
    expect(client.connection).toBe(connection);
  });

  it("detects a dead peer (no *ping answer), drops the connection with 20012 and reconnects", async () => {
    const raw = await rawServer();
    cleanups.push(() => raw.close());
    const client = newClient(`127.0.0.1:${raw.port}`, { keepAlive: { idleMs: 60, timeoutMs: 100 } });
    cleanups.push(() => client.close());
    const { events } = track(client);
    await client.connect();
    const silent = await raw.nextPeer();
    const [ping] = await silent.waitFrames(1);
    expect([ping!.type, ping!.method]).toEqual([FrameType.Twoway, "*ping"]);
    await until(() => events.includes("reconnected"));
    expect(events.slice(0, 3)).toEqual(["connected", "close 20012", "reconnect"]);
    expect(raw.peers.length).toBeGreaterThanOrEqual(2);
  });

  it("the server can ping idle clients too, and drops one that never answers", async () => {
    const { server, port } = await startServer({ keepAlive: { idleMs: 60, timeoutMs: 100 } });
    cleanups.push(() => server.close());
    const reasons: number[] = [];
    server.on("disconnect", (_c, reason) => reasons.push(reason.code));
    const peer = await rawClient(port);
    cleanups.push(async () => peer.socket.destroy());
    const [ping] = await peer.waitFrames(1);
    expect(ping!.method).toBe("*ping");
    await peer.waitClosed();
    expect(reasons).toEqual([FpnnErrorCode.CoreInvalidConnection]);
  });
});
