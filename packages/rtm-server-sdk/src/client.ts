import { DEFAULT_TIMEOUT_MS, FpnnClient, FpnnErrorCode, type Connection, type FpnnClientEvents, type FpnnClientOptions } from "@rtmkit/fpnn";
import type { AnyMethod, CallOptions, Int64, ResultOf } from "@rtmkit/protocol";
import { RTMError } from "./errors.js";
import { GateConnections } from "./gate-connections.js";
import { RtmMethods } from "./generated/client.js";
import { RtmErrorCode } from "./generated/error-codes.js";
import type { HistoryMessage } from "./generated/types.js";
import { Invoker } from "./invoke.js";
import { iterateHistory, type IterateOptions } from "./iterate.js";
import { listenEndpoints } from "./generated/listen.js";
import { PushDispatcher, type PushDedupeOptions } from "./push/dispatcher.js";
import { ListenState } from "./push/listen-state.js";
import type { PushStream, PushStreamOptions } from "./push/push-stream.js";
import type { PushEventName, PushHandler, PushHandlers } from "./push/types.js";

/** What every RTMServerClient needs, however its connection is made. */
export interface RTMCredentials {
  /** Project id. */
  pid: number;
  /** Project secret (signs every quest). */
  secret: string;
  /** Validate arguments before sending (default true). */
  validate?: boolean;
  /** A file-gate connection no file send has used for this long is closed, seconds (150, as RTM's SDKs). */
  fileGateIdleSeconds?: number;
  /** Most file-gate endpoints kept connected; beyond it the least recently used idle connection is closed (16). */
  fileGateMaxEndpoints?: number;
  /**
   * Drop a pushed message that repeats one seen recently (same conversation, from, target and mid): the keys of
   * the last `capacity` messages (5,000) within `ttlSeconds` (300) are kept. `false`: every push reaches the handlers.
   */
  pushDedupe?: PushDedupeOptions | false;
}

/** The FpnnClient options an RTMServerClient forwards as they are. */
export type RTMConnectionOptions = Pick<
  FpnnClientOptions,
  "timeout" | "autoReconnect" | "regressiveStrategy" | "keepAlive" | "connectTimeout" | "maxFrameSize" | "limits" | "encryption" | "hooks" | "dial" | "interceptors"
>;

export interface RTMServerClientOptions extends RTMCredentials, RTMConnectionOptions {
  /** RTM server gateway, "host:port" (with `dial`: the name the dial gets). */
  endpoint: string;
  /** Default quest timeout, seconds (30). */
  timeout?: number;
  /** Seconds to wait for a connection (5). A first call whose connection cannot be made rejects with 20012 at once. */
  connectTimeout?: number;
}

/**
 * An RTMServerClient on an FpnnClient built elsewhere (its own dial, interceptors, beforeReady...): close() closes it.
 * The client handles RTM's pushes on it (onQuest for each push method) and adds a ready step that restores listen state.
 * Its file-gate connections are plain TCP FpnnClients with the default options.
 */
export interface RTMServerClientOnFpnnOptions extends RTMCredentials {
  fpnn: FpnnClient;
}

/** Options of iterateGroupChat, iterateRoomChat and iterateBroadcastChat: `uid` is the calling user. */
export interface UserIterateOptions extends IterateOptions {
  uid: Int64;
}

/** The connection's events, as RTMServerClient.on() takes them (see FpnnClientEvents). */
export type RTMClientEvents = FpnnClientEvents;

type Listener<E extends keyof RTMClientEvents> = (...args: RTMClientEvents[E]) => void;

const int32Max = 2 ** 31 - 1;
/** RTM's SDKs drop a file-gate connection after 150 s without use (fileGateClientHoldingSeconds). */
export const DEFAULT_FILE_GATE_IDLE_SECONDS = 150;
export const DEFAULT_FILE_GATE_MAX_ENDPOINTS = 16;

/**
 * The RTM server client: one FPNN connection (opened on first use, reconnected on loss), every RTM
 * method of the IDL as a flat Promise-based method, and history iterators.
 */
export class RTMServerClient extends RtmMethods {
  /** The underlying FPNN connection (events: connect, close, reconnect, error). */
  readonly fpnn: FpnnClient;
  readonly #invoker: Invoker;
  readonly #fileGates: GateConnections;
  readonly #credentials: { readonly pid: number; readonly secret: string };
  readonly #pushes: PushDispatcher;
  readonly #listening = new ListenState();

