export {
  DEFAULT_FILE_GATE_IDLE_SECONDS,
  DEFAULT_FILE_GATE_MAX_ENDPOINTS,
  RTMServerClient,
  type RTMClientEvents,
  type RTMConnectionOptions,
  type RTMCredentials,
  type RTMServerClientOnFpnnOptions,
  type RTMServerClientOptions,
  type UserIterateOptions,
} from "./client.js";
export { RTMError, type RTMErrorOptions } from "./errors.js";
export { DEFAULT_DEDUPE_CAPACITY, DEFAULT_DEDUPE_TTL_SECONDS, type PushDedupeOptions } from "./push/dispatcher.js";
export { DEFAULT_PUSH_BUFFER, type PushStream, type PushStreamOptions } from "./push/push-stream.js";
export type { Push, PushEventName, PushHandler, PushHandlers } from "./push/types.js";
export { computeSign, fileSign, Signer, type CallOptions, type FileOptions, type Int64 } from "@rtmkit/protocol";
export { nextId } from "./ids.js";
export { historyResult, p2pHistoryResult, withAudioInfo, type HistoryPage } from "./history.js";
export { FILE_MTYPE_MAX, FILE_MTYPE_MIN, isFileMessageType, parseFileInfo, withFileInfo } from "./file-info.js";
export { fileAttrs } from "./file-attrs.js";
export { GateConnections, type GateClient, type GateConnectionsOptions } from "./gate-connections.js";
export { iterateHistory, DEFAULT_PAGE_SIZE, type IterateOptions } from "./iterate.js";
export { Invoker, type FileGateSetup, type InvokerOptions, type QuestTransport } from "./invoke.js";
export * from "./generated/index.js";
export { FpnnErrorCode } from "@rtmkit/fpnn";
export { MessageType as ChatMessageType } from "./generated/types.js";
