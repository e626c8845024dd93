import { FpnnError, FpnnErrorCode, FrameFlag, topLevelStrBytes, type FpnnClient, type FpnnServer, type Frame, type Payload, type QuestContext, type QuestHandler } from "@rtmkit/fpnn";
import type { z } from "zod";
import { UNREAD, wireReader, type Reader } from "./checks.js";
import type { FileTokenAuth, SignedAuth } from "./envelope.js";
import { int32, int64, string, type WireType } from "./wire-type.js";
import type { AnswerValue, AnyMethod, Auth, AuthOf, Endpoints, RequestOf } from "./method.js";
import { firstIssue, objectSchema, wireSchema } from "./schemas.js";

/** The context of a handled quest (the connection, the method, the frame as received). */
export type HandlerContext = QuestContext;

/** The auth keys a handler of a method gets, by its service's auth. */
export type AuthKeysOf<D> = AuthOf<D> extends "signed" ? SignedAuth : AuthOf<D> extends "fileToken" ? FileTokenAuth : undefined;

/** One typed handler: the checked request (by wire key, 64-bit integers as bigint), the auth keys of its service, the context. */
export type Handler<D> = (
  request: RequestOf<D>,
  auth: AuthKeysOf<D>,
  context: HandlerContext,
) => AnswerValue<D> | Promise<AnswerValue<D>>;

/** A handler for every endpoint of a table: the contract a server (or, for pushes, a client) implements. */
export type Handlers<E extends Endpoints> = { [K in keyof E]: Handler<E[K]> };

/** An implementation of a handler table, checked against it: what a server takes for services of its users. */
export interface Implementation {
  readonly endpoints: Endpoints;
  readonly handlers: Readonly<Record<string, unknown>>;
}

/** Pairs a handler table with its handlers, type-checked (E from the table only, as in registerHandlers) (`startEmulator({ handlers: [implement(friendsEndpoints, {...})] })`). */
export function implement<E extends Endpoints>(endpoints: E, handlers: NoInfer<Handlers<E>>): Implementation {
  return { endpoints, handlers: handlers as Readonly<Record<string, unknown>> };
}

/** What handlers are registered on: an FpnnServer (`handle`) or an FpnnClient (`onQuest`, for pushes). */
export type HandlerTarget = Pick<FpnnServer, "handle"> | Pick<FpnnClient, "onQuest">;

export interface RegisterOptions<E extends Endpoints> {
  /** Error code for a missing request key. */
  readonly missingCode: number;
  /** Error code for a wrongly typed request key. */
  readonly invalidCode: number;
  /** Check every answer against the table before sending it (for development; default false). */
  readonly validateAnswers?: boolean;
  /**
   * Called once, during registration, with the endpoints `handlers` lacks (a method added to the IDL that the
   * implementation does not have yet). Each of them is still registered and answers FPNN 20004 naming itself.
   */
  readonly onMissing?: (methods: readonly (keyof E & string)[]) => void;
}

interface KeyPlan {
  readonly key: string;
  /** Where the value may come from instead (Param.alias). */
  readonly alias?: string | undefined;
  readonly type: WireType;
  readonly read: Reader;
  /** A bytes key: read from the frame (sentBytes), not by `read`. */
  readonly bytes: boolean;
  readonly optional: boolean;
  schema?: z.ZodType;
}

const authKeys: Readonly<Record<Auth, readonly KeyPlan[] | undefined>> = {
  signed: [keyPlan("pid", int32, false), keyPlan("sign", string, false), keyPlan("salt", int64, false), keyPlan("ts", int32, false)],
  fileToken: [keyPlan("pid", int32, true), keyPlan("token", string, false), keyPlan("attrs", string, false)],
  none: undefined,
};

function keyPlan(key: string, type: WireType, optional: boolean, alias?: string): KeyPlan {
  return { key, alias, type, read: wireReader(type), bytes: type.kind === "bytes", optional };
}

/** The keys a request of an endpoint carries: its parameters (fixed ones included) and its filled fields. */
function requestKeys(d: AnyMethod): KeyPlan[] {
  const base: AnyMethod = d.base ?? d;
  return [...base.params.map((p) => keyPlan(p.wire, p.type, p.optional || p.omitEmpty, p.alias)), ...base.filled.map((f) => keyPlan(f.wire, f.type, false))];
}

/**
 * Registers an implementation of a handler table: each request is checked (a missing key rejects with
 * `missingCode`, a wrongly typed one with `invalidCode`, naming the key), the auth keys of a signed method are
 * split off, and the answer is optionally checked. Synchronous handlers answer synchronously: the runtime
 * sees each answer's size before it reads the next quest. A method `handlers` lacks answers 20004 naming it.
 */
