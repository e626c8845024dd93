import { createECDH } from "node:crypto";
import { createFrameCipher } from "./create-cipher.js";
import type { Curve, CurveName } from "./curves.js";
import { EncryptionError } from "./errors.js";
import type { FrameCipher } from "../frame-cipher.js";
import { encodeKeyQuestPayload, type KeyQuestPayload } from "./key-quest.js";
import { parsePrivateKey, parsePublicKey, type KeyInput } from "./keys.js";
import { DEFAULT_MAX_FRAME_SIZE } from "../frame.js";
import { deriveSessionKeys, type KeyBits, type SessionKeys } from "./session-keys.js";

/** The client's `encryption` option. */
export interface ClientEncryptionOptions {
  /** The server's public key: raw X||Y (or 0x04||X||Y) as bytes or hex, PEM, or DER (SPKI). */
  publicKey: KeyInput;
  /** Needed for raw keys on curves other than secp256k1; PEM/DER carry their curve. */
  curve?: CurveName | "prime256v1" | "prime192v1";
  /** AES key size, default 128. */
  bits?: KeyBits;
  /** One continuous cipher per direction instead of one per frame, default false. */
  streamMode?: boolean;
}

/** Options checked and the server key parsed once per client; every connection starts from it. */
export class ClientEncryption {
  readonly curve: Curve;
  /** The server public key as 0x04||X||Y. */
  readonly serverPoint: Buffer;
  readonly bits: KeyBits;
  readonly streamMode: boolean;

  constructor(options: ClientEncryptionOptions, field = "encryption") {
    if (typeof options !== "object" || options === null) throw new EncryptionError(`${field}: expected an object with publicKey`);
    const { bits = 128, streamMode = false } = options;
    if (bits !== 128 && bits !== 256) throw new EncryptionError(`${field}.bits: must be 128 or 256, got ${String(bits)}`);
    if (typeof streamMode !== "boolean") throw new EncryptionError(`${field}.streamMode: must be a boolean, got ${typeof streamMode}`);
    if (options.publicKey === undefined) throw new EncryptionError(`${field}.publicKey: missing`);
    const parsed = parsePublicKey(options.publicKey, options.curve, `${field}.publicKey`);
    this.curve = parsed.curve;
    this.serverPoint = parsed.point;
    this.bits = bits;
    this.streamMode = streamMode;
  }
}

export interface ClientKeyExchangeSettings {
  /** Largest package open() accepts (package mode); default 8 MiB. */
  maxFrameSize?: number;
  /** Fixed ephemeral private key (raw, hex, PEM or DER) instead of a fresh one. For test vectors only. */
  privateKey?: KeyInput;
}

/** One connection's side of the exchange: what to send as `*key`, and the cipher for everything after it. */
export interface ClientKeyExchange {
  readonly curve: CurveName;
  readonly bits: KeyBits;
  readonly streamMode: boolean;
  /** This connection's ephemeral public key, raw X||Y. */
  readonly publicKey: Buffer;
  /** The `*key` payload for a msgpack encoder (publicKey goes out as bin, as the Node SDKs send it). */
  readonly keyQuestPayload: KeyQuestPayload;
  /** The `*key` payload as msgpack bytes with publicKey as str, as the C++ SDK sends it (the shared test vectors). */
  readonly encodedKeyQuestPayload: Uint8Array;
  readonly sessionKeys: SessionKeys;
  /** A new cipher for this connection: call once, after writing the `*key` frame in clear. */
  createFrameCipher(): FrameCipher;
}

/** Starts the exchange for one (re)connection; pass a {@link ClientEncryption} to skip re-parsing the options. */
export function createClientKeyExchange(
  options: ClientEncryptionOptions | ClientEncryption,
  settings: ClientKeyExchangeSettings = {},
): ClientKeyExchange {
  const config = options instanceof ClientEncryption ? options : new ClientEncryption(options);
  const { curve, bits, streamMode } = config;
  const maxFrameSize = settings.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const ecdh = createECDH(curve.nodeName);
  if (settings.privateKey === undefined) ecdh.generateKeys();
  else ecdh.setPrivateKey(parsePrivateKey(settings.privateKey, curve.name, "privateKey").scalar);
  const publicKey = ecdh.getPublicKey().subarray(1);
  const sessionKeys = deriveSessionKeys(ecdh.computeSecret(config.serverPoint), bits);
  const keyQuestPayload: KeyQuestPayload = { publicKey, streamMode, bits };
  return {
    curve: curve.name,
    bits,
    streamMode,
    publicKey,
    keyQuestPayload,
    encodedKeyQuestPayload: encodeKeyQuestPayload(keyQuestPayload),
    sessionKeys,
    createFrameCipher: () => createFrameCipher(sessionKeys, streamMode, maxFrameSize),
  };
}
