import { EncryptionError } from "./errors.js";
import type { FrameCipher } from "../frame-cipher.js";
import { PackageOpener } from "./package-opener.js";
import { PackageSealer } from "./package-sealer.js";
import { packageSession, type SessionKeys } from "./session-keys.js";

const lengthPrefixSize = 4;
/** The fixed FPNN frame header; no frame is shorter. */
const minimumFrameSize = 12;
const empty = new Uint8Array(0);

/**
 * Package mode: each frame travels as a clear uint32 LE length + the frame encrypted with a fresh AES-CFB cipher
 * (IV reset per frame). This class frames and unframes packages; open() hands out whole frames only. A batch of
 * frames is sealed by {@link PackageSealer}, the packages of one read are opened by {@link PackageOpener}, both on the
 * session's AES-ECB cipher and E(IV), computed once.
 */
export class PackageFrameCipher implements FrameCipher {
  readonly framePrefixSize = lengthPrefixSize;
  private readonly sealer: PackageSealer;
  private readonly opener: PackageOpener;
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

  constructor(
    keys: SessionKeys,
    private readonly maxFrameSize: number,
  ) {
    const session = packageSession(keys);
    this.sealer = new PackageSealer(session);
    this.opener = new PackageOpener(session);
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

  /** Decrypts the packages collected by this open() call, then lets go of the chunks they came from. */
  private decrypt(): Uint8Array {
    const frames = this.opener.open(this.sources, this.starts, this.lengths, this.packageCount);
    this.sources.fill(empty, 0, this.packageCount); // keep no chunk alive until the next call
    if (this.starts.length > maxKeptPackages) {
      this.starts = new Int32Array(initialPackages);
      this.lengths = new Int32Array(initialPackages);
      this.sources = [];
    }
    return frames;
  }
}

const initialPackages = 64;
/** Package tables grown by one huge chunk are dropped afterwards. */
const maxKeptPackages = 16 * 1024;

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(2 * array.length);
  bigger.set(array);
  return bigger;
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}
