import { DEFAULT_TIMEOUT_MS, FpnnClient, FpnnErrorCode, type FpnnClientEvents, type FpnnClientOptions } from "@rtmkit/fpnn";
import type { AnyMethod, CallOptions, Int64, ResultOf } from "@rtmkit/protocol";
import { RTMError } from "./errors.js";
import { GateConnections } from "./gate-connections.js";
import { RtmMethods } from "./generated/client.js";
import { RtmErrorCode } from "./generated/error-codes.js";
import type { HistoryMessage } from "./generated/types.js";
import { Invoker } from "./invoke.js";
import { iterateHistory, type IterateOptions } from "./iterate.js";

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

  constructor(options: RTMServerClientOptions | RTMServerClientOnFpnnOptions) {
    super();
    const { pid, secret, validate, fileGateIdleSeconds, fileGateMaxEndpoints } = options ?? ({} as RTMCredentials);
    if (!Number.isInteger(pid) || pid <= 0 || pid > int32Max) throw configError("pid", "expected a positive int32", pid);
    if (typeof secret !== "string" || secret.length === 0) throw configError("secret", "expected a non-empty string", secret);
    const idleSeconds = fileGateIdleSeconds ?? DEFAULT_FILE_GATE_IDLE_SECONDS;
    if (typeof idleSeconds !== "number" || !(idleSeconds > 0) || !Number.isFinite(idleSeconds)) throw configError("fileGateIdleSeconds", "expected a positive number", idleSeconds);
    const maxEndpoints = fileGateMaxEndpoints ?? DEFAULT_FILE_GATE_MAX_ENDPOINTS;
    if (!Number.isInteger(maxEndpoints) || maxEndpoints < 1) throw configError("fileGateMaxEndpoints", "expected a positive integer", maxEndpoints);
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
  }

  /** Connects now; calls also connect on demand. */
  connect(): Promise<void> {
    return this.fpnn.connect();
  }

  /** Closes the connection and every file-gate connection; pending calls reject with 20002. */
  async close(): Promise<void> {
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
    return this.#invoker.invoke(method, args, options);
  }

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
  const { pid: _pid, secret: _secret, validate: _validate, fileGateIdleSeconds: _idle, fileGateMaxEndpoints: _max, ...connection } = options;
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

const credentialKeys: ReadonlySet<string> = new Set(["fpnn", "pid", "secret", "validate", "fileGateIdleSeconds", "fileGateMaxEndpoints"]);

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
