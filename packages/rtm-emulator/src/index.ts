export { Refusal } from "./errors.js";
export {
  bodyLimitsProblem,
  DEFAULT_LIMITS,
  HISTORY_PAGE_MAX,
  MAX_ROW_BODY_BYTES,
  MTYPE_MAX,
  MTYPE_MIN,
  resolveLimits,
  type ChatLimits,
  type MessageBody,
} from "./limits.js";
export { Authenticator, DEFAULT_MAX_SALTS_PER_PROJECT, DEFAULT_TS_SKEW_SECONDS, type AuthOptions } from "./auth.js";
export { Remembered, ReplayGuard, saltKey, type ReplayGuardOptions, type SaltKey } from "./replay-guard.js";
export { ConnectionFaults, FaultInjector, NO_FAULT, type FaultDecision, type FaultOptions } from "./faults.js";
export { ChatService, type ChatRequest, type SendAnswer, type WithBodies } from "./chat-service.js";
export { ChatStorage, type ChatStorageOptions } from "./storage/chat-storage.js";
export { DatabaseInUseError, openDatabase, type Durability, type OpenDatabaseOptions } from "./storage/database.js";
export { MessageStore, type MessageStoreOptions } from "./storage/message-store.js";
export { migrate, MIGRATIONS, type Migration } from "./storage/migrations.js";
export { WriteBatcher, type CommitInfo, type WriteBatcherOptions } from "./storage/write-batcher.js";
export {
  MessageCategory,
  type CountQuery,
  type HistoryPage,
  type HistoryQuery,
  type MessageCount,
  type HistoryRow,
  type MessageKey,
  type NewMessage,
  type RetrievedMessage,
} from "./storage/types.js";
export {
  CliUsageError,
  createProgram,
  DEFAULT_HOST,
  DEFAULT_PORT,
  LOG_LEVELS,
  parseCliArgs,
  PROJECTS_ENV,
  runCli,
  type CliIo,
  type CliParseResult,
  type CliSources,
  type EmulatorCliOptions,
  type LogLevel,
  type StartEmulator,
} from "./cli.js";
export { startEmulator, type EmulatorOptions, type RunningEmulator } from "./server/start.js";
export { DEFAULT_CONSOLE_HOST, DEFAULT_CONSOLE_PORT, type ConsoleOption, type ConsoleOptions } from "./console/options.js";
export { type UserSend, type UserSent } from "./server/user-activity.js";
export { DEFAULT_MAX_UNANSWERED_PUSHES, DEFAULT_PUSH_PING_SECONDS, DEFAULT_PUSH_TIMEOUT_SECONDS, type PushOptions } from "./push/push-options.js";
export { type PushStats } from "./push/push-stats.js";
export { type FileGateAccess, type FileGateOptions } from "./server/file-gate.js";
export { DEFAULT_MAX_FILE_BYTES } from "./files/file-service.js";
export { DEFAULT_FILE_TOKEN_TTL_MS, DEFAULT_FILE_TOKENS_PER_PROJECT } from "./files/file-tokens.js";
export { implement, type Implementation } from "@rtmkit/protocol";
export { startFromCli } from "./server/cli-start.js";
export { createChatHandlers, RAISER } from "./server/chat-handlers.js";
export { FaultInterception } from "./server/fault-interceptor.js";
export { Logger, questLogHooks, type LogSink } from "./server/logger.js";
export { projectMap, type ProjectCredentials, type ProjectsOption } from "./server/projects.js";
export { type EmulatorAdmin } from "./admin/admin.js";
export {
  type ConsoleMessage,
  type ConversationKind,
  type ConversationSummary,
  type EmulatorState,
  type GroupState,
  type ListenerState,
  type MessagePage,
  type MethodFault,
  type ProjectOverview,
  type RoomState,
  type TrafficEvent,
  type UserState,
} from "./admin/types.js";
export { MAX_CONVERSATIONS, MAX_MESSAGE_PAGE } from "./admin/conversation-views.js";
export { INJECTED_FAULT, MAX_FAULT_DELAY_MS } from "./admin/method-faults.js";
export { RECENT_ERRORS } from "./admin/project-counters.js";
export { RATE_WINDOW_SECONDS } from "./admin/rate.js";
export { STATE_FORMAT, STATE_VERSION } from "./admin/state-document.js";
export { SUMMARY_MAX_CHARS } from "./admin/summary.js";
export { NOT_ANSWERED, TRAFFIC_RING_SIZE } from "./admin/traffic-tap.js";
