import { createCipheriv, createDecipheriv } from "node:crypto";
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
 */
export class PackageFrameCipher implements FrameCipher {
  private readonly algorithm: string;
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
  }

  seal(frame: Uint8Array): Uint8Array {
    const sealed = Buffer.allocUnsafe(lengthPrefixSize + frame.length);
    sealed.writeUInt32LE(frame.length, 0);
    sealed.set(createCipheriv(this.algorithm, this.keys.key, this.keys.iv).update(frame), lengthPrefixSize);
    return sealed;
  }

  open(chunk: Uint8Array): Uint8Array {
    let frames: Uint8Array[] | undefined;
    let single: Uint8Array | undefined;
    let offset = 0;
    while (offset < chunk.length) {
      let frame: Uint8Array | undefined;
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
          frame = this.decrypt(chunk.subarray(offset, offset + length));
          offset += length;
        } else {
          this.body = new Uint8Array(length);
          this.bodyFill = 0;
        }
      }
      if (frame === undefined) {
        const body = this.body!;
        const take = Math.min(body.length - this.bodyFill, chunk.length - offset);
        body.set(chunk.subarray(offset, offset + take), this.bodyFill);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill < body.length) break;
        this.body = undefined;
        frame = this.decrypt(body);
      }
      if (single === undefined) single = frame;
      else (frames ??= [single]).push(frame);
    }
    if (frames !== undefined) return Buffer.concat(frames);
    return single ?? empty;
  }

  private checkLength(length: number): void {
    if (length > this.maxFrameSize) {
      throw new EncryptionError(`encrypted package of ${length} bytes exceeds the frame limit of ${this.maxFrameSize} bytes`);
    }
    if (length < minimumFrameSize) {
      throw new EncryptionError(`encrypted package of ${length} bytes is shorter than an FPNN frame header`);
    }
  }

  private decrypt(ciphertext: Uint8Array): Uint8Array {
    const frame = createDecipheriv(this.algorithm, this.keys.key, this.keys.iv).update(ciphertext);
    for (let i = 0; i < frameMagic.length; i++) {
      if (frame[i] !== frameMagic[i]) throw wrongKeyError();
    }
    return frame;
  }
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}
