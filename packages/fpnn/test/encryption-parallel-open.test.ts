import { createCipheriv, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EncryptionError, createFrameCipher, deriveSessionKeys, type FrameCipher, type KeyBits, type SessionKeys } from "../src/encryption/index.js";
import { DEFAULT_MAX_FRAME_SIZE } from "../src/frame.js";
import { seededFrames } from "./helpers.js";

// open() computes the CFB keystream itself (ECB over the received ciphertext + XOR); OpenSSL's CFB encrypt is the
// reference for every byte it hands out.

const bitsUnderTest: KeyBits[] = [128, 256];

function sessionKeys(bits: KeyBits): SessionKeys {
  return deriveSessionKeys(randomBytes(32), bits);
}

function cfb(keys: SessionKeys) {
  return createCipheriv(`aes-${keys.bits}-cfb`, keys.key, keys.iv);
}

/** What an FPNN peer sends in package mode: per frame a clear LE length + a fresh AES-CFB of the frame. */
function packageWire(keys: SessionKeys, frames: readonly Buffer[]): Buffer {
  return Buffer.concat(
    frames.flatMap((frame) => {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(frame.length);
      return [length, cfb(keys).update(frame)];
    }),
  );
}

/** Stream mode: one continuous AES-CFB over all frames. */
function streamWire(keys: SessionKeys, frames: readonly Buffer[]): Buffer {
  const cipher = cfb(keys);
  return Buffer.concat(frames.map((frame) => cipher.update(frame)));
}

/** Frames starting with the FPNN magic (open() checks it), the rest from a seed: fast-check only picks the lengths. */
const framesOf = (lengths: readonly number[], seed: number): Buffer[] => seededFrames(lengths, seed, true);

/** 12..5000 bytes, biased to whole blocks +-1, where CFB tails and keystream hand-overs go wrong. */
const frameLength = fc.oneof(
  fc.integer({ min: 12, max: 5000 }),
  fc.tuple(fc.integer({ min: 1, max: 312 }), fc.constantFrom(-1, 0, 1)).map(([blocks, delta]) => Math.max(12, blocks * 16 + delta)),
);
/** Chunk sizes: single bytes, pieces of a block or of a length prefix, and long runs. */
const chunkSize = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 20000 }));
const scenario = fc.record({
  lengths: fc.array(frameLength, { minLength: 1, maxLength: 40 }),
  seed: fc.integer(),
  cuts: fc.array(chunkSize, { minLength: 1, maxLength: 30 }),
});

function chunksOf(wire: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < wire.length; i++) {
    const size = cuts[i % cuts.length]!;
    chunks.push(wire.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function expectSameBytes(actual: Buffer, expected: Buffer): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < Math.min(actual.length, expected.length) && actual[at] === expected[at]) at++;
  expect.fail(`bytes differ at offset ${at} (lengths ${actual.length} and ${expected.length})`);
}

/** Opens every chunk, keeping the outputs: a later open() must not overwrite what an earlier one handed out. */
function openAll(cipher: FrameCipher, chunks: readonly Uint8Array[]): Buffer {
  const outputs = chunks.map((chunk) => cipher.open(chunk));
  return Buffer.concat(outputs);
}

const modes = [
  { name: "package", streamMode: false, wireOf: packageWire },
  { name: "stream", streamMode: true, wireOf: streamWire },
] as const;

