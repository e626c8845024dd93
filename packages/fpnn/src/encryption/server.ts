import { createECDH, type ECDH } from "node:crypto";
import { createFrameCipher } from "./create-cipher.js";
import type { Curve, CurveName } from "./curves.js";
import { EncryptionError } from "./errors.js";
import type { FrameCipher } from "../frame-cipher.js";
import { decodeKeyQuestPayload, readKeyQuestPayload, type KeyQuestPayload } from "./key-quest.js";
import { parsePrivateKey, type KeyInput } from "./keys.js";
import { DEFAULT_MAX_FRAME_SIZE } from "../frame.js";
import { deriveSessionKeys } from "./session-keys.js";

/** The server's encryption option. */
export interface ServerEncryptionOptions {
  /** Raw scalar (32 bytes; 28 for secp224r1, 24 for secp192r1) as bytes or hex, PEM or DER (SEC1 or PKCS#8). */
  privateKey: KeyInput;
  /** Needed for raw keys on curves other than secp256k1; PEM/DER carry their curve. */
  curve?: CurveName | "prime256v1" | "prime192v1";
  /** Largest package open() accepts (package mode); default 8 MiB. */
  maxFrameSize?: number;
}

/**
 * The server side, made once per server: each accepted `*key` quest yields that connection's cipher.
 * Any EncryptionError thrown means: close the connection without answering.
 */
export interface ServerKeyExchange {
  readonly curve: CurveName;
  /** The server's public key, raw X||Y: what clients put in their `encryption.publicKey`. */
  readonly publicKey: Buffer;
  /** From the raw msgpack payload of the `*key` quest (publicKey as bin or str). Preferred. */
  acceptEncoded(payload: Uint8Array): FrameCipher;
  /** From a payload msgpackr already decoded (a str publicKey must have survived UTF-8 decoding). */
  accept(payload: unknown): FrameCipher;
}

export function createServerKeyExchange(options: ServerEncryptionOptions, field = "encryption"): ServerKeyExchange {
  if (typeof options !== "object" || options === null) throw new EncryptionError(`${field}: expected an object with privateKey`);
  if (options.privateKey === undefined) throw new EncryptionError(`${field}.privateKey: missing`);
  const { curve, scalar } = parsePrivateKey(options.privateKey, options.curve, `${field}.privateKey`);
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const ecdh = createECDH(curve.nodeName);
  ecdh.setPrivateKey(scalar);
  const publicKey = ecdh.getPublicKey().subarray(1);
  const cipherFor = (quest: KeyQuestPayload) => createFrameCipher(deriveSessionKeys(sharedSecret(ecdh, curve, quest.publicKey), quest.bits), quest.streamMode, maxFrameSize);
  return {
    curve: curve.name,
    publicKey,
    acceptEncoded: (payload) => cipherFor(decodeKeyQuestPayload(payload, curve.name)),
    accept: (payload) => cipherFor(readKeyQuestPayload(payload, curve.name)),
  };
}

function sharedSecret(ecdh: ECDH, curve: Curve, peerKey: Uint8Array): Buffer {
  const point = Buffer.allocUnsafe(peerKey.length + 1);
  point[0] = 0x04;
  point.set(peerKey, 1);
  try {
    return ecdh.computeSecret(point);
  } catch (cause) {
    throw new EncryptionError(`*key quest: publicKey is not a point on ${curve.name}`, { cause });
  }
}
