const lossy = new TextDecoder("utf-8");

/**
 * A msgpack str given as its raw bytes, which need not be UTF-8: the encoder writes a str header
 * (fixstr, str 8, 16 or 32 by length) and the bytes as they are, never a bin.
 *
 * C++ peers (the RTM SDK and server) carry bytes such as audio or files in std::string, which msgpack
 * writes as str; this is how such bytes go back out exactly as they came in. A JSON answer cannot carry
 * them: there they are the bytes decoded as UTF-8, invalid sequences as U+FFFD (toJSON()).
 */
export class StrBytes {
  constructor(readonly bytes: Uint8Array) {}

  get byteLength(): number {
    return this.bytes.byteLength;
  }

  /** The bytes as UTF-8 text, invalid sequences as U+FFFD (for logs and JSON; not the bytes). */
  toString(): string {
    return lossy.decode(this.bytes);
  }

  toJSON(): string {
    return this.toString();
  }
}
