export { DEFAULT_TIMEOUT_MS, FpnnClient, type FpnnClientEvents, type FpnnClientOptions, type ReadyStep } from "./client.js";
export { FpnnServer, ServerConnection, type FpnnServerEvents, type FpnnServerOptions, type ServerEncryption, type ServerHandler } from "./server.js";
export { Connection, type ConnectionStats, type KeepAliveOptions, type QuestContext, type QuestHandler } from "./connection.js";
export type { ConnectionLimits } from "./connection-limits.js";
export type { ByteStream } from "./byte-stream.js";
export { dialTcp, type Dial, type DialTarget } from "./dial.js";
export type { ClientInterceptor, QuestCall, ServerInterceptor } from "./interceptors.js";
export type { QuestOptions } from "./arguments.js";
export { FpnnError, isCoreCode } from "./errors.js";
export { FpnnErrorCode } from "./generated/error-codes.js";
export type { FrameCipher } from "./frame-cipher.js";
export {
  ClientEncryption,
  EncryptionError,
  createClientKeyExchange,
  createFrameCipher,
  createServerKeyExchange,
  curveNames,
  decodeKeyQuestPayload,
  deriveSessionKeys,
  encodeKeyQuestPayload,
  keyQuestMethod,
  parsePrivateKey,
  parsePublicKey,
  readKeyQuestPayload,
  type ClientEncryptionOptions,
  type ClientKeyExchange,
  type ClientKeyExchangeSettings,
  type CurveName,
  type KeyBits,
  type KeyInput,
  type KeyQuestPayload,
  type ParsedPrivateKey,
  type ParsedPublicKey,
  type ServerEncryptionOptions,
  type ServerKeyExchange,
  type SessionKeys,
} from "./encryption/index.js";
export {
  DEFAULT_MAX_FRAME_SIZE,
  FrameDecoder,
  FrameError,
  FrameFlag,
  FrameType,
  encodeAnswer,
  encodeQuest,
  type Frame,
  type FrameErrorReason,
} from "./frame.js";
export {
  StrBytes,
  checkPayloadShape,
  exceedsPayloadLimits,
  packPayload,
  packValue,
  topLevelStrBytes,
  unpackPayload,
  unpackValue,
  type Payload,
  type PayloadShapeLimits,
} from "./msgpack/index.js";
export { RegressiveReconnect, defaultRegressiveStrategy, type RegressiveStrategy } from "./reconnect.js";
export type { AnswerEvent, Direction, FpnnHooks, QuestEvent } from "./hooks.js";