describe.each(bitsUnderTest)("AES-%i open()", (bits) => {
  describe.each(modes)("$name mode", ({ streamMode, wireOf }) => {
    it("equals OpenSSL's CFB for random frames cut into random chunks", () => {
      fc.assert(
        fc.property(scenario, ({ lengths, seed, cuts }) => {
          const keys = sessionKeys(bits);
          const frames = framesOf(lengths, seed);
          const opened = openAll(createFrameCipher(keys, streamMode, DEFAULT_MAX_FRAME_SIZE), chunksOf(wireOf(keys, frames), cuts));
          expectSameBytes(opened, Buffer.concat(frames));
        }),
        { numRuns: 60 },
      );
    });

    it("opens the same wire byte by byte and in one piece, on one long-lived cipher after other traffic", () => {
      const keys = sessionKeys(bits);
      const frames = framesOf([12, 15, 16, 17, 31, 32, 33, 71, 255, 256, 257, 1000], 7);
      const plain = Buffer.concat(frames);
      const byteWise = createFrameCipher(keys, streamMode, DEFAULT_MAX_FRAME_SIZE);
      const wire = wireOf(keys, frames);
      expectSameBytes(openAll(byteWise, Array.from(wire, (byte) => Uint8Array.of(byte))), plain);
      if (!streamMode) {
        // package mode restarts every package from the IV: the same cipher opens the wire again, in one piece
        expectSameBytes(Buffer.from(byteWise.open(wire)), plain);
      }
      expectSameBytes(Buffer.from(createFrameCipher(keys, streamMode, DEFAULT_MAX_FRAME_SIZE).open(wire)), plain);
    });

    it("opens a 1 MiB frame among small ones, in 64 KiB chunks and in chunks of 4 KiB + 3 bytes", () => {
      const keys = sessionKeys(bits);
      const frames = framesOf([40, 1024 * 1024, 17, 300], 3);
      const wire = wireOf(keys, frames);
      for (const size of [65536, 4099]) {
        expectSameBytes(openAll(createFrameCipher(keys, streamMode, DEFAULT_MAX_FRAME_SIZE), chunksOf(wire, [size])), Buffer.concat(frames));
      }
    });

    it("opens chunks that start at every offset modulo 4 of their memory, cut at every phase of a block", () => {
      const keys = sessionKeys(bits);
      const frames = framesOf([12, 33, 190, 16, 47, 256, 1000, 65], 11);
      const wire = wireOf(keys, frames);
      for (const size of [1, 3, 5, 15, 17, 18, 19, 33, 190, 4097]) {
        const cipher = createFrameCipher(keys, streamMode, DEFAULT_MAX_FRAME_SIZE);
        // chunk k sits at memory offset k % 4 (Buffer.alloc memory starts 8-aligned), so every alignment case is met
        const chunks = chunksOf(wire, [size]).map((chunk, k) => Buffer.concat([Buffer.alloc(k % 4), chunk]).subarray(k % 4));
        expect(new Set(chunks.map((chunk) => chunk.byteOffset % 4)).size).toBe(Math.min(4, chunks.length));
        expectSameBytes(openAll(cipher, chunks), Buffer.concat(frames));
      }
    });

    it("an empty chunk changes nothing", () => {
      const keys = sessionKeys(bits);
      const frames = framesOf([50, 60], 9);
      const wire = wireOf(keys, frames);
      const cipher = createFrameCipher(keys, streamMode, DEFAULT_MAX_FRAME_SIZE);
      const chunks = [wire.subarray(0, 21), wire.subarray(21, 21), wire.subarray(21, 70), new Uint8Array(0), wire.subarray(70)];
      expectSameBytes(openAll(cipher, chunks), Buffer.concat(frames));
    });
  });

  it("package mode: opens one read of more packages than a 128 KiB kernel segment holds, split by bytes or by count", () => {
    const keys = sessionKeys(bits);
    const batches = [
      Array.from({ length: 10000 }, () => 12), // 8192 packages of 12 bytes fill a segment exactly
      Array.from({ length: 700 }, (_, i) => 180 + (i % 90)),
      [...Array.from({ length: 500 }, () => 219), 131_072, 131_068, 12, ...Array.from({ length: 500 }, () => 219)], // a segment each
    ];
    for (const lengths of batches) {
      const frames = framesOf(lengths, lengths.length);
      const wire = packageWire(keys, frames);
      const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
      expectSameBytes(Buffer.from(cipher.open(wire)), Buffer.concat(frames));
      expectSameBytes(openAll(cipher, chunksOf(wire, [65536])), Buffer.concat(frames));
    }
  });

  it("package mode: a package sealed with another key among good ones is reported as a key mismatch", () => {
    const keys = sessionKeys(bits);
    const stranger = sessionKeys(bits);
    const [good, bad] = [framesOf([40, 100], 1), framesOf([60], 2)];
    const wire = Buffer.concat([packageWire(keys, good), packageWire(stranger, bad!)]);
    const cipher = createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE);
    expect(() => cipher.open(wire)).toThrow(EncryptionError);
    expect(() => createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE).open(wire)).toThrow(/the peers derived different keys/);
    // the good packages alone open fine
    expectSameBytes(Buffer.from(createFrameCipher(keys, false, DEFAULT_MAX_FRAME_SIZE).open(packageWire(keys, good))), Buffer.concat(good));
  });

  it("stream mode: a stream sealed with another key is reported even when its first chunk is 1 byte", () => {
    const keys = sessionKeys(bits);
    const wire = streamWire(sessionKeys(bits), framesOf([40], 1));
    const cipher = createFrameCipher(keys, true, DEFAULT_MAX_FRAME_SIZE);
    // the first byte of a wrong-key stream may match "F" by chance (1 in 256); the four bytes together do not
    expect(() => openAll(cipher, [wire.subarray(0, 1), wire.subarray(1, 2), wire.subarray(2, 3), wire.subarray(3)])).toThrow(/the peers derived different keys/);
  });
});
