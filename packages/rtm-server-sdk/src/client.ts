import { FpnnClient, type FpnnClientEvents, type FpnnClientOptions } from "@rtmkit/fpnn";
import type { AnyMethod, CallOptions, Int64, ResultOf } from "@rtmkit/protocol";
import { RTMError } from "./errors.js";
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

/** An RTMServerClient on an FpnnClient built elsewhere (its own dial, interceptors, beforeReady...): close() closes it. */
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

/**
 * The RTM server client: one FPNN connection (opened on first use, reconnected on loss), every RTM
 * method of the IDL as a flat Promise-based method, and history iterators.
 */
export class RTMServerClient extends RtmMethods {
  /** The underlying FPNN connection (events: connect, close, reconnect, error). */
  readonly fpnn: FpnnClient;
  readonly #invoker: Invoker;

  constructor(options: RTMServerClientOptions | RTMServerClientOnFpnnOptions) {
    super();
    const { pid, secret, validate } = options ?? ({} as RTMCredentials);
    if (!Number.isInteger(pid) || pid <= 0 || pid > int32Max) throw configError("pid", "expected a positive int32", pid);
    if (typeof secret !== "string" || secret.length === 0) throw configError("secret", "expected a non-empty string", secret);
    this.fpnn = "fpnn" in options && options.fpnn !== undefined ? existingFpnn(options) : newFpnn(options as RTMServerClientOptions);
    this.#invoker = new Invoker(this.fpnn, { pid, secret, validate: validate ?? true });
  }

  /** Connects now; calls also connect on demand. */
  connect(): Promise<void> {
    return this.fpnn.connect();
  }

  /** Closes the connection; pending calls reject with 20002. */
  close(): Promise<void> {
    return this.fpnn.close();
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
  const { pid: _pid, secret: _secret, validate: _validate, ...connection } = options;
  if (typeof connection.endpoint !== "string") throw configError("endpoint", 'expected "host:port"', connection.endpoint);
  return new FpnnClient(connection);
}

function existingFpnn(options: RTMServerClientOnFpnnOptions): FpnnClient {
  const { fpnn } = options;
  if (typeof fpnn !== "object" || fpnn === null || typeof fpnn.quest !== "function" || typeof fpnn.close !== "function") {
    throw configError("fpnn", "expected an FpnnClient", fpnn);
  }
  const clash = Object.keys(options).find((key) => key !== "fpnn" && key !== "pid" && key !== "secret" && key !== "validate" && (options as unknown as Record<string, unknown>)[key] !== undefined);
  if (clash !== undefined) throw configError(clash, "not taken with options.fpnn (give it to that FpnnClient)", (options as unknown as Record<string, unknown>)[clash]);
  return fpnn;
}

function configError(field: string, expected: string, got: unknown): RTMError {
  return new RTMError(RtmErrorCode.InvalidParameter, `RTMServerClient: options.${field}: ${expected}, got ${typeof got === "string" ? JSON.stringify(got) : String(got)}`);
}
