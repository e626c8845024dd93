export { EncryptionError } from "./errors.js";
export { curveNames, type CurveName } from "./curves.js";
export type { FrameCipher } from "../frame-cipher.js";
export { parsePublicKey, parsePrivateKey, type KeyInput, type ParsedPublicKey, type ParsedPrivateKey } from "./keys.js";
export { deriveSessionKeys, type KeyBits, type SessionKeys } from "./session-keys.js";
export { keyQuestMethod, encodeKeyQuestPayload, decodeKeyQuestPayload, readKeyQuestPayload, type KeyQuestPayload } from "./key-quest.js";
export { createFrameCipher } from "./create-cipher.js";
export {
  ClientEncryption,
  createClientKeyExchange,
  type ClientEncryptionOptions,
  type ClientKeyExchange,
  type ClientKeyExchangeSettings,
} from "./client.js";
export { createServerKeyExchange, type ServerEncryptionOptions, type ServerKeyExchange } from "./server.js";