// NoInfer: E comes from the table alone; inferring it back through the mapped handler types is too deep for tsc.
export function registerHandlers<E extends Endpoints>(target: HandlerTarget, table: E, handlers: NoInfer<Handlers<E>>, options: NoInfer<RegisterOptions<E>>): void {
  registerImplementation(target, { endpoints: table, handlers: handlers as Readonly<Record<string, unknown>> }, options as RegisterOptions<Endpoints>);
}

/** registerHandlers for an implementation typed by `implement` (a server taking its users' services). */
export function registerImplementation(target: HandlerTarget, implementation: Implementation, options: RegisterOptions<Endpoints>): void {
  const { endpoints: table, handlers } = implementation;
  const register = "handle" in target ? (m: string, h: QuestHandler) => target.handle(m, h) : (m: string, h: QuestHandler) => target.onQuest(m, h);
  const missing: string[] = [];
  for (const [fpnn, d] of Object.entries(table)) {
    const implementationOf: unknown = handlers[fpnn];
    if (typeof implementationOf !== "function") {
      missing.push(fpnn);
      register(fpnn, () => {
        throw new FpnnError(FpnnErrorCode.CoreUnknownMethod, `unknown method ${fpnn}: in the IDL, but this side does not implement it`, { method: fpnn });
      });
      continue;
    }
    const handler = (implementationOf as (request: unknown, auth: unknown, context: HandlerContext) => Payload | Promise<Payload>).bind(handlers);
    const keys = requestKeys(d);
    const auth = authKeys[d.service.auth as Auth];
    const answer = options.validateAnswers ? answerCheck(d) : undefined;
    register(fpnn, (payload, context) => {
      const credentials = auth === undefined ? undefined : readKeys(fpnn, auth, payload, context.frame, options);
      const request = readKeys(fpnn, keys, payload, context.frame, options);
      const result = handler(request, credentials, context);
      return answer === undefined ? result : result instanceof Promise ? result.then(answer) : answer(result);
    });
  }
  if (missing.length > 0) options.onMissing?.(missing);
}

/** The request's values by key, read by the plans (zod words a refusal); throws the error answer. */
function readKeys(method: string, keys: readonly KeyPlan[], payload: Payload, frame: Frame, codes: { missingCode: number; invalidCode: number }): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const k of keys) {
    const raw = payload[k.key] ?? (k.alias === undefined ? undefined : aliased(k, payload[k.alias]));
    if (raw === undefined || raw === null) {
      if (k.optional) continue;
      throw new FpnnError(codes.missingCode, `${method}: missing parameter "${k.key}"`, { method });
    }
    if (k.bytes && (typeof raw === "string" || raw instanceof Uint8Array)) {
      value[k.key] = sentBytes(k.key, raw, frame);
      continue;
    }
    const read = k.read(raw);
    if (read !== UNREAD) {
      value[k.key] = read;
      continue;
    }
    k.schema ??= wireSchema(k.type);
    const parsed = k.schema.safeParse(raw);
    if (!parsed.success) throw new FpnnError(codes.invalidCode, `${method}: invalid parameter "${k.key}": ${firstIssue(parsed.error).message}`, { method });
    value[k.key] = parsed.data;
  }
  return value;
}

/** A value under a key's alias: for a list or set, a single value is a list of one. */
function aliased(k: KeyPlan, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  return (k.type.kind === "list" || k.type.kind === "set") && !Array.isArray(value) ? [value] : value;
}

/**
 * The bytes of a bytes key as the peer sent them, copied out of the frame. RTM's C++ SDK sends bytes (files,
 * audio) as a msgpack str, whose decoded text lost every invalid UTF-8 sequence: they are read from the frame.
 */
function sentBytes(key: string, raw: string | Uint8Array, frame: Frame): Uint8Array {
  // new Uint8Array(view) copies (Buffer#slice would not): the frame's buffer is reused after the quest is decoded.
  if (raw instanceof Uint8Array) return new Uint8Array(raw);
  const str = frame.flag === FrameFlag.Msgpack ? topLevelStrBytes(frame.bytes, frame.payloadStart, frame.payloadEnd, key) : undefined;
  return str === undefined ? textEncoder.encode(raw) : new Uint8Array(str);
}

const textEncoder = new TextEncoder();

/** Checks a handler's answer against the table; throws on a mismatch (a bug of the handler: answered 20001). */
function answerCheck(d: AnyMethod): (answer: Payload) => Payload {
  const schema = objectSchema(
    d.answer.map((a) => ({ key: a.wire, type: a.type, optional: a.optional })),
    true,
  );
  return (answer) => {
    const checked = schema.safeParse(answer);
    if (!checked.success) {
      throw new Error(`${d.fpnn}: the handler's answer does not match the contract: ${checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return answer;
  };
}
