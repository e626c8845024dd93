import { afterEach, describe, expect, it } from "vitest";
import { resolveConnectionLimits } from "../src/connection-limits.js";
import { FpnnError } from "../src/errors.js";
import { encodeQuest, FrameType } from "../src/frame.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import { packPayload, unpackPayload, type Payload } from "../src/msgpack/index.js";
import type { FpnnServer, FpnnServerOptions } from "../src/server.js";
import { newClient, rawClient, rawServer, sleep, startServer, type RawPeer } from "./helpers.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: FpnnServerOptions, configure: (server: FpnnServer) => void): Promise<{ server: FpnnServer; port: number; endpoint: string; errors: Error[] }> {
  const started = await startServer(options);
  const errors: Error[] = [];
  started.server.on("error", (error) => errors.push(error));
  configure(started.server);
  cleanups.push(() => started.server.close());
  return { ...started, errors };
}

async function peer(port: number): Promise<RawPeer> {
  const raw = await rawClient(port);
  cleanups.push(() => void raw.socket.destroy());
  return raw;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(10);
  }
}

const quests = (method: string, count: number, payload: Payload = {}): Buffer =>
  Buffer.concat(Array.from({ length: count }, (_, i) => encodeQuest(method, packPayload(payload), i + 1)));

describe("resolveConnectionLimits", () => {
  it("gives servers a 60 s idle timeout and clients none, with the same other defaults", () => {
    const server = resolveConnectionLimits(undefined, "server");
    const client = resolveConnectionLimits(undefined, "client");
    expect(server.idleTimeoutMs).toBe(60_000);
    expect(client.idleTimeoutMs).toBe(0);
    expect({ ...server, idleTimeoutMs: 0 }).toEqual(client);
    expect(server).toMatchObject({ outputHighWaterMark: 1 << 20, maxOutputBytes: 32 << 20, frameDeadlineMs: 30_000, maxPayloadEntries: 65_536 });
  });

  it.each([
    [{ idleTimeoutMs: -1 }, /options\.limits\.idleTimeoutMs: expected a non-negative integer, got -1/],
    [{ outputHighWaterMark: 0 }, /options\.limits\.outputHighWaterMark: expected a positive integer, got 0/],
    [{ maxPayloadEntries: 1.5 }, /options\.limits\.maxPayloadEntries: expected a positive integer/],
    [{ maxOutputBytes: 100, outputHighWaterMark: 100 }, /options\.limits\.maxOutputBytes: must be above outputHighWaterMark \(100\), got 100/],
    [{ idleTimeout: 5 }, /options\.limits\.idleTimeout: unknown limit/],
  ])("names the field of a bad limit: %o", (limits, message) => {
    expect(() => resolveConnectionLimits(limits as never, "server")).toThrow(message);
  });
});

