import { createCipheriv, type Cipher } from "node:crypto";
import type { FrameCipher } from "../frame-cipher.js";
import { blockSize, copyBytes, viewOf, xorBytes } from "./block-xor.js";
import { frameMagic, wrongKeyError } from "./magic.js";
import { aesAlgorithm, createBlockCipher, type SessionKeys } from "./session-keys.js";

/**
 * Stream mode: one continuous AES-CFB cipher per direction, no framing of its own. seal() must be called in
 * wire order; open() returns whatever plaintext the chunk carries (frames may be split anywhere).
 *
 * Sealing is OpenSSL's CFB encrypt: each block's input is the previous ciphertext block, inherently serial. Opening is
 * not, and OpenSSL's CFB decrypt (~1.7 ns/byte) does it serially anyway: P_i = C_i xor E(C_{i-1}), with the IV before
 * C_1 (NIST SP 800-38A, 6.3), so every keystream block of a chunk is one update() of an AES-ECB cipher over the
 * chunk's own ciphertext blocks (pipelined by AES-NI), and only the XOR is done here. Across chunks it keeps the
 * keystream of the block in progress and that block's ciphertext bytes received so far.
 */
export class StreamFrameCipher implements FrameCipher {
  readonly framePrefixSize = 0;
  private readonly cipher: Cipher;
  private readonly ecb: Cipher;
  /** Keystream of the block in progress: E(previous ciphertext block), E(IV) at first. */
  private readonly keystream: DataView = viewOf(Buffer.alloc(blockSize));
  /** Bytes of that block received so far (0..15) and their ciphertext, which feeds the next block's keystream. */
  private used = 0;
  private readonly partial = Buffer.alloc(blockSize);
  private readonly partialView = viewOf(this.partial);
  /** Bytes of the first frame's magic still to verify, to report a key mismatch clearly. */
  private magicChecked = 0;

  constructor(keys: SessionKeys) {
    this.cipher = createCipheriv(aesAlgorithm(keys.bits), keys.key, keys.iv);
    this.ecb = createBlockCipher(keys);
    copyBytes(viewOf(this.ecb.update(keys.iv)), 0, this.keystream, 0, blockSize);
  }

  /** The batch is one piece of the continuous stream: frame boundaries do not matter. */
  sealFrames(staged: Uint8Array): Uint8Array {
    return this.cipher.update(staged);
  }

  seal(frame: Uint8Array): Uint8Array {
    return this.cipher.update(frame);
  }

  open(chunk: Uint8Array): Uint8Array {
    const length = chunk.length;
    // The decoder keeps (slices of) what open() returns, so the plaintext cannot go into reused scratch.
    const plain = Buffer.allocUnsafe(length);
    const plainView = viewOf(plain);
    const chunkView = viewOf(chunk);
    let at = 0;
    if (this.used > 0) at = this.finishBlock(chunkView, plainView, length);
    const rest = length - at;
    if (rest >= blockSize) {
      // Block k of the rest takes E(block k-1); the last full block's E is the keystream of whatever follows it.
      const fullBytes = rest & ~(blockSize - 1);
      const next = viewOf(this.ecb.update(chunk.subarray(at, at + fullBytes)));
      xorBytes(chunkView, at, this.keystream, 0, plainView, at, blockSize);
      xorBytes(chunkView, at + blockSize, next, 0, plainView, at + blockSize, rest - blockSize);
      copyBytes(next, fullBytes - blockSize, this.keystream, 0, blockSize);
      at += fullBytes;
    }
    if (at < length) this.startBlock(chunkView, at, plainView, length - at);
    if (this.magicChecked < frameMagic.length) this.checkMagic(plain);
    return plain;
  }

  /** Completes the block in progress from the start of the chunk, as far as the chunk goes; returns the bytes used. */
  private finishBlock(chunk: DataView, plain: DataView, length: number): number {
    const take = Math.min(blockSize - this.used, length);
    xorBytes(chunk, 0, this.keystream, this.used, plain, 0, take);
    copyBytes(chunk, 0, this.partialView, this.used, take);
    this.used += take;
    if (this.used === blockSize) {
      copyBytes(viewOf(this.ecb.update(this.partial)), 0, this.keystream, 0, blockSize);
      this.used = 0;
    }
    return take;
  }

  /** The chunk ends inside a block: decrypts what there is and keeps its ciphertext for that block's successor. */
  private startBlock(chunk: DataView, at: number, plain: DataView, length: number): void {
    xorBytes(chunk, at, this.keystream, 0, plain, at, length);
    copyBytes(chunk, at, this.partialView, 0, length);
    this.used = length;
  }

  private checkMagic(plain: Uint8Array): void {
    for (let i = 0; i < plain.length && this.magicChecked < frameMagic.length; i++, this.magicChecked++) {
      if (plain[i] !== frameMagic[this.magicChecked]) throw wrongKeyError();
    }
  }
}
