import { createECDH, generateKeyPairSync, randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FpnnClient } from "../src/client.js";
import { curveNames, type CurveName } from "../src/encryption/curves.js";
import { createClientKeyExchange } from "../src/encryption/client.js";
import { encodeKeyQuestPayload } from "../src/encryption/key-quest.js";
import { FpnnError } from "../src/errors.js";
import { FrameDecoder, FrameType, encodeQuest } from "../src/frame.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import { packPayload } from "../src/msgpack/index.js";
import type { FpnnServer } from "../src/server.js";
import { newClient, rawClient, rawServer, sleep, startServer } from "./helpers.js";

const nodeCurveName: Record<CurveName, string> = { secp256k1: "secp256k1", secp256r1: "prime256v1", secp224r1: "secp224r1", secp192r1: "prime192v1" };

function keyPair(curve: CurveName): { privateKey: Buffer; publicKey: Buffer } {
  const ecdh = createECDH(nodeCurveName[curve]);
  ecdh.generateKeys();
  // getPrivateKey() drops leading zero bytes; raw keys are curve-sized.
  const privateKey = Buffer.alloc(ecdh.getPublicKey().length >> 1);
  const scalar = ecdh.getPrivateKey();
  scalar.copy(privateKey, privateKey.length - scalar.length);
  return { privateKey, publicKey: ecdh.getPublicKey().subarray(1) };
}

interface EncryptedServer {
  server: FpnnServer;
  endpoint: string;
  port: number;
  /** `*key` quests the server accepted (one per encrypted connection). */
  keyQuests: number;
}