  constructor(options: RTMServerClientOptions | RTMServerClientOnFpnnOptions) {
    super();
    const { pid, secret, validate, fileGateIdleSeconds, fileGateMaxEndpoints, pushDedupe } = options ?? ({} as RTMCredentials);
    if (!Number.isInteger(pid) || pid <= 0 || pid > int32Max) throw configError("pid", "expected a positive int32", pid);
    if (typeof secret !== "string" || secret.length === 0) throw configError("secret", "expected a non-empty string", secret);
    const idleSeconds = fileGateIdleSeconds ?? DEFAULT_FILE_GATE_IDLE_SECONDS;
    if (typeof idleSeconds !== "number" || !(idleSeconds > 0) || !Number.isFinite(idleSeconds)) throw configError("fileGateIdleSeconds", "expected a positive number", idleSeconds);
    const maxEndpoints = fileGateMaxEndpoints ?? DEFAULT_FILE_GATE_MAX_ENDPOINTS;
    if (!Number.isInteger(maxEndpoints) || maxEndpoints < 1) throw configError("fileGateMaxEndpoints", "expected a positive integer", maxEndpoints);
    const dedupe = pushDedupe ?? {};
    if (dedupe !== false) checkDedupe(dedupe);
    const onFpnn = "fpnn" in options && options.fpnn !== undefined;
    this.fpnn = onFpnn ? existingFpnn(options) : newFpnn(options as RTMServerClientOptions);
    const gateOptions = onFpnn ? {} : gateClientOptions(options as RTMServerClientOptions);
    this.#fileGates = new GateConnections({ idleMs: idleSeconds * 1000, maxEndpoints, create: (endpoint) => newGateClient(endpoint, gateOptions) });
    const fpnn = this.fpnn;
    this.#invoker = new Invoker(this.fpnn, {
      pid,
      secret,
      validate: validate ?? true,
      fileGate: { connections: this.#fileGates, defaultTimeoutMs: () => fpnn.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS },
    });
    this.#credentials = { pid, secret };
    this.#pushes = new PushDispatcher(fpnn, dedupe, this.#reportError);
    fpnn.addReadyStep(this.#restoreListening);
  }

  /** Connects now; calls also connect on demand. */
  connect(): Promise<void> {
    return this.fpnn.connect();
  }

