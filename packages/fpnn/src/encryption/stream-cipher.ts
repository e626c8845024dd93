import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from "node:crypto";
import type { FrameCipher } from "../frame-cipher.js";
import { frameMagic, wrongKeyError } from "./magic.js";
import { aesAlgorithm, type SessionKeys } from "./session-keys.js";

/**
 * Stream mode: one continuous AES-CFB cipher per direction, no framing of its own. seal() must be called in
 * wire order; open() returns whatever plaintext the chunk carries (frames may be split anywhere).
 */
export class StreamFrameCipher implements FrameCipher {
  readonly framePrefixSize = 0;
  private readonly cipher: Cipher;
  private readonly decipher: Decipher;
  /** Bytes of the first frame's magic still to verify, to report a key mismatch clearly. */
  private magicChecked = 0;

  constructor(keys: SessionKeys) {
    const algorithm = aesAlgorithm(keys.bits);
    this.cipher = createCipheriv(algorithm, keys.key, keys.iv);
    this.decipher = createDecipheriv(algorithm, keys.key, keys.iv);
  }

  /** The batch is one piece of the continuous stream: frame boundaries do not matter. */
  sealFrames(staged: Uint8Array): Uint8Array {
    return this.cipher.update(staged);
  }

  seal(frame: Uint8Array): Uint8Array {
    return this.cipher.update(frame);
  }

  open(chunk: Uint8Array): Uint8Array {
    const plain = this.decipher.update(chunk);
    if (this.magicChecked < frameMagic.length) this.checkMagic(plain);
    return plain;
  }

  private checkMagic(plain: Uint8Array): void {
    for (let i = 0; i < plain.length && this.magicChecked < frameMagic.length; i++, this.magicChecked++) {
      if (plain[i] !== frameMagic[this.magicChecked]) throw wrongKeyError();
    }
  }
}
