import { once } from "node:events";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { encodeQuest } from "../src/frame.js";
import {
  EncryptionError,
  createClientKeyExchange,
  createServerKeyExchange,
  type FrameCipher,
  type KeyBits,
} from "../src/encryption/index.js";

const serverPrivateKey = "8dc4c5ef7965fa69bc0dba20968ebe3f8309377fe970e13d4004a85b821da5c6";
const serverKex = createServerKeyExchange({ privateKey: serverPrivateKey });

/** A connected pair of ciphers: client side and server side of one connection; reopen() is a fresh server side. */
function pair(bits: KeyBits, streamMode: boolean, maxFrameSize?: number) {
  const kex = createClientKeyExchange({ publicKey: serverKex.publicKey, bits, streamMode }, maxFrameSize ? { maxFrameSize } : {});
  const server = maxFrameSize ? createServerKeyExchange({ privateKey: serverPrivateKey, maxFrameSize }) : serverKex;
  const reopen = (): FrameCipher => server.acceptEncoded(kex.encodedKeyQuestPayload);
  return { client: kex.createFrameCipher(), server: reopen(), reopen };
}

function frameOf(size: number, seq: number): Buffer {
  const payload = Buffer.alloc(Math.max(1, size));
  payload[0] = 0x80;
  for (let i = 1; i < payload.length; i++) payload[i] = (i * 31 + seq) & 0xff;
  return encodeQuest("echo", payload, seq);
}

/** Byte comparison that stays fast for MiB-sized buffers (deep equality walks them element by element). */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  if (a.equals(expected)) return;
  let at = 0;
  while (at < Math.min(a.length, expected.length) && a[at] === expected[at]) at++;
  expect.fail(`bytes differ at offset ${at} (lengths ${a.length} and ${expected.length})`);
}

function openAll(cipher: FrameCipher, chunks: Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((chunk) => cipher.open(chunk)));
}

const modes = [
  { bits: 128 as const, streamMode: false },
  { bits: 256 as const, streamMode: false },
  { bits: 128 as const, streamMode: true },
  { bits: 256 as const, streamMode: true },
];

describe.each(modes)("bits $bits, streamMode $streamMode", ({ bits, streamMode }) => {
  it("opens a wire split at every byte boundary, with several frames per chunk", () => {
    const frames = [frameOf(1, 1), frameOf(40, 2), frameOf(300, 3)];
    const sender = pair(bits, streamMode);
    const wire = Buffer.concat(frames.map((f) => sender.client.seal(f)));
    const plain = Buffer.concat(frames);
    for (let cut = 0; cut <= wire.length; cut++) {
      const receiver = sender.reopen();
      expectBytes(openAll(receiver, [wire.subarray(0, cut), wire.subarray(cut)]), plain);
    }
    expectBytes(openAll(sender.reopen(), Array.from(wire, (byte) => Uint8Array.of(byte))), plain);
  });

  it("round-trips any frames under any chunking, both directions", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }),
        (sizes, cuts) => {
          const frames = sizes.map((size, i) => frameOf(size, i));
          const plain = Buffer.concat(frames);
          const { client, server } = pair(bits, streamMode);
          for (const [from, to] of [
            [client, server],
            [server, client],
          ] as const) {
            const wire = Buffer.concat(frames.map((f) => from.seal(f)));
            const chunks: Uint8Array[] = [];
            for (let at = 0, i = 0; at < wire.length; i++) {
              const size = cuts[i % cuts.length]!;
              chunks.push(wire.subarray(at, at + size));
              at += size;
            }
            expectBytes(openAll(to, chunks), plain);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("carries a 1 MiB frame in 64 KiB chunks", () => {
    const big = frameOf(1024 * 1024, 7);
    const { client, server } = pair(bits, streamMode);
    const wire = client.seal(big);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < wire.length; at += 65536) chunks.push(wire.subarray(at, at + 65536));
    expectBytes(openAll(server, chunks), big);
  });

  it("reports data sealed with another key clearly", () => {
    const { client } = pair(bits, streamMode);
    const other = createServerKeyExchange({ privateKey: "01".repeat(32) });
    const kex = createClientKeyExchange({ publicKey: other.publicKey, bits, streamMode });
    const stranger = createServerKeyExchange({ privateKey: serverPrivateKey }).acceptEncoded(kex.encodedKeyQuestPayload);
    const sealed = client.seal(frameOf(10, 1));
    expect(() => stranger.open(sealed)).toThrow(EncryptionError);
    expect(() => pair(bits, streamMode).server.open(kex.createFrameCipher().seal(frameOf(10, 1)))).toThrow(
      "encrypted data does not decrypt to an FPNN frame: the peers derived different keys (wrong server key or curve?)",
    );
  });
});

