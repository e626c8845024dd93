// The rtm-emulator command as its own process against peers that misbehave on purpose: clients that
// never read their answers, slowloris connections, too many connections. Each costs the server bounded
// memory and is disconnected; well-behaved clients are served throughout.
import { connect, type Socket } from "node:net";
import { encodeQuest, FrameDecoder, packPayload, type Payload } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { establishedClientPorts, rssKiB } from "../../scripts/bench/soak/procfs.js";
import { spawnEmulator, type EmulatorProcess } from "./cli-process.js";
import { onCleanup, PID, rawExchange, SECRET, sdk, signed } from "./helpers.js";

const GROUP = 4242n;

/** Resident memory of a process in MiB (Linux). */
function rssMiB(pid: number): number {
  const kib = rssKiB(pid);
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return kib / 1024;
}

/** Whether the server still holds the connection from `clientPort`: a client that never reads does not see it closed. */
function serverHolds(serverPort: number, clientPort: number): boolean {
  return establishedClientPorts(serverPort).has(clientPort);
}

function endpointParts(endpoint: string): { host: string; port: number } {
  const colon = endpoint.lastIndexOf(":");
  return { host: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)) };
}

interface RawSocket {
  readonly socket: Socket;
  readonly localPort: number;
  /** performance.now() when the server closed it, once it has. */
  closedAt: number | undefined;
  readonly openedAt: number;
  received: number;
}

async function openRaw(endpoint: string, read: boolean): Promise<RawSocket> {
  const socket = connect(endpointParts(endpoint));
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const raw: RawSocket = { socket, localPort: socket.localPort!, closedAt: undefined, openedAt: performance.now(), received: 0 };
  socket.on("error", () => {});
  socket.on("close", () => (raw.closedAt = performance.now()));
  if (read) socket.on("data", (chunk: Buffer) => (raw.received += chunk.length));
  else socket.pause(); // never read: answers pile up on the server's side
  return raw;
}

