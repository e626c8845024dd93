import { createSecretKey, type Cipher } from "node:crypto";
import { blockSize, copyBytes, viewOf, xorBytes } from "./block-xor.js";
import { EncryptionError } from "./errors.js";
import type { FrameCipher } from "../frame-cipher.js";
import { frameMagicWord, wrongKeyError } from "./magic.js";
import { PackageSealer } from "./package-sealer.js";
import { aesAlgorithm, createBlockCipher, type SessionKeys } from "./session-keys.js";

const lengthPrefixSize = 4;
/** The fixed FPNN frame header; no frame is shorter. */
const minimumFrameSize = 12;
const empty = new Uint8Array(0);

/**
 * Package mode: each frame travels as a clear uint32 LE length + the frame encrypted with a fresh AES-CFB cipher
 * (IV reset per frame). open() hands out whole frames only. Sealing is batched too, see {@link PackageSealer}.
 *
 * Opening uses neither a decipher per package nor OpenSSL's CFB decrypt, which is serial (~1.7 ns/byte). CFB-128
 * decryption is P_1 = C_1 xor E(IV), P_i = C_i xor E(C_{i-1}) (NIST SP 800-38A, 6.3): every keystream block comes from
 * ciphertext already received, so the keystream of all packages of a chunk is one update() of a long-lived AES-ECB
 * cipher over their blocks (pipelined by AES-NI, ~0.25 ns/byte), and only the XOR is done here. E(IV) starts every
 * package and is computed once per session.
 */
export class PackageFrameCipher implements FrameCipher {
  readonly framePrefixSize = lengthPrefixSize;
  private readonly sealer: PackageSealer;
  /** The session's AES block cipher, shared with the sealer. */
  private readonly ecb: Cipher;
  /** E(IV): the keystream of every package's first block. */
  private readonly firstKeystream: DataView;
  /** E(IV) as four little-endian int32 words. */
  private readonly firstWords: readonly [number, number, number, number];
  private readonly header = new Uint8Array(lengthPrefixSize);
  private headerFill = 0;
  /** The package being collected across chunks, once its length is known. */
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  /** The packages of one open() call: where each one's ciphertext is (mostly the chunk itself), without a view per package. */
  private sources: Uint8Array[] = [];
  private starts = new Int32Array(initialPackages);
  private lengths = new Int32Array(initialPackages);
  private packageCount = 0;
  /** ECB input, reused while it stays small. */
  private scratch: Buffer = Buffer.allocUnsafeSlow(0);
  private scratchView: DataView = viewOf(this.scratch);

  constructor(
    keys: SessionKeys,
    private readonly maxFrameSize: number,
  ) {
    this.ecb = createBlockCipher(keys);
    const firstKeystream = Buffer.from(this.ecb.update(keys.iv));
    this.firstKeystream = viewOf(firstKeystream);
    const first = this.firstKeystream;
    this.firstWords = [first.getInt32(0, true), first.getInt32(4, true), first.getInt32(8, true), first.getInt32(12, true)];
    // Imported once: frames too long for the batched rounds get a cipher each, and a KeyObject makes that cheaper.
    this.sealer = new PackageSealer(aesAlgorithm(keys.bits), createSecretKey(keys.key), keys.iv, this.ecb, firstKeystream);
  }

  sealFrames(staged: Uint8Array, frameSizes: Uint32Array, count: number): Uint8Array {
    this.sealer.sealInPlace(staged, frameSizes, count);
    return staged;
  }

  seal(frame: Uint8Array): Uint8Array {
    const sealed = Buffer.allocUnsafe(lengthPrefixSize + frame.length);
    sealed.set(frame, lengthPrefixSize);
    this.sealer.sealInPlace(sealed, Uint32Array.of(frame.length), 1);
    return sealed;
  }

