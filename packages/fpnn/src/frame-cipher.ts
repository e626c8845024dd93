export interface FrameCipher {
  /** Wraps one whole encoded frame for the wire (package mode: 4-byte LE length + AES-CFB of the frame; stream mode: continuous cipher). */
  seal(frame: Uint8Array): Uint8Array;
  /** Raw socket bytes in, plaintext frame bytes out (possibly empty). Throws on malformed input; the connection then closes. */
  open(chunk: Uint8Array): Uint8Array;
  /**
   * True when sealing several frames in one call gives the same bytes as sealing them one by one
   * (stream mode): the writer then seals each batch of frames at once.
   */
  readonly continuous?: boolean;
}
