export interface FrameCipher {
  /**
   * Bytes the frame writer reserves in front of every frame it stages after setCipher(), for sealFrames() to fill
   * (package mode: the 4-byte length; stream mode: none).
   */
  readonly framePrefixSize: number;
  /**
   * Seals the frames of one flush for the wire, in order. `staged` holds `count` whole frames back to back, each after
   * framePrefixSize reserved bytes; `frameSizes[i]` is the size of frame i (prefix not included). Returns the wire
   * bytes: `staged` itself when sealed in place (package mode), else new bytes (stream mode).
   */
  sealFrames(staged: Uint8Array, frameSizes: Uint32Array, count: number): Uint8Array;
  /** Wraps one whole encoded frame for the wire (package mode: 4-byte LE length + AES-CFB of the frame; stream mode: continuous cipher). */
  seal(frame: Uint8Array): Uint8Array;
  /** Raw socket bytes in, plaintext frame bytes out (possibly empty). Throws on malformed input; the connection then closes. */
  open(chunk: Uint8Array): Uint8Array;
}
