import { createCipheriv, createDecipheriv, createSecretKey, type Decipher, type KeyObject } from "node:crypto";
import { EncryptionError } from "./errors.js";
import type { FrameCipher } from "../frame-cipher.js";
import { frameMagic, wrongKeyError } from "./magic.js";
import { aesAlgorithm, type SessionKeys } from "./session-keys.js";

const lengthPrefixSize = 4;
/** The fixed FPNN frame header; no frame is shorter. */
const minimumFrameSize = 12;
const empty = new Uint8Array(0);

/**
 * Package mode: each frame travels as a clear uint32 LE length + the frame encrypted with a fresh AES-CFB cipher
 * (IV reset per frame). open() hands out whole frames only.
 *
 * Opening does not create a decipher per package. In CFB-128 the next keystream block is E(previous ciphertext
 * block) (NIST SP 800-38A, 6.3), so one long-lived AES-CFB decipher is put back at its starting state by feeding it
 * the IV as one ciphertext block on a block boundary. open() decrypts every package of a chunk in one call over
 * `package | padding to 16 | IV | package | padding | IV ...` and keeps only the package bytes.
 */
export class PackageFrameCipher implements FrameCipher {
  private readonly algorithm: string;
  /** Imported once: sealing creates a cipher per frame, and a KeyObject makes that cheaper. */
  private readonly key: KeyObject;
  private readonly decipher: Decipher;
  private readonly header = new Uint8Array(lengthPrefixSize);
  private headerFill = 0;
  /** The package being collected across chunks, once its length is known. */
  private body: Uint8Array | undefined;
  private bodyFill = 0;

  constructor(
    private readonly keys: SessionKeys,
    private readonly maxFrameSize: number,
  ) {
    this.algorithm = aesAlgorithm(keys.bits);
    this.key = createSecretKey(keys.key);
    this.decipher = createDecipheriv(this.algorithm, keys.key, keys.iv);
  }

  seal(frame: Uint8Array): Uint8Array {
    const sealed = Buffer.allocUnsafe(lengthPrefixSize + frame.length);
    sealed.writeUInt32LE(frame.length, 0);
    sealed.set(createCipheriv(this.algorithm, this.key, this.keys.iv).update(frame), lengthPrefixSize);
    return sealed;
  }

  open(chunk: Uint8Array): Uint8Array {
    const packages: Uint8Array[] = [];
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
          packages.push(chunk.subarray(offset, offset + length));
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
      packages.push(body);
    }
    return packages.length === 0 ? empty : this.decrypt(packages);
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
  private decrypt(packages: readonly Uint8Array[]): Uint8Array {
    let inputSize = 0;
    let outputSize = 0;
    for (const ciphertext of packages) {
      inputSize += paddedSize(ciphertext.length) + blockSize;
      outputSize += ciphertext.length;
    }
    const input = Buffer.allocUnsafe(inputSize);
    let at = 0;
    for (const ciphertext of packages) {
      input.set(ciphertext, at);
      at += paddedSize(ciphertext.length);
      input.set(this.keys.iv, at);
      at += blockSize;
    }
    const decrypted = this.decipher.update(input);
    if (packages.length === 1) return this.checked(decrypted.subarray(0, packages[0]!.length), 0);
    const frames = Buffer.allocUnsafe(outputSize);
    let from = 0;
    let to = 0;
    for (const ciphertext of packages) {
      frames.set(decrypted.subarray(from, from + ciphertext.length), to);
      this.checked(frames, to);
      from += paddedSize(ciphertext.length) + blockSize;
      to += ciphertext.length;
    }
    return frames;
  }

  private checked(frames: Uint8Array, at: number): Uint8Array {
    for (let i = 0; i < frameMagic.length; i++) {
      if (frames[at + i] !== frameMagic[i]) throw wrongKeyError();
    }
    return frames;
  }
}

const blockSize = 16;

function paddedSize(length: number): number {
  return (length + blockSize - 1) & ~(blockSize - 1);
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}
