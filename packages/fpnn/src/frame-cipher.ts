export interface FrameCipher {
  /** Wraps one whole encoded frame for the wire (package mode: 4-byte LE length + AES-CFB of the frame; stream mode: continuous cipher). */
  seal(frame: Uint8Array): Uint8Array;
  /** Raw socket bytes in, plaintext frame bytes out (possibly empty). Throws on malformed input; the connection then closes. */
  open(chunk: Uint8Array): Uint8Array;
}