async function encryptedServer(curve: CurveName, privateKey = keyPair(curve).privateKey): Promise<EncryptedServer> {
  const state = { keyQuests: 0 } as EncryptedServer;
  const started = await startServer({
    encryption: { privateKey, curve },
    hooks: { quest: (event) => void (event.method === "*key" && state.keyQuests++) },
  });
  started.server.handle("echo", (payload) => payload);
  return Object.assign(state, started);
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await sleep(5);
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function client(endpoint: string, options: Parameters<typeof newClient>[1]): FpnnClient {
  const created = newClient(endpoint, options);
  cleanups.push(() => created.close());
  return created;
}

const modes = [
  { streamMode: false, bits: 128 },
  { streamMode: false, bits: 256 },
  { streamMode: true, bits: 128 },
  { streamMode: true, bits: 256 },
] as const;

describe.each(curveNames.map((curve) => ({ curve })))("encrypted client <-> server on $curve", ({ curve }) => {
  let shared: EncryptedServer;
  beforeAll(async () => {
    shared = await encryptedServer(curve);
  });
  afterAll(() => shared.server.close());

  it.each(modes)("streamMode $streamMode, $bits bits: pipelining, a 1 MiB frame, reconnect with a fresh exchange", async ({ streamMode, bits }) => {
    const keysBefore = shared.keyQuests;
    const fpnn = client(shared.endpoint, { encryption: { publicKey: shared.server.publicKey!, curve, bits, streamMode } });
    const connects: boolean[] = [];
    fpnn.on("connect", (event) => connects.push(event.reconnected));

    // Issued before any connection exists: they wait for the exchange, then go out pipelined.
    const inFlight = Array.from({ length: 300 }, (_, i) => fpnn.quest("echo", { i, text: `message ${i}` }));
    const answers = await Promise.all(inFlight);
    expect(answers).toEqual(Array.from({ length: 300 }, (_, i) => ({ i, text: `message ${i}` })));
    expect(shared.keyQuests).toBe(keysBefore + 1);

    const blob = randomBytes(1024 * 1024);
    const echoed = (await fpnn.quest("echo", { blob })) as { blob: Uint8Array };
    expect(Buffer.compare(Buffer.from(echoed.blob), blob)).toBe(0);

    const first = fpnn.connection!;
    for (const connection of shared.server.connections) connection.destroy();
    await first.closed;
    expect(await fpnn.quest("echo", { after: "reconnect" })).toEqual({ after: "reconnect" });
    expect(fpnn.connection).not.toBe(first);
    expect(connects).toEqual([false, true]);
    expect(shared.keyQuests).toBe(keysBefore + 2);
  });
});

describe("encryption-enabled server", () => {
  it("still serves plain clients, and the server's own quests reach an encrypted client", async () => {
    const state = await encryptedServer("secp256k1");
    const { server, endpoint } = state;
    cleanups.push(() => server.close());
    const plain = client(endpoint, {});
    expect(await plain.quest("echo", { plain: true })).toEqual({ plain: true });
    expect(state.keyQuests).toBe(0);

    const encrypted = client(endpoint, { encryption: { publicKey: server.publicKey! } });
    encrypted.onQuest("hello", (payload) => ({ got: payload }));
    await encrypted.connect();
    const serverSide = [...server.connections].find((c) => c.remotePort === (encrypted.connection!.socket as Socket).localPort)!;
    expect(await serverSide.quest("hello", { n: 1 })).toEqual({ got: { n: 1 } });
  });

  it("takes a key file's bytes (PEM, as rtm-emulator --key passes them); the client reads the curve from the PEM public key", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pemFile = Buffer.from(privateKey.export({ format: "pem", type: "pkcs8" }) as string);
    const { server, port } = await startServer({ encryption: { privateKey: pemFile } });
    cleanups.push(() => server.close());
    server.handle("echo", (payload) => payload);
    const fpnn = client(`127.0.0.1:${port}`, { encryption: { publicKey: publicKey.export({ format: "pem", type: "spki" }) as string, bits: 256 } });
    expect(await fpnn.quest("echo", { pem: true })).toEqual({ pem: true });
  });

  it("closes the connection without answering a *key that is not the first frame", async () => {
    const { server, port } = await encryptedServer("secp256k1");
    cleanups.push(() => server.close());
    const peer = await rawClient(port);
    const payload = encodeKeyQuestPayload({ publicKey: keyPair("secp256k1").publicKey, streamMode: false, bits: 128 });
    peer.write(Buffer.concat([encodeQuest("echo", packPayload({ a: 1 }), 1), encodeQuest("*key", payload, 2)]));
    await peer.waitClosed();
    expect(peer.frames.map((f) => [f.type, f.seq])).toEqual([[FrameType.Answer, 1]]);
  });

  it("closes the connection on the first encrypted frame it cannot open", async () => {
    const { server, port } = await encryptedServer("secp256k1");
    cleanups.push(() => server.close());
    const reasons: FpnnError[] = [];
    server.on("disconnect", (_connection, reason) => reasons.push(reason));
    const exchange = createClientKeyExchange({ publicKey: server.publicKey! });
    const stranger = createClientKeyExchange({ publicKey: keyPair("secp256k1").publicKey }).createFrameCipher();
    const socket = connect({ host: "127.0.0.1", port });
    await once(socket, "connect");
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.write(encodeQuest("*key", exchange.encodedKeyQuestPayload, 1));
    await until(() => received.length > 0);
    socket.write(stranger.seal(encodeQuest("echo", packPayload({ a: 1 }), 2)));
    await once(socket, "close");
    // Only the sealed *key answer came back.
    const opened = exchange.createFrameCipher().open(Buffer.concat(received));
    const decoder = new FrameDecoder();
    decoder.push(opened);
    expect(decoder.next()).toMatchObject({ type: FrameType.Answer, seq: 1, status: 0 });
    expect(decoder.next()).toBeUndefined();
    await until(() => reasons.length === 1);
    expect(reasons[0]!.message).toMatch(/does not decrypt to an FPNN frame/);
  });

  it.each([
    { name: "a public key of the wrong length", publicKey: randomBytes(10), bits: 128 },
    { name: "bits not 128 or 256", publicKey: keyPair("secp256k1").publicKey, bits: 192 },
    { name: "a public key that is not on the curve", publicKey: Buffer.alloc(64, 7), bits: 128 },
  ])("closes the connection without answering a *key with $name", async ({ publicKey, bits }) => {
    const { server, port } = await encryptedServer("secp256k1");
    cleanups.push(() => server.close());
    const reasons: FpnnError[] = [];
    server.on("disconnect", (_connection, reason) => reasons.push(reason));
    const peer = await rawClient(port);
    const payload = packPayload({ publicKey, streamMode: false, bits });
    peer.write(Buffer.concat([encodeQuest("*key", payload, 1), encodeQuest("echo", packPayload({ a: 1 }), 2)]));
    await peer.waitClosed();
    expect(peer.frames).toHaveLength(0);
    await until(() => reasons.length === 1);
    expect(reasons[0]!.message).toMatch(/\*key quest: .*connection closed/);
  });

  it("refuses a handler for *key (the encryption option owns it) and names bad options", async () => {
    const { server } = await encryptedServer("secp256k1");
    cleanups.push(() => server.close());
    expect(() => server.handle("*key", () => ({}))).toThrow(/\*key is handled by the encryption option/);
    const { FpnnServer } = await import("../src/server.js");
    expect(() => new FpnnServer({ encryption: "key.pem" as never })).toThrow(/options\.encryption: expected an object with privateKey/);
    expect(() => new FpnnServer({ encryption: { privateKey: Buffer.alloc(5) } })).toThrow(/options\.encryption\.privateKey: wrong key length 5/);
    expect(() => new FpnnServer({ encryption: { privateKey: keyPair("secp256k1").privateKey, curve: "p521" as CurveName } })).toThrow(
      /options\.encryption\.curve: unknown curve/,
    );
  });
});