describe("package mode framing", () => {
  it("opens packages of every length modulo 16 from one chunk, each as a fresh cipher would", () => {
    const { client, server } = pair(256, false);
    const frames = Array.from({ length: 48 }, (_, i) => frameOf(1 + i, i));
    expect(new Set(frames.map((f) => f.length % 16)).size).toBe(16);
    const wire = Buffer.concat(frames.map((f) => client.seal(f)));
    expectBytes(server.open(wire), Buffer.concat(frames));
    // and again on the same cipher, split in odd places
    const again = Buffer.concat(frames.map((f) => client.seal(f)));
    expectBytes(openAll(server, [again.subarray(0, 333), again.subarray(333, 1001), again.subarray(1001)]), Buffer.concat(frames));
  });

  it("hands out whole frames only", () => {
    const { client, server } = pair(128, false);
    const frame = frameOf(100, 1);
    const wire = client.seal(frame);
    expect(wire.length).toBe(4 + frame.length);
    expect(Buffer.from(wire.subarray(0, 4)).readUInt32LE(0)).toBe(frame.length);
    expect(server.open(wire.subarray(0, 3)).length).toBe(0);
    expect(server.open(wire.subarray(3, wire.length - 1)).length).toBe(0);
    expectBytes(server.open(wire.subarray(wire.length - 1)), frame);
  });

  it("throws on a package length over the frame limit, before buffering it", () => {
    const { server } = pair(128, false, 1024);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(1025, 0);
    expect(() => server.open(header)).toThrow("encrypted package of 1025 bytes exceeds the frame limit of 1024 bytes");
    const { server: byDefault } = pair(128, false);
    header.writeUInt32LE(8 * 1024 * 1024 + 1, 0);
    expect(() => byDefault.open(header.subarray(0, 2))).not.toThrow();
    expect(() => byDefault.open(header.subarray(2))).toThrow(/exceeds the frame limit of 8388608 bytes/);
  });

  it("accepts a package of exactly the limit and rejects one shorter than a frame header", () => {
    const { client, server } = pair(128, false, 2048);
    const frame = frameOf(2048 - 20, 1);
    expect(frame.length).toBe(2048);
    expectBytes(server.open(client.seal(frame)), frame);
    expect(() => server.open(Buffer.from("0000000000", "hex"))).toThrow("encrypted package of 0 bytes is shorter than an FPNN frame header");
  });
});

describe("over a real socket", () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  it.each(modes)("echoes pipelined frames through both ciphers (bits $bits, streamMode $streamMode)", async ({ bits, streamMode }) => {
    const kex = createClientKeyExchange({ publicKey: serverKex.publicKey, bits, streamMode });
    const server = createServer((socket) => {
      sockets.push(socket);
      const cipher = serverKex.acceptEncoded(kex.encodedKeyQuestPayload);
      socket.on("data", (chunk) => {
        const plain = cipher.open(chunk);
        if (plain.length > 0) socket.write(cipher.seal(plain));
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
      sockets.push(socket);
      await once(socket, "connect");
      const cipher = kex.createFrameCipher();
      const frames = Array.from({ length: 200 }, (_, i) => frameOf((i * 997) % 5000 + 1, i));
      frames.push(frameOf(1024 * 1024, 999));
      const expected = Buffer.concat(frames);
      const received: Uint8Array[] = [];
      let total = 0;
      const done = new Promise<void>((resolve, reject) => {
        socket.on("error", reject);
        socket.on("data", (chunk) => {
          const plain = cipher.open(chunk);
          received.push(plain);
          total += plain.length;
          if (total >= expected.length) resolve();
        });
      });
      for (const frame of frames) socket.write(cipher.seal(frame));
      await done;
      // The echo re-seals whatever plaintext a chunk carried, so in package mode frames may be grouped differently.
      expectBytes(Buffer.concat(received), expected);
    } finally {
      server.close();
    }
  });
});
