import { EncryptionError } from "./errors.js";

/** "FPNN": every decrypted frame starts with it; anything else means the peers derived different keys. */
export const frameMagic: readonly number[] = [0x46, 0x50, 0x4e, 0x4e];
/** The magic as one little-endian int32, to check a frame's first word at once. */
export const frameMagicWord = 0x4e4e5046;

export function wrongKeyError(): EncryptionError {
  return new EncryptionError("encrypted data does not decrypt to an FPNN frame: the peers derived different keys (wrong server key or curve?)");
}