describe("encrypted client failures", () => {
  it("validates the option once, at construction, naming the field", () => {
    const publicKey = keyPair("secp256k1").publicKey;
    const make = (encryption: unknown) => () => newClient("127.0.0.1:1", { encryption: encryption as never });
    expect(make({ publicKey, bits: 192 })).toThrow(/options\.encryption\.bits: must be 128 or 256/);
    expect(make({ publicKey, streamMode: "yes" })).toThrow(/options\.encryption\.streamMode: must be a boolean/);
    expect(make({})).toThrow(/options\.encryption\.publicKey: missing/);
    expect(make({ publicKey: Buffer.alloc(63) })).toThrow(/options\.encryption\.publicKey: wrong key length 63/);
    // A secp256r1 key declared as secp256k1 is not a point on that curve.
    expect(make({ publicKey: keyPair("secp256r1").publicKey, curve: "secp256k1" })).toThrow(/options\.encryption\.publicKey: not a point on secp256k1/);
  });

  it("wrong server key: waiting quests reject with a clear error, attempts stop, an error event carries the cause", async () => {
    const { server, endpoint } = await encryptedServer("secp256k1");
    cleanups.push(() => server.close());
    let accepted = 0;
    server.on("connection", () => accepted++);
    const fpnn = client(endpoint, { encryption: { publicKey: keyPair("secp256k1").publicKey }, timeout: 5 });
    const errors: Error[] = [];
    fpnn.on("error", (error) => errors.push(error));
    const quests = [fpnn.quest("echo", { a: 1 }), fpnn.quest("echo", { a: 2 })];
    for (const result of await Promise.allSettled(quests)) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as FpnnError;
      expect(error).toBeInstanceOf(FpnnError);
      expect(error.code).toBe(FpnnErrorCode.CoreInvalidConnection);
      expect(error.method).toBe("echo");
      expect(error.message).toMatch(/^encryption handshake failed \(secp256k1, 128 bits, package mode\): .*wrong server key or curve\?/);
    }
    expect(errors[0]!.message).toMatch(/encryption handshake failed/);
    // One retry at most (nothing waits any more), then the client stays idle until asked again.
    await sleep(200);
    const settled = accepted;
    expect(settled).toBeLessThanOrEqual(2);
    await sleep(200);
    expect(accepted).toBe(settled);
    await expect(fpnn.quest("echo", {})).rejects.toThrow(/encryption handshake failed/);
  });

  it("a server on another curve closes on the key length; the client says the handshake failed", async () => {
    const { server, endpoint } = await encryptedServer("secp256k1");
    cleanups.push(() => server.close());
    const fpnn = client(endpoint, { encryption: { publicKey: keyPair("secp224r1").publicKey, curve: "secp224r1", streamMode: true }, autoReconnect: false });
    await expect(fpnn.quest("echo", {})).rejects.toThrow(
      /^encryption handshake failed \(secp224r1, 128 bits, stream mode\): connection closed by peer \(wrong server key or curve/,
    );
  });

  it("a server without encryption: the handshake fails clearly instead of hanging", async () => {
    const { server, endpoint } = await startServer();
    cleanups.push(() => server.close());
    server.handle("echo", (payload) => payload);
    const fpnn = client(endpoint, { encryption: { publicKey: keyPair("secp256k1").publicKey }, autoReconnect: false });
    await expect(fpnn.quest("echo", {})).rejects.toThrow(/^encryption handshake failed/);
  });

  it("a server that accepts but never answers the key exchange: the first quests fail with 20012 within the connect timeout", async () => {
    const silent = await rawServer();
    cleanups.push(() => silent.close());
    const fpnn = client(`127.0.0.1:${silent.port}`, { encryption: { publicKey: keyPair("secp256k1").publicKey }, connectTimeout: 0.3 });
    const started = performance.now();
    const error = (await fpnn.quest("echo", {}).catch((e: unknown) => e)) as FpnnError;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(FpnnError.is(error, FpnnErrorCode.CoreInvalidConnection), String(error)).toBe(true);
    expect(error.message).toMatch(/^encryption handshake failed .*timed out/);
    expect((await silent.nextPeer()).frames.length).toBe(1); // the *key quest, never answered
  });
});