describe("output waiting for a peer", () => {
  it("stops reading a client that does not take its answers and resumes once it does: every answer arrives, in order", async () => {
    // The frame deadline (300 ms) does not run while the server does not read: the partial last frame survives the pause.
    const answer = { blob: "z".repeat(64 * 1024) }; // 400 answers: 25 MiB, more than the kernel's socket buffers hold
    const { server, port } = await serve({ limits: { outputHighWaterMark: 64 * 1024, frameDeadlineMs: 300 } }, (s) => s.handle("page", (p) => ({ n: p.n, ...answer })));
    const slow = await peer(port);
    slow.socket.pause();
    for (let n = 0; n < 400; n++) slow.write(encodeQuest("page", packPayload({ n }), n + 1));
    const last = encodeQuest("page", packPayload({ n: 400 }), 401);
    slow.write(last.subarray(0, 10));
    const connection = await waitForConnection(server);
    // Once the kernel's buffers are full, nothing more is read or answered.
    let answered = -1;
    await waitFor(() => {
      const settled = connection.isReadingPaused && connection.stats.framesSent === answered;
      answered = connection.stats.framesSent;
      return settled;
    }, "reading paused for good");
    await sleep(600);
    expect(connection.stats.framesSent).toBe(answered);
    expect(answered).toBeLessThan(400);
    expect(connection.outputBytes).toBeLessThan(64 * 1024 + 70 * 1024); // the mark plus at most one answer
    slow.socket.resume();
    await slow.waitFrames(400, 10_000);
    slow.write(last.subarray(10));
    await slow.waitFrames(401);
    expect(slow.frames.map((frame) => unpackPayload(frame.payload).n)).toEqual(Array.from({ length: 401 }, (_, n) => n));
    await waitFor(() => !connection.isReadingPaused, "reading again");
  });

  it("closes a connection whose async answers pile up past maxOutputBytes, reports it, and keeps serving others", async () => {
    const big = { blob: "y".repeat(256 * 1024) };
    const { port, endpoint, errors } = await serve({ limits: { outputHighWaterMark: 64 * 1024, maxOutputBytes: 1024 * 1024 } }, (s) => {
      s.handle("later", () => new Promise((resolve) => setTimeout(() => resolve(big), 20)));
      s.handle("echo", (p) => p);
    });
    const hog = await peer(port);
    hog.socket.pause();
    hog.write(quests("later", 40)); // 10 MiB of answers, all started before the first is staged
    await waitFor(() => errors.length > 0, "connection closed");
    expect(errors[0]).toBeInstanceOf(FpnnError);
    expect(errors[0]!.message).toMatch(/cannot answer later: the peer leaves \d+ bytes of output waiting, more than maxOutputBytes 1048576: connection closed/);
    hog.socket.resume();
    await hog.waitClosed();
    const client = newClient(endpoint);
    cleanups.push(() => client.close());
    expect(await client.quest("echo", { still: "served" })).toEqual({ still: "served" });
  });

  it("refuses a client's own quest with 20011 while too much output waits, sending nothing of it", async () => {
    const raw = await rawServer();
    cleanups.push(() => raw.close());
    const client = newClient(`127.0.0.1:${raw.port}`, { limits: { outputHighWaterMark: 16 * 1024, maxOutputBytes: 256 * 1024 } });
    cleanups.push(() => client.close());
    await client.connect();
    const server = await raw.nextPeer();
    server.socket.pause(); // the server stops reading: the client's quests stay in its buffers
    const payload = { data: "q".repeat(8 * 1024) };
    let accepted = 0;
    let refusal: FpnnError | undefined;
    while (refusal === undefined && accepted < 10_000) {
      let failed: FpnnError | undefined;
      client.quest("fill", payload, { timeout: 30 }).catch((error: FpnnError) => (failed ??= error));
      await new Promise((resolve) => setImmediate(resolve)); // a refusal is a promise rejected at once
      if (failed === undefined) accepted++;
      else refusal = failed;
    }
    expect(refusal?.code).toBe(FpnnErrorCode.CoreWorkQueueFull);
    expect(refusal?.message).toMatch(/quest fill: \d+ bytes already wait to be sent, more than maxOutputBytes 262144; nothing was sent/);
    expect(client.isConnected).toBe(true);
    server.socket.resume();
    await server.waitFrames(accepted);
    await sleep(100);
    expect(server.frames.length).toBe(accepted); // the refused quest never went out
    expect(server.frames.every((frame) => frame.type === FrameType.Twoway)).toBe(true);
  });
});

describe("deadlines and budgets", () => {
  it("does not close a connection as idle while its quest is being handled", async () => {
    const { endpoint } = await serve({ limits: { idleTimeoutMs: 200 } }, (s) => s.handle("slow", () => sleep(700).then(() => ({ done: true }))));
    const client = newClient(endpoint, { autoReconnect: false });
    cleanups.push(() => client.close());
    expect(await client.quest("slow", {})).toEqual({ done: true });
    await sleep(500);
    expect(client.isConnected).toBe(false); // idle afterwards: closed
  });

  it("drops the connection holding a big partial frame once partial frames exceed the server's input budget", async () => {
    const { server, port } = await serve({ maxBufferedInputBytes: 5 * 1024 * 1024 }, (s) => s.handle("upload", () => ({ ok: true })));
    const held = () => sumReceived(server);
    const frame = encodeQuest("upload", packPayload({ data: Buffer.alloc(4 * 1024 * 1024) }), 1);
    const half = frame.subarray(0, 2 * 1024 * 1024);
    const [a, b, c] = [await peer(port), await peer(port), await peer(port)];
    a.write(half);
    b.write(half);
    await waitFor(() => held() >= 4 * 1024 * 1024, "two halves received");
    c.write(half); // 6 MiB would be held in total: the connection that grows past the budget goes
    await c.waitClosed();
    expect(a.closed || b.closed).toBe(false);
    b.socket.destroy(); // room again for a's whole frame
    await waitFor(() => server.connections.size === 1, "b gone");
    a.write(frame.subarray(half.length));
    await a.waitFrames(1);
    expect(unpackPayload(a.frames[0]!.payload)).toEqual({ ok: true });
  });
});