  /** Closes the connection and every file-gate connection; pending calls reject with 20002, push iterators end. */
  async close(): Promise<void> {
    this.#pushes.endStreams();
    await Promise.all([this.fpnn.close(), this.#fileGates.close()]);
  }

  /**
   * Listens to the connection: `connect`, `close` (with the reason), `reconnect` (scheduled) and `error` (failed
   * attempts, dropped one-way quests). Without an `error` listener those are not reported, never thrown.
   */
  on<E extends keyof RTMClientEvents>(event: E, listener: Listener<E>): this {
    this.fpnn.on(event, listener as never);
    return this;
  }

  once<E extends keyof RTMClientEvents>(event: E, listener: Listener<E>): this {
    this.fpnn.once(event, listener as never);
    return this;
  }

  off<E extends keyof RTMClientEvents>(event: E, listener: Listener<E>): this {
    this.fpnn.off(event, listener as never);
    return this;
  }

  protected override invoke<D extends AnyMethod>(method: D, args: readonly unknown[], options: CallOptions | undefined): Promise<ResultOf<D>> {
    const called = this.#invoker.invoke(method, args, options);
    if (!ListenState.changedBy(method)) return called;
    return called.then((result) => {
      this.#listening.apply(method, args);
      return result;
    });
  }

  /**
   * Handles the server's pushes: an object of handlers by event (`{ groupChat(message) {}, event(e) {} }`), or
   * one event and its handler. Pushes arrive for what this client listens to (addListen, setListen...), which it
   * sends again by itself after every reconnect. Each push is answered at once; handlers run after, in arrival
   * order, and one that throws or rejects is reported as an `error` event. Returns the removal of the handlers.
   */
  onPush(handlers: PushHandlers): () => void;
  onPush<K extends PushEventName>(event: K, handler: PushHandler<K>): () => void;
  onPush(first: PushHandlers | PushEventName, handler?: PushHandler<PushEventName>): () => void {
    return typeof first === "string" ? this.#pushes.on(first, handler as PushHandler<typeof first>) : this.#pushes.on(first);
  }

  /** The pushes as an async iterator, `for await (const push of client.pushes())`; `push.event` narrows `push.data`. */
  pushes(options?: PushStreamOptions): PushStream {
    return this.#pushes.stream(options);
  }

  /** Pushed messages dropped so far because they repeated one seen recently (see pushDedupe). */
  get duplicatePushes(): number {
    return this.#pushes.duplicates;
  }

  /** A new connection gets this client's listen state back (one setlisten) before anything else is sent on it. */
  readonly #restoreListening = async (connection: Connection): Promise<void> => {
    if (this.#listening.isEmpty) return;
    try {
      await new Invoker(connection, { ...this.#credentials, validate: false }).invoke(listenEndpoints.setlisten, this.#listening.restoreArgs(), undefined);
    } catch (error) {
      // Refused (the state the server took before, it now refuses): keep the connection, say why.
      if (error instanceof RTMError && !error.isFpnnCode) this.#reportError(new RTMError(error.code, `restoring listen state after reconnecting: ${error.message}`, { cause: error }));
      else throw error;
    }
  };

  readonly #reportError = (error: Error): void => {
    if (this.fpnn.listenerCount("error") > 0) this.fpnn.emit("error", error);
  };

  /** Every group chat message, page by page (getGroupChat). */
  iterateGroupChat(groupId: Int64, options: UserIterateOptions): AsyncGenerator<HistoryMessage, void, undefined> {
    return iterateHistory(
      (lastId, size) => this.getGroupChat(groupId, options.desc ?? true, size, options.beginMsec ?? 0, options.endMsec ?? 0, lastId, options.uid, options),
      options,
    );
  }

  /** Every room chat message, page by page (getRoomChat). */
  iterateRoomChat(roomId: Int64, options: UserIterateOptions): AsyncGenerator<HistoryMessage, void, undefined> {
    return iterateHistory(
      (lastId, size) => this.getRoomChat(roomId, options.desc ?? true, size, options.beginMsec ?? 0, options.endMsec ?? 0, lastId, options.uid, options),
      options,
    );
  }

  /** Every broadcast chat message, page by page (getBroadcastChat). */
  iterateBroadcastChat(options: UserIterateOptions): AsyncGenerator<HistoryMessage, void, undefined> {
    return iterateHistory(
      (lastId, size) => this.getBroadcastChat(options.desc ?? true, size, options.beginMsec ?? 0, options.endMsec ?? 0, lastId, options.uid, options),
      options,
    );
  }

  /** Every P2P chat message between two users, page by page (getP2PChat). */
  iterateP2PChat(userId: Int64, otherUserId: Int64, options?: IterateOptions): AsyncGenerator<HistoryMessage, void, undefined> {
    return iterateHistory(
      (lastId, size) => this.getP2PChat(userId, otherUserId, options?.desc ?? true, size, options?.beginMsec ?? 0, options?.endMsec ?? 0, lastId, options),
      options,
    );
  }
}

function newFpnn(options: RTMServerClientOptions): FpnnClient {
  const { pid: _pid, secret: _secret, validate: _validate, fileGateIdleSeconds: _idle, fileGateMaxEndpoints: _max, pushDedupe: _dedupe, ...connection } = options;
  if (typeof connection.endpoint !== "string") throw configError("endpoint", 'expected "host:port"', connection.endpoint);
  return new FpnnClient(connection);
}

function existingFpnn(options: RTMServerClientOnFpnnOptions): FpnnClient {
  const { fpnn } = options;
  if (typeof fpnn !== "object" || fpnn === null || typeof fpnn.quest !== "function" || typeof fpnn.close !== "function") {
    throw configError("fpnn", "expected an FpnnClient", fpnn);
  }
  const clash = Object.keys(options).find((key) => !credentialKeys.has(key) && (options as unknown as Record<string, unknown>)[key] !== undefined);
  if (clash !== undefined) throw configError(clash, "not taken with options.fpnn (give it to that FpnnClient)", (options as unknown as Record<string, unknown>)[clash]);
  return fpnn;
}

const credentialKeys: ReadonlySet<string> = new Set(["fpnn", "pid", "secret", "validate", "fileGateIdleSeconds", "fileGateMaxEndpoints", "pushDedupe"]);

function checkDedupe(dedupe: PushDedupeOptions): void {
  if (typeof dedupe !== "object" || dedupe === null) throw configError("pushDedupe", "expected { capacity?, ttlSeconds? } or false", dedupe);
  if (dedupe.capacity !== undefined && (!Number.isInteger(dedupe.capacity) || dedupe.capacity < 1)) throw configError("pushDedupe.capacity", "expected a positive integer", dedupe.capacity);
  if (dedupe.ttlSeconds !== undefined && (typeof dedupe.ttlSeconds !== "number" || !(dedupe.ttlSeconds > 0))) throw configError("pushDedupe.ttlSeconds", "expected a positive number", dedupe.ttlSeconds);
}

/** What file-gate connections take over from the gateway's options: how to connect and what frames may be; not its encryption (the gate is another server). */
type GateClientOptions = Pick<FpnnClientOptions, "connectTimeout" | "maxFrameSize" | "limits" | "hooks" | "dial" | "interceptors">;

function gateClientOptions(options: RTMServerClientOptions): GateClientOptions {
  const { connectTimeout, maxFrameSize, limits, hooks, dial, interceptors } = options;
  return { connectTimeout, maxFrameSize, limits, hooks, dial, interceptors };
}

/**
 * One file-gate connection: no keep-alive (it closes once idle anyway) and no automatic reconnect (a send
 * reconnects on demand; one that cannot connect fails with 20012 at once).
 */
function newGateClient(endpoint: string, options: GateClientOptions): FpnnClient {
  try {
    return new FpnnClient({ ...options, endpoint, keepAlive: false, autoReconnect: false });
  } catch (error) {
    throw new RTMError(FpnnErrorCode.CoreInvalidConnection, `file gate endpoint ${JSON.stringify(endpoint)} (from filetoken): ${(error as Error).message}`, { cause: error });
  }
}

function configError(field: string, expected: string, got: unknown): RTMError {
  return new RTMError(RtmErrorCode.InvalidParameter, `RTMServerClient: options.${field}: ${expected}, got ${typeof got === "string" ? JSON.stringify(got) : String(got)}`);
}
