import { createCipheriv, randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createFrameCipher, deriveSessionKeys, type FrameCipher, type KeyBits, type SessionKeys } from "../src/encryption/index.js";
import { maxRoundBlocks } from "../src/encryption/package-sealer.js";
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder, encodeAnswer, encodeQuest } from "../src/frame.js";
import { FrameWriter } from "../src/frame-writer.js";
import { packPayload } from "../src/msgpack/index.js";
import { seededFrames } from "./helpers.js";

const bitsUnderTest: KeyBits[] = [128, 256];
/** Frames of more bytes than this never take the batched rounds. */
const roundLimit = maxRoundBlocks * 16;

function sessionKeys(bits: KeyBits): SessionKeys {
  return deriveSessionKeys(randomBytes(32), bits);
}

/** What a real FPNN peer puts on the wire for one frame: clear LE length + a fresh AES-CFB over the frame. */
function referencePackage(keys: SessionKeys, frame: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(frame.length);
  return Buffer.concat([length, createCipheriv(`aes-${keys.bits}-cfb`, keys.key, keys.iv).update(frame)]);
}

/** The frames laid out as the frame writer stages them: 4 reserved bytes before each. */
function staged(frames: readonly Uint8Array[]): { bytes: Buffer; sizes: Uint32Array } {
  const bytes = Buffer.alloc(frames.reduce((sum, f) => sum + 4 + f.length, 0), 0xee);
  let at = 0;
  for (const frame of frames) {
    bytes.set(frame, at + 4);
    at += 4 + frame.length;
  }
  return { bytes, sizes: Uint32Array.from(frames, (f) => f.length) };
}

function sealBatch(cipher: FrameCipher, frames: readonly Uint8Array[]): Buffer {
  const { bytes, sizes } = staged(frames);
  const sealed = cipher.sealFrames(bytes, sizes, frames.length);
  return Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
}

function expectSameWire(actual: Buffer, expected: Buffer): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < Math.min(actual.length, expected.length) && actual[at] === expected[at]) at++;
  expect.fail(`wire bytes differ at offset ${at} (lengths ${actual.length} and ${expected.length})`);
}

/** Lengths around block boundaries are where CFB tails go wrong: favour them. */
const frameLength = fc.oneof(
  fc.integer({ min: 12, max: 5000 }),
  fc.tuple(fc.integer({ min: 1, max: 312 }), fc.constantFrom(-1, 0, 1)).map(([blocks, delta]) => blocks * 16 + delta),
);
const batch = fc
  .tuple(fc.array(frameLength, { minLength: 1, maxLength: 300, size: "max" }), fc.integer())
  .map(([lengths, seed]) => seededFrames(lengths, seed));

describe.each(bitsUnderTest)("package mode, AES-%i: batch seal", (bits) => {
  it("equals a fresh createCipheriv per frame, byte for byte, for random batches", () => {
    const keys = sessionKeys(bits);
    const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
    fc.assert(
      fc.property(batch, (frames) => {
        expectSameWire(sealBatch(cipher, frames), Buffer.concat(frames.map((f) => referencePackage(keys, f))));
      }),
      { numRuns: 40 },
    );
  });

  it("mixes small frames with frames sealed alone (above the round limit, up to 1 MiB) in one batch", () => {
    const keys = sessionKeys(bits);
    const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
    const lengths = [12, 60, roundLimit + 1, 17, 1024 * 1024, 31, roundLimit, 4 * roundLimit + 15, 16, roundLimit - 1, 100];
    for (let i = 0; i < 200; i++) lengths.push(12 + ((i * 37) % 500));
    const frames = lengths.map((length) => randomBytes(length));
    expectSameWire(sealBatch(cipher, frames), Buffer.concat(frames.map((f) => referencePackage(keys, f))));
  });

  it("seals a lone frame of every small length, and a batch of the same frame many times", () => {
    const keys = sessionKeys(bits);
    const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
    for (let length = 12; length <= 400; length++) {
      const frame = randomBytes(length);
      expectSameWire(sealBatch(cipher, [frame]), referencePackage(keys, frame));
      expectSameWire(Buffer.from(cipher.seal(frame)), referencePackage(keys, frame));
    }
    const frame = randomBytes(77);
    const many = Array.from({ length: 5000 }, () => frame);
    expectSameWire(sealBatch(cipher, many), Buffer.concat(many.map((f) => referencePackage(keys, f))));
  });

  it("keeps sealing correctly after batches of very different shapes (scratch reuse and growth)", () => {
    const keys = sessionKeys(bits);
    const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
    for (const [count, length] of [[3, 40], [20000, 20], [5, 33], [300, 1000], [1, 200], [2, 12]] as const) {
      const frames = Array.from({ length: count }, () => randomBytes(length));
      expectSameWire(sealBatch(cipher, frames), Buffer.concat(frames.map((f) => referencePackage(keys, f))));
    }
  });

  it("seals batches larger than one 128 KiB kernel segment, whichever limit (bytes or frames) splits them", () => {
    const keys = sessionKeys(bits);
    const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
    const batches = [
      Array.from({ length: 20000 }, () => 12), // 8192 frames of 12 bytes fill a segment exactly
      Array.from({ length: 9000 }, (_, i) => 1 + (i % 11)), // shorter than a frame header: the frame limit splits
      [...Array.from({ length: 600 }, () => 219), 130_000, 5, ...Array.from({ length: 600 }, () => 219)], // a frame over a segment
    ];
    for (const lengths of batches) {
      const frames = seededFrames(lengths, lengths.length);
      expectSameWire(sealBatch(cipher, frames), Buffer.concat(frames.map((f) => referencePackage(keys, f))));
    }
  });

  it("seals batches staged at every offset modulo 4 of their memory", () => {
    const keys = sessionKeys(bits);
    const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
    const frames = seededFrames([12, 13, 14, 15, 16, 17, 31, 33, 190, 191, 62, 500], 5);
    const expected = Buffer.concat(frames.map((f) => referencePackage(keys, f)));
    for (let shift = 0; shift < 4; shift++) {
      const { bytes, sizes } = staged(frames);
      const shifted = Buffer.concat([Buffer.alloc(shift), bytes]).subarray(shift);
      expect(shifted.byteOffset % 4).toBe(shift);
      const sealed = cipher.sealFrames(shifted, sizes, frames.length);
      expectSameWire(Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength), expected);
    }
  });

  it("a peer cipher opens what the batch sealed", () => {
    const keys = sessionKeys(bits);
    const frames = Array.from({ length: 50 }, (_, i) => encodeAnswer(i, packPayload({ i, pad: "x".repeat(i * 7) })));
    const wire = sealBatch(createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE), frames);
    expectSameWire(Buffer.from(createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE).open(wire)), Buffer.concat(frames));
  });
});

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A connected socket pair over loopback: the writer's side and the receiving side (all its bytes collected). */
async function socketPair(): Promise<{ writerSide: Socket; received: Buffer[]; waitBytes: (n: number) => Promise<Buffer> }> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection");
  const writerSide = connect((server.address() as AddressInfo).port, "127.0.0.1");
  const [peer] = (await accepted) as [Socket];
  closers.push(() => {
    writerSide.destroy();
    peer.destroy();
    server.close();
  });
  const received: Buffer[] = [];
  let waiter: (() => void) | undefined;
  peer.on("data", (chunk: Buffer) => {
    received.push(chunk);
    waiter?.();
  });
  const waitBytes = async (n: number): Promise<Buffer> => {
    const deadline = Date.now() + 5000;
    while (Buffer.concat(received).length < n) {
      if (Date.now() > deadline) throw new Error(`only ${Buffer.concat(received).length} of ${n} bytes arrived`);
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return Buffer.concat(received);
  };
  return { writerSide, received, waitBytes };
}