/** Writes frames from `next()` as fast as the socket takes them, until `until` passes or the socket closes; returns the frames written. */
async function flood(raw: RawSocket, next: () => Uint8Array, until: number): Promise<number> {
  let written = 0;
  while (raw.closedAt === undefined && performance.now() < until) {
    let room = true;
    for (let i = 0; i < 256 && room; i++, written++) room = raw.socket.write(next());
    if (!room) {
      // The peer stopped taking bytes: wait for room, or for the deadline.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, until - performance.now()));
        raw.socket.once("drain", () => {
          clearTimeout(timer);
          resolve();
        });
        raw.socket.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } else {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return written;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let seq = 0;
function quest(method: string, payload: Payload): Buffer {
  return encodeQuest(method, packPayload(payload), ++seq);
}

function historyQuest(): Buffer {
  return quest("getgroupmsg", { gid: GROUP, desc: true, num: 20, begin: 0, end: 0, lastid: 0, mtypes: [30], uid: 1001n, ...signed("getgroupmsg") });
}

/** A healthy client sending one chat every 50 ms; records each call's latency and any failure. */
function healthyTraffic(emulator: EmulatorProcess): { stop(): Promise<{ latencies: number[]; failures: unknown[] }> } {
  const client = sdk(emulator.endpoint, { autoReconnect: false });
  const latencies: number[] = [];
  const failures: unknown[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await client.sendChat(1n, 2n, "still served", "");
        latencies.push(performance.now() - started);
      } catch (error) {
        failures.push(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { latencies, failures };
    },
  };
}

describe("rtm-emulator against hostile peers", () => {
  it("bounds the memory of clients that never read their answers, serves the others, and closes them once idle", async () => {
    const emulator = await spawnEmulator(["--project", `${PID}:${SECRET}`, "--idle-timeout", "3"]);
    const pid = emulator.child.pid!;
    // 20 messages of 30 KiB: every history quest (~150 bytes) asks for a ~600 KiB answer.
    const writer = sdk(emulator.endpoint);
    for (let i = 0; i < 20; i++) await writer.sendGroupChat(1001n, GROUP, "x".repeat(30 * 1024), "");
    await writer.close();
    for (let i = 0; i < 3; i++) await historyWarmUp(emulator.endpoint);
    const baseline = rssMiB(pid);

    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
    onCleanup(async () => clearInterval(sampler));
    const healthy = healthyTraffic(emulator);
    const historyReader = await openRaw(emulator.endpoint, false);
    const unsignedSender = await openRaw(emulator.endpoint, false);
    const floodUntil = performance.now() + 6000;
    const unsignedSend = quest("sendmsg", {}); // answered with an error (missing parameters) by an async handler
    const [historyQuests, unsignedQuests] = await Promise.all([
      flood(historyReader, historyQuest, floodUntil),
      flood(unsignedSender, () => unsignedSend, floodUntil),
    ]);
    // Idle: they send nothing more (their socket buffers are full) and take nothing: closed 3 s later.
    const serverPort = endpointParts(emulator.endpoint).port;
    const held = (raw: RawSocket) => serverHolds(serverPort, raw.localPort);
    expect(held(historyReader) || historyReader.closedAt !== undefined).toBe(true);
    await waitUntil(() => !held(historyReader) && !held(unsignedSender), 15_000, "non-readers closed by the server");
    const { latencies, failures } = await healthy.stop();
    clearInterval(sampler);

    expect(historyQuests).toBeGreaterThan(1000); // without a bound: > 600 MB of answers staged
    expect(unsignedQuests).toBeGreaterThan(10_000);
    expect(peak - baseline).toBeLessThan(150);
    expect(failures).toEqual([]);
    expect(latencies.length).toBeGreaterThan(50);
    latencies.sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length * 0.99)]).toBeLessThan(500);
    expect(emulator.child.exitCode).toBeNull();
  }, 40_000);

  it("closes slowloris connections by their deadlines: a started frame, a silent one, a trickling big frame", async () => {
    const emulator = await spawnEmulator(["--project", `${PID}:${SECRET}`, "--frame-timeout", "1", "--idle-timeout", "2"]);
    const header = quest("sendmsg", { msg: "x".repeat(64) });
    const partialHeader = await openRaw(emulator.endpoint, true);
    partialHeader.socket.write(header.subarray(0, 5));
    const silent = await openRaw(emulator.endpoint, true);
    const trickle = await openRaw(emulator.endpoint, true);
    const big = quest("sendmsg", { msg: "y".repeat(4 * 1024 * 1024) });
    trickle.socket.write(big.subarray(0, 2 * 1024 * 1024));
    let at = 2 * 1024 * 1024;
    const dripper = setInterval(() => trickle.closedAt === undefined && trickle.socket.write(big.subarray(at, ++at)), 100);
    const healthy = healthyTraffic(emulator);

    await waitUntil(() => [partialHeader, silent, trickle].every((raw) => raw.closedAt !== undefined), 8000, "slowloris connections closed");
    clearInterval(dripper);
    const { failures } = await healthy.stop();

    const after = (raw: RawSocket) => raw.closedAt! - raw.openedAt;
    expect(after(partialHeader)).toBeGreaterThanOrEqual(1000);
    expect(after(partialHeader)).toBeLessThan(2500);
    expect(after(trickle)).toBeGreaterThanOrEqual(1000); // it kept sending: only the frame deadline closes it
    expect(after(trickle)).toBeLessThan(2500);
    expect(after(silent)).toBeGreaterThanOrEqual(2000);
    expect(after(silent)).toBeLessThan(3500);
    expect([partialHeader, silent, trickle].map((raw) => raw.received)).toEqual([0, 0, 0]);
    expect(failures).toEqual([]);
  }, 20_000);

  it("refuses payloads too complex to decode at once (1.5M recipients, a 500k-key map) without stalling anyone", async () => {
    const emulator = await spawnEmulator(["--project", `${PID}:${SECRET}`]);
    const pinger = await openRaw(emulator.endpoint, false);
    const latencies: number[] = [];
    const answers = new FrameDecoder();
    let sentAt = 0;
    pinger.socket.resume();
    pinger.socket.on("data", (chunk: Buffer) => {
      answers.push(chunk);
      while (answers.next() !== undefined) latencies.push(performance.now() - sentAt);
    });
    const pinging = setInterval(() => {
      sentAt = performance.now();
      pinger.socket.write(quest("*ping", {}));
    }, 10);
    onCleanup(async () => clearInterval(pinging));

    const tos = Array.from({ length: 1_500_000 }, (_, i) => BigInt(100_000 + i));
    const sendToAll = quest("sendmsgs", { mtype: 30, from: 1n, tos, mid: 1n, msg: "hi", attrs: "", ...signed("sendmsgs") });
    const wideMap = quest("sendmsg", Object.fromEntries(Array.from({ length: 500_000 }, (_, i) => [`k${i}`, i])));
    expect(sendToAll.length).toBeGreaterThan(7_000_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    const refused = await rawExchange(emulator.endpoint, [sendToAll, wideMap]);
    const took = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 200));
    clearInterval(pinging);

    expect(refused.map((answer) => [answer.status, answer.payload.code, answer.payload.ex])).toEqual([
      [1, 20006, "quest sendmsgs: payload more than 65536 map entries and array elements; not decoded"],
      [1, 20006, "quest sendmsg: payload more than 65536 map entries and array elements; not decoded"],
    ]);
    expect(took).toBeLessThan(2000);
    expect(latencies.length).toBeGreaterThan(20);
    expect(Math.max(...latencies)).toBeLessThan(150);
  }, 20_000);

  it("refuses connections past --max-connections and serves the ones it holds", async () => {
    const emulator = await spawnEmulator(["--project", `${PID}:${SECRET}`, "--max-connections", "8"]);
    const held: RawSocket[] = [];
    for (let i = 0; i < 8; i++) held.push(await openRaw(emulator.endpoint, true));
    const extra: RawSocket[] = [];
    for (let i = 0; i < 4; i++) extra.push(await openRaw(emulator.endpoint, true));
    await waitUntil(() => extra.every((raw) => raw.closedAt !== undefined), 3000, "connections over the cap closed");
    held[0]!.socket.write(quest("*ping", {}));
    await waitUntil(() => held[0]!.received > 0, 3000, "ping answered on a held connection");
    expect(held.every((raw) => raw.closedAt === undefined)).toBe(true);
    for (const raw of held.slice(1)) raw.socket.destroy();
    const serverPort = endpointParts(emulator.endpoint).port;
    await waitUntil(() => held.slice(1).every((raw) => !serverHolds(serverPort, raw.localPort)), 3000, "closed connections gone on the server");
    const client = sdk(emulator.endpoint, { autoReconnect: false });
    await expect(client.sendChat(1n, 2n, "room again", "")).resolves.toMatchObject({ mtime: expect.any(BigInt) });
    expect(emulator.log()).toMatch(/refused \d+ connection\(s\)/);
  }, 20_000);
});

/** One full history page read through the SDK: brings the server's history path to its steady state before the baseline. */
async function historyWarmUp(endpoint: string): Promise<void> {
  const reader = sdk(endpoint);
  const page = await reader.getGroupChat(GROUP, true, 20, 0, 0, 0, 1001n);
  expect(page.messages.length).toBe(20);
  await reader.close();
}