/** A TCP relay that records what the client sends. */
async function recordingProxy(target: number): Promise<{ port: number; clientBytes: () => Buffer; server: Server }> {
  const chunks: Buffer[] = [];
  const server = createServer((inbound) => {
    const outbound = connect({ host: "127.0.0.1", port: target });
    inbound.on("data", (chunk) => {
      chunks.push(chunk);
      outbound.write(chunk);
    });
    outbound.on("data", (chunk) => inbound.write(chunk));
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
    inbound.on("error", () => {});
    outbound.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { port: (server.address() as { port: number }).port, clientBytes: () => Buffer.concat(chunks), server };
}

describe("on the wire", () => {
  it.each([false, true])("streamMode %s: *key first in clear, then nothing readable, queued quests included", async (streamMode) => {
    const { server, port } = await encryptedServer("secp256r1");
    cleanups.push(() => server.close());
    server.handle("sendsecret", (payload) => payload);
    const proxy = await recordingProxy(port);
    cleanups.push(() => new Promise((resolve) => proxy.server.close(resolve)));
    const fpnn = client(`127.0.0.1:${proxy.port}`, { encryption: { publicKey: server.publicKey!, curve: "secp256r1", streamMode } });
    const queued = Array.from({ length: 20 }, (_, i) => fpnn.quest("sendsecret", { text: `plaintext secret ${i}` }));
    fpnn.oneway("onewaysecret", { text: "plaintext secret oneway" });
    await Promise.all(queued);
    await fpnn.quest("sendsecret", { text: "plaintext secret later" });

    const wire = proxy.clientBytes();
    const decoder = new FrameDecoder();
    decoder.push(wire);
    const keyFrame = decoder.next()!;
    expect(keyFrame.method).toBe("*key");
    expect(keyFrame.seq).toBe(1);
    expect(keyFrame.payload[0]).toBe(0x83);
    const keyFrameLength = 16 + 4 + keyFrame.payload.length;
    const after = wire.subarray(keyFrameLength);
    expect(after.length).toBeGreaterThan(22 * 40);
    for (const clear of ["sendsecret", "onewaysecret", "plaintext", "FPNN"]) expect(after.includes(Buffer.from(clear))).toBe(false);
    if (!streamMode) expect(after.readUInt32LE(0)).toBeLessThan(200); // package mode: a clear length prefix per frame
  });
});
