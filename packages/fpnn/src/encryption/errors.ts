const brand = Symbol.for("@rtmkit/fpnn/EncryptionError");

/**
 * A bad encryption option, a bad key, a malformed `*key` quest or an encrypted stream that does not decrypt.
 * On a connection it means: close it.
 */
export class EncryptionError extends Error {
  override readonly name = "EncryptionError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, brand, { value: true });
  }

  /** Works across copies of this package loaded twice. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && brand in value;
  }
}