function sumReceived(server: FpnnServer): number {
  let total = 0;
  for (const connection of server.connections) total += connection.stats.bytesReceived;
  return total;
}

async function waitForConnection(server: FpnnServer) {
  await waitFor(() => server.connections.size > 0, "connection accepted");
  return [...server.connections][0]!;
}

describe("payload shape", () => {
  const wideMap = (entries: number): Payload => Object.fromEntries(Array.from({ length: entries }, (_, i) => [`k${i}`, i]));
  const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);

  it("answers 20006 to a quest with too many entries, or nested too deep, without decoding it, and keeps the connection", async () => {
    const seen: string[] = [];
    const { endpoint } = await serve({ limits: { maxPayloadEntries: 1000, maxPayloadDepth: 8 } }, (s) => s.handle("take", (p) => void seen.push(Object.keys(p).join())));
    const client = newClient(endpoint);
    cleanups.push(() => client.close());
    const wide = await client.quest("take", wideMap(1001)).catch((error: FpnnError) => error);
    expect(wide).toMatchObject({ code: FpnnErrorCode.CoreDecoding, message: "quest take: payload more than 1000 map entries and array elements; not decoded" });
    const deep = await client.quest("take", { deep: nested(8) }).catch((error: FpnnError) => error);
    expect(deep).toMatchObject({ code: FpnnErrorCode.CoreDecoding, message: "quest take: payload nested deeper than 8 levels; not decoded" });
    expect(seen).toEqual([]);
    expect(await client.quest("take", { ...wideMap(990), deep: nested(6) })).toEqual({}); // 997 entries, 7 levels
    expect(seen).toHaveLength(1);
  });

  it("counts JSON payloads too", async () => {
    const { port } = await serve({ limits: { maxPayloadEntries: 100 } }, (s) => s.handle("take", () => ({ ok: true })));
    const raw = await peer(port);
    const json = (text: string, seq: number) => encodeQuest("take", Buffer.from(text), seq, { flag: 0x40 });
    raw.write(json(JSON.stringify({ list: Array.from({ length: 200 }, (_, i) => i), text: ",,,[{" }), 1));
    raw.write(json(JSON.stringify({ list: Array.from({ length: 50 }, (_, i) => i), text: ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,[[[[{{" }), 2));
    await raw.waitFrames(2);
    expect(raw.frames.map((frame) => [frame.seq, frame.status, JSON.parse(Buffer.from(frame.payload).toString())])).toEqual([
      [1, 1, { code: FpnnErrorCode.CoreDecoding, ex: "quest take: payload more than 100 map entries and array elements; not decoded" }],
      [2, 0, { ok: true }], // commas and brackets inside strings do not count
    ]);
  });

  it("fails a client's quest whose answer has too many entries, with 20006, and keeps the connection", async () => {
    const { endpoint } = await serve({}, (s) => {
      s.handle("wide", () => wideMap(500));
      s.handle("echo", (p) => p);
    });
    const client = newClient(endpoint, { limits: { maxPayloadEntries: 100 } });
    cleanups.push(() => client.close());
    const error = await client.quest("wide", {}).catch((e: FpnnError) => e);
    expect(error).toMatchObject({ code: FpnnErrorCode.CoreDecoding, message: "answer of wide: more than 100 map entries and array elements; not decoded" });
    expect(await client.quest("echo", { a: 1 })).toEqual({ a: 1 });
  });
});