  open(chunk: Uint8Array): Uint8Array {
    this.packageCount = 0;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.body === undefined) {
        let length: number;
        if (this.headerFill === 0 && chunk.length - offset >= lengthPrefixSize) {
          length = readUint32LE(chunk, offset);
          offset += lengthPrefixSize;
        } else {
          const take = Math.min(lengthPrefixSize - this.headerFill, chunk.length - offset);
          this.header.set(chunk.subarray(offset, offset + take), this.headerFill);
          this.headerFill += take;
          offset += take;
          if (this.headerFill < lengthPrefixSize) break;
          this.headerFill = 0;
          length = readUint32LE(this.header, 0);
        }
        this.checkLength(length);
        if (chunk.length - offset >= length) {
          this.collect(chunk, offset, length);
          offset += length;
          continue;
        }
        this.body = new Uint8Array(length);
        this.bodyFill = 0;
      }
      const body = this.body;
      const take = Math.min(body.length - this.bodyFill, chunk.length - offset);
      body.set(chunk.subarray(offset, offset + take), this.bodyFill);
      this.bodyFill += take;
      offset += take;
      if (this.bodyFill < body.length) break;
      this.body = undefined;
      this.collect(body, 0, body.length);
    }
    return this.packageCount === 0 ? empty : this.decrypt();
  }

  private collect(source: Uint8Array, start: number, length: number): void {
    const index = this.packageCount++;
    if (index === this.starts.length) {
      this.starts = grown(this.starts);
      this.lengths = grown(this.lengths);
    }
    this.sources[index] = source;
    this.starts[index] = start;
    this.lengths[index] = length;
  }

  private checkLength(length: number): void {
    if (length > this.maxFrameSize) {
      throw new EncryptionError(`encrypted package of ${length} bytes exceeds the frame limit of ${this.maxFrameSize} bytes`);
    }
    if (length < minimumFrameSize) {
      throw new EncryptionError(`encrypted package of ${length} bytes is shorter than an FPNN frame header`);
    }
  }

  /**
   * All packages of the chunk at once: one ECB update() over the full ciphertext blocks C_0..C_{m-2} of every package
   * (gathered back to back), then the XOR of [E(IV), that keystream] into a fresh buffer of the frames back to back.
   */
  private decrypt(): Uint8Array {
    const { sources, starts, lengths, packageCount: count } = this;
    let frameBytes = 0;
    for (let i = 0; i < count; i++) frameBytes += lengths[i]!;
    const keystream = viewOf(this.ecb.update(this.feedbackBlocks()));
    // The decoder keeps (slices of) what open() returns, so the frames cannot go into reused scratch.
    const frames = Buffer.allocUnsafe(frameBytes);
    const framesView = viewOf(frames);
    const [first0, first1, first2, first3] = this.firstWords;
    let source: Uint8Array = empty;
    let sourceView = framesView;
    let to = 0;
    let key = 0;
    for (let i = 0; i < count; i++) {
      const length = lengths[i]!;
      const start = starts[i]!;
      if (sources[i] !== source) {
        source = sources[i]!;
        sourceView = viewOf(source);
      }
      if (length < blockSize) {
        xorBytes(sourceView, start, this.firstKeystream, 0, framesView, to, length);
        if (framesView.getInt32(to, true) !== frameMagicWord) throw wrongKeyError();
      } else {
        // The first block written out (V8 does not inline a helper into this loop): it carries the magic to check.
        const word = sourceView.getInt32(start, true) ^ first0;
        if (word !== frameMagicWord) throw wrongKeyError();
        framesView.setInt32(to, word, true);
        framesView.setInt32(to + 4, sourceView.getInt32(start + 4, true) ^ first1, true);
        framesView.setInt32(to + 8, sourceView.getInt32(start + 8, true) ^ first2, true);
        framesView.setInt32(to + 12, sourceView.getInt32(start + 12, true) ^ first3, true);
        xorBytes(sourceView, start + blockSize, keystream, key, framesView, to + blockSize, length - blockSize);
        key += feedbackSize(length);
      }
      to += length;
    }
    sources.fill(empty, 0, count); // keep no chunk alive until the next call
    if (this.starts.length > maxKeptPackages) {
      this.starts = new Int32Array(initialPackages);
      this.lengths = new Int32Array(initialPackages);
      this.sources = [];
    }
    return frames;
  }

  /** The ECB input: every package's ciphertext but its last block, back to back (a lone package is its own input). */
  private feedbackBlocks(): Uint8Array {
    const { sources, starts, lengths, packageCount: count } = this;
    if (count === 1) return sources[0]!.subarray(starts[0]!, starts[0]! + feedbackSize(lengths[0]!));
    let size = 0;
    for (let i = 0; i < count; i++) size += feedbackSize(lengths[i]!);
    const scratch = this.scratchFor(size);
    const scratchView = size <= this.scratch.length ? this.scratchView : viewOf(scratch);
    let source: Uint8Array = empty;
    let sourceView = scratchView;
    let at = 0;
    for (let i = 0; i < count; i++) {
      const bytes = feedbackSize(lengths[i]!);
      if (bytes === 0) continue;
      if (sources[i] !== source) {
        source = sources[i]!;
        sourceView = viewOf(source);
      }
      const start = starts[i]!;
      if (bytes < nativeCopyBytes) copyBytes(sourceView, start, scratchView, at, bytes);
      else scratch.set(source.subarray(start, start + bytes), at);
      at += bytes;
    }
    return scratch.subarray(0, size);
  }

  private scratchFor(size: number): Buffer {
    if (size <= this.scratch.length) return this.scratch;
    const scratch = Buffer.allocUnsafeSlow(Math.max(size, 2 * this.scratch.length, 4096));
    if (scratch.length <= maxKeptScratchBytes) {
      this.scratch = scratch;
      this.scratchView = viewOf(scratch);
    }
    return scratch;
  }
}

const initialPackages = 64;
/** Scratch grown by one huge chunk is dropped afterwards. */
const maxKeptPackages = 16 * 1024;
const maxKeptScratchBytes = 256 * 1024;
/** From this size on a native copy beats the word loop despite its fixed cost (measured on Node 20). */
const nativeCopyBytes = 64;

/** Bytes of a package that feed the keystream of its next block: all its blocks but the last (which may be short). */
function feedbackSize(length: number): number {
  return ((length - 1) >>> 4) << 4;
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(2 * array.length);
  bigger.set(array);
  return bigger;
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}
