import { createCipheriv, createHash, createSecretKey, type Cipher, type KeyObject } from "node:crypto";

export type KeyBits = 128 | 256;

/** AES key and IV of one encrypted connection; both directions use the same pair. */
export interface SessionKeys {
  readonly bits: KeyBits;
  readonly key: Buffer;
  readonly iv: Buffer;
}

/**
 * FPNN derivation from the ECDH secret (the x-coordinate of the shared point):
 * IV = MD5(secret); 128-bit key = secret[0..16]; 256-bit key = secret when it is 32 bytes, else SHA-256(secret).
 */
export function deriveSessionKeys(secret: Uint8Array, bits: KeyBits): SessionKeys {
  const iv = createHash("md5").update(secret).digest();
  let key: Buffer;
  if (bits === 128) key = Buffer.from(secret.subarray(0, 16));
  else key = secret.length === 32 ? Buffer.from(secret) : createHash("sha256").update(secret).digest();
  return { bits, key, iv };
}

export function aesAlgorithm(bits: KeyBits): "aes-128-cfb" | "aes-256-cfb" {
  return bits === 128 ? "aes-128-cfb" : "aes-256-cfb";
}

/**
 * The raw AES block cipher (ECB, no padding) under the session key: one update() encrypts many independent blocks,
 * pipelined by AES-NI. Package-mode sealing and both modes' opening build CFB on it (see package-sealer.ts). It keeps no
 * state between update() calls as long as each input is whole blocks, so one instance serves every caller of a session.
 */
export function createBlockCipher(keys: SessionKeys): Cipher {
  return createCipheriv(keys.bits === 128 ? "aes-128-ecb" : "aes-256-ecb", keys.key, null).setAutoPadding(false);
}

/** What package mode's sealer and opener share of a session. */
export interface PackageSession {
  /** For a cipher of its own per frame or package, where batching does not pay (very long ones). */
  readonly algorithm: "aes-128-cfb" | "aes-256-cfb";
  readonly key: KeyObject;
  readonly iv: Buffer;
  /** The session's block cipher (createBlockCipher()). */
  readonly ecb: Cipher;
  /** E(IV): the first keystream block of every frame. */
  readonly firstKeystream: Uint8Array;
}

export function packageSession(keys: SessionKeys): PackageSession {
  const ecb = createBlockCipher(keys);
  // The key is imported once: a KeyObject makes each cipher of its own cheaper.
  return { algorithm: aesAlgorithm(keys.bits), key: createSecretKey(keys.key), iv: keys.iv, ecb, firstKeystream: Buffer.from(ecb.update(keys.iv)) };
}
