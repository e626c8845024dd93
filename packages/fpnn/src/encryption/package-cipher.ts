import { createDecipheriv, createSecretKey, type Decipher } from "node:crypto";
import { EncryptionError } from "./errors.js";
import type { FrameCipher } from "../frame-cipher.js";
import { frameMagic, wrongKeyError } from "./magic.js";
import { PackageSealer } from "./package-sealer.js";
import { aesAlgorithm, aesBlockAlgorithm, type SessionKeys } from "./session-keys.js";

const lengthPrefixSize = 4;
/** The fixed FPNN frame header; no frame is shorter. */
const minimumFrameSize = 12;
const empty = new Uint8Array(0);

/**
 * Package mode: each frame travels as a clear uint32 LE length + the frame encrypted with a fresh AES-CFB cipher
 * (IV reset per frame). open() hands out whole frames only. Sealing is batched too, see {@link PackageSealer}.
 *
 * Opening does not create a decipher per package. In CFB-128 the next keystream block is E(previous ciphertext
 * block) (NIST SP 800-38A, 6.3), so one long-lived AES-CFB decipher is put back at its starting state by feeding it
 * the IV as one ciphertext block on a block boundary. open() decrypts every package of a chunk in one call over
 * `package | padding to 16 | IV | package | padding | IV ...` and keeps only the package bytes.
 */
export class PackageFrameCipher implements FrameCipher {
  readonly framePrefixSize = lengthPrefixSize;
  private readonly sealer: PackageSealer;
  private readonly decipher: Decipher;
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
  /** Decipher input, reused while it stays small. */
  private input: Buffer = Buffer.allocUnsafeSlow(0);
  private readonly ivView: DataView;

  constructor(
    private readonly keys: SessionKeys,
    private readonly maxFrameSize: number,
  ) {
    const algorithm = aesAlgorithm(keys.bits);
    // Imported once: frames too long for the batched rounds get a cipher each, and a KeyObject makes that cheaper.
    this.sealer = new PackageSealer(algorithm, aesBlockAlgorithm(keys.bits), createSecretKey(keys.key), keys.iv);
    this.decipher = createDecipheriv(algorithm, keys.key, keys.iv);
    this.ivView = viewOf(keys.iv);
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

  /** All packages in one decipher call, each followed by the padding and IV block that reset the decipher. */
  private decrypt(): Uint8Array {
    const { sources, starts, lengths, packageCount: count } = this;
    let inputSize = 0;
    for (let i = 0; i < count; i++) inputSize += paddedSize(lengths[i]!) + blockSize;
    const input = this.inputFor(inputSize);
    const inputView = viewOf(input);
    const iv = this.ivView;
    let source: Uint8Array = empty;
    let sourceView = iv;
    let at = 0;
    for (let i = 0; i < count; i++) {
      const length = lengths[i]!;
      if (sources[i] !== source) {
        source = sources[i]!;
        sourceView = viewOf(source);
      }
      copyBytes(sourceView, starts[i]!, inputView, at, length);
      at += paddedSize(length);
      copyBytes(iv, 0, inputView, at, blockSize);
      at += blockSize;
    }
    const decrypted = this.decipher.update(input.subarray(0, inputSize));
    const decryptedView = viewOf(decrypted);
    // Squeeze out the padding and IV blocks in place: every package moves towards the start.
    let from = 0;
    let to = 0;
    for (let i = 0; i < count; i++) {
      const length = lengths[i]!;
      if (from !== to) copyBytes(decryptedView, from, decryptedView, to, length);
      this.checked(decrypted, to);
      from += paddedSize(length) + blockSize;
      to += length;
    }
    sources.fill(empty, 0, count); // keep no chunk alive until the next call
    if (this.starts.length > maxKeptPackages) {
      this.starts = new Int32Array(initialPackages);
      this.lengths = new Int32Array(initialPackages);
      this.sources = [];
    }
    return decrypted.subarray(0, to);
  }

  private inputFor(size: number): Buffer {
    if (size <= this.input.length) return this.input;
    const input = Buffer.allocUnsafeSlow(Math.max(size, 2 * this.input.length));
    if (input.length <= maxKeptInputBytes) this.input = input;
    return input;
  }

  private checked(frames: Uint8Array, at: number): Uint8Array {
    for (let i = 0; i < frameMagic.length; i++) {
      if (frames[at + i] !== frameMagic[i]) throw wrongKeyError();
    }
    return frames;
  }
}

const blockSize = 16;
const initialPackages = 64;
/** Scratch grown by one huge chunk is dropped afterwards. */
const maxKeptPackages = 16 * 1024;
const maxKeptInputBytes = 256 * 1024;
/** Copies within or between buffers, four bytes at a time; a move within one buffer must go towards the start (`to` <= `from`). */
function copyBytes(source: DataView, from: number, target: DataView, to: number, length: number): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) target.setInt32(to + i, source.getInt32(from + i, true), true);
  for (; i < length; i++) target.setUint8(to + i, source.getUint8(from + i));
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(2 * array.length);
  bigger.set(array);
  return bigger;
}

function paddedSize(length: number): number {
  return (length + blockSize - 1) & ~(blockSize - 1);
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}
