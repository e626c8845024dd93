export { INT64_EXPECTED, INT64_MAX, INT64_MIN, intRange, isDecimalInt64, isInt64, toBigInt64, type Int64 } from "./int64.js";
export {
  bool,
  bytes,
  enumOf,
  int8,
  int16,
  int32,
  int64,
  listOf,
  mapOf,
  record,
  setOf,
  string,
  typeName,
  type AnswerOf,
  type BoolType,
  type BytesType,
  type EnumType,
  type InOf,
  type Int64Type,
  type IntType,
  type ListType,
  type MapKey,
  type MapType,
  type OutOf,
  type RecordField,
  type RecordType,
  type SetType,
  type StringType,
  type WireType,
} from "./wire-type.js";
export {
  alternatives,
  endpoints,
  method,
  returns,
  service,
  variant,
  type AnswerValue,
  type AnyMethod,
  type Auth,
  type AuthOf,
  type Direction,
  type Endpoints,
  type FilledSpec,
  type MethodDescriptor,
  type Param,
  type ReadAnswerOf,
  type RequestOf,
  type ResultOf,
  type ServiceInfo,
} from "./method.js";
export { inputCheck, wireReader, UNREAD, type Check, type Reader } from "./checks.js";
export { inputSchema, wireSchema, objectSchema, type Bounds } from "./schemas.js";
export { CallPlan, ANSWER_MISMATCH, argsSchema, type ArgumentIssue, type CallOptions, type ClientParts, type FileOptions, type Hook } from "./client-plan.js";
export { computeSign, Signer, type FileTokenAuth, type SignedAuth } from "./envelope.js";
export { fileSign } from "./file-sign.js";
export { implement, registerHandlers, registerImplementation, type AuthKeysOf, type Handler, type Implementation, type HandlerContext, type Handlers, type HandlerTarget, type RegisterOptions } from "./handlers.js";
export { PushPlan, type Conversation, type MessageKinds, type MessageKindSpec, type PushedEvent, type PushSpec } from "./push.js";
export { packageVersion } from "./package-version.js";