describe("frame writer with a package-mode cipher, over a socket", () => {
  it("sends frames staged before setCipher clear, then every later frame sealed, in order", async () => {
    const keys = sessionKeys(128);
    const { writerSide, waitBytes } = await socketPair();
    const writer = new FrameWriter(writerSide, DEFAULT_MAX_FRAME_SIZE);
    const method = Buffer.from("echo");
    writer.quest(method, 1, { clear: true }, false);
    writer.answer(2, { clear: "answer" });
    writer.setCipher(createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE));
    const sealedPayloads = Array.from({ length: 40 }, (_, i) => ({ i, text: "y".repeat(i * 13) }));
    sealedPayloads.forEach((payload, i) => (i % 2 === 0 ? writer.quest(method, 10 + i, payload, i % 4 === 0) : writer.answer(10 + i, payload)));
    expect(writer.stats.framesSent).toBe(42);

    const clear = Buffer.concat([
      encodeQuest("echo", packPayload({ clear: true }), 1),
      encodeAnswer(2, packPayload({ clear: "answer" })),
    ]);
    const sealedFrames = sealedPayloads.map((payload, i) =>
      i % 2 === 0 ? encodeQuest("echo", packPayload(payload), 10 + i, { oneway: i % 4 === 0 }) : encodeAnswer(10 + i, packPayload(payload)),
    );
    const expected = Buffer.concat([clear, ...sealedFrames.map((f) => referencePackage(keys, f))]);
    expectSameWire(await waitBytes(expected.length), expected);
    expect(writer.stats.writes).toBe(1);
  });

  it("a frame that fails to encode or is too large leaves no reserved prefix behind", async () => {
    const keys = sessionKeys(256);
    const { writerSide, waitBytes } = await socketPair();
    const writer = new FrameWriter(writerSide, 200);
    writer.setCipher(createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE));
    const method = Buffer.from("m");
    expect(() => writer.quest(method, 1, { bad: Symbol("no") }, false)).toThrow();
    expect(() => writer.quest(method, 2, { big: "z".repeat(500) }, false)).toThrow(/exceeds maxFrameSize/);
    expect(() => writer.answer(3, { big: "z".repeat(500) })).toThrow(/exceeds maxFrameSize/);
    writer.quest(method, 4, { ok: 1 }, false);
    writer.answerBytes(5, 0x80, 0, packPayload({ ok: 2 }));
    const frames = [encodeQuest("m", packPayload({ ok: 1 }), 4), encodeAnswer(5, packPayload({ ok: 2 }))];
    const expected = Buffer.concat(frames.map((f) => referencePackage(keys, f)));
    const wire = await waitBytes(expected.length);
    expectSameWire(wire, expected);
    const decoder = new FrameDecoder();
    decoder.push(createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE).open(wire));
    expect([decoder.next()?.seq, decoder.next()?.seq, decoder.next()]).toEqual([4, 5, undefined]);
  });
});

