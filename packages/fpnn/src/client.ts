import { EventEmitter } from "node:events";
import type { ByteStream } from "./byte-stream.js";
import { methodBytesOf, signalArgumentError, timeoutMsOf, type QuestOptions } from "./arguments.js";
import { Connection, showsPeerIsNotFpnn, type KeepAliveOptions, type QuestHandler } from "./connection.js";
import { resolveConnectionLimits, type ConnectionLimits } from "./connection-limits.js";
import { dialTcp, dialWithin, type Dial } from "./dial.js";
import { ClientEncryption, type ClientEncryptionOptions } from "./encryption/client.js";
import { exchangeKeys } from "./encryption/handshake.js";
import { FpnnError } from "./errors.js";
import { DEFAULT_MAX_FRAME_SIZE } from "./frame.js";
import { FpnnErrorCode } from "./generated/error-codes.js";
import type { FpnnHooks } from "./hooks.js";
import { chain, interceptorsOf, type ClientInterceptor, type QuestCall } from "./interceptors.js";
import { packPayload, type Payload } from "./msgpack/index.js";
import { abortQuest, cancelledError, newPendingQuest, QuestTable, settleReject, timeoutError, type PendingQuest } from "./quest-table.js";
import { RegressiveReconnect, type RegressiveStrategy } from "./reconnect.js";

export interface FpnnClientOptions {
  /** "host:port" ("[::1]:port" for IPv6). */
  endpoint: string;
  /** Default quest timeout in seconds (30). */
  timeout?: number;
  /**
   * Seconds to wait for the connection (the dial), and for the key exchange when encrypted (5). Until the client has
   * connected once, an attempt that fails (refused, unresolvable host, no answer) rejects the waiting quests with
   * 20012 at once; so does a first connection whose peer sends no frame within this time of the first quest, or
   * bytes that are no frame (not an FPNN server). After that, auto-reconnect rides out drops and queued quests wait
   * until their own timeout.
   */
  connectTimeout?: number;
  /** Reconnect with the regressive strategy after the connection drops (true). */
  autoReconnect?: boolean;
  regressiveStrategy?: Partial<RegressiveStrategy>;
  /** `*ping` after `idleMs` without traffic (20 s); a ping unanswered for `timeoutMs` (10 s) drops the connection. */
  keepAlive?: boolean | Partial<KeepAliveOptions>;
  /** Largest frame sent or accepted, in bytes (8 MiB). */
  maxFrameSize?: number;
  /** Output waiting, frame deadline and payload shape of the connection (see ConnectionLimits; no idle timeout by default). */
  limits?: Partial<ConnectionLimits>;
  hooks?: FpnnHooks;
  /**
   * Opens the byte stream of each connection attempt (default: TCP to `endpoint`). Takes the endpoint's host
   * and port and an AbortSignal (connect timeout, close()); e.g. a unix-domain socket, TLS, or a wrapper.
   */
  dial?: Dial;
  /** Wrap every two-way quest() (first = outermost). Not one-way quests, nor the connection's own `*ping`s. */
  interceptors?: readonly ClientInterceptor[];
  /**
   * Encrypt the connection (ECDH key exchange + AES-CFB) with the server's public key. Every
   * (re)connection starts with a fresh `*key` exchange; quests wait for it and never go out in clear.
   */
  encryption?: ClientEncryptionOptions;
  /**
   * Runs on every new connection (after the key exchange, when encrypted) before any queued quest is
   * sent. It may use connection.quest() and connection.setCipher(); client quests wait until it
   * resolves. A throw drops the connection and fails the attempt.
   */
  beforeReady?: ReadyStep;
}

/** A set-up step of a new connection (beforeReady, addReadyStep). */
export type ReadyStep = (connection: Connection) => void | Promise<void>;

export interface FpnnClientEvents {
  connect: [event: { endpoint: string; reconnected: boolean }];
  /** A ready connection closed; `error` is the reason pending quests were rejected with (20002 after close()). */
  close: [error: FpnnError];
  /** Only emitted when somebody listens. */
  error: [error: Error];
  /** A reconnect is scheduled. */
  reconnect: [event: { attempt: number; delayMs: number }];
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_KEEP_ALIVE: KeepAliveOptions = { idleMs: 20_000, timeoutMs: 10_000 };
const MAX_QUEUED_ONEWAYS = 10_000;

interface QueuedOneway {
  readonly method: string;
  readonly methodBytes: Buffer;
  readonly payloadBytes: Buffer;
}

const noop = (): void => {};

/** Attempts that failed in the key exchange: the waiting quests are rejected with the reason, not kept for a retry. */
const handshakeFailures = new WeakSet<FpnnError>();

/** FPNN client: one pipelined connection (TCP unless `dial` says otherwise), connected lazily, reconnected on loss. */
export class FpnnClient extends EventEmitter<FpnnClientEvents> {
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** The quest timeout of a quest without its own, ms (options.timeout). */
  readonly defaultTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly autoReconnect: boolean;
  private readonly keepAlive: KeepAliveOptions | undefined;
  private readonly maxFrameSize: number;
  private readonly limits: Readonly<ConnectionLimits>;
  private readonly hooks: FpnnHooks | undefined;
  private readonly beforeReady: FpnnClientOptions["beforeReady"];
  private readonly readySteps: ReadyStep[] = [];
  private readonly encryption: ClientEncryption | undefined;
  private readonly policy: RegressiveReconnect;
  private readonly handlers = new Map<string, QuestHandler>();
  private readonly queue = new QuestTable((quest) => settleReject(quest, timeoutError(quest)));
  private queuedOneways: QueuedOneway[] = [];
  private nextQueueId = 1;
  private active: Connection | undefined;
  private ready = false;
  private connecting: Promise<void> | undefined;
  private readonly dial: Dial;
  /** quest() through the interceptors; undefined without any, so quest() takes the direct path. */
  private readonly intercepted: QuestCall | undefined;
  /** Aborts the attempt being dialled (close()). */
  private dialing: AbortController | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closedByUser = false;
  private everConnected = false;
  /** The connection of the first contact, until it closes. */
  private firstContact: Connection | undefined;

  constructor(options: FpnnClientOptions) {
    super();
    if (typeof options !== "object" || options === null) throw new TypeError("options: required");
    const { host, port } = parseEndpoint(options.endpoint);
    this.endpoint = options.endpoint;
    this.host = host;
    this.port = port;
    this.defaultTimeoutMs = timeoutMsOf(options.timeout, DEFAULT_TIMEOUT_MS, "options.timeout");
    this.connectTimeoutMs = timeoutMsOf(options.connectTimeout, DEFAULT_CONNECT_TIMEOUT_MS, "options.connectTimeout");
    this.autoReconnect = options.autoReconnect ?? true;
    this.keepAlive = keepAliveOf(options.keepAlive, true);
    this.maxFrameSize = maxFrameSizeOf(options.maxFrameSize);
    this.limits = resolveConnectionLimits(options.limits, "client");
    this.hooks = options.hooks;
    this.beforeReady = options.beforeReady;
    this.policy = new RegressiveReconnect(options.regressiveStrategy);
    this.encryption = options.encryption === undefined ? undefined : new ClientEncryption(options.encryption, "options.encryption");
    if (options.dial !== undefined && typeof options.dial !== "function") throw new TypeError("options.dial: expected a function");
    this.dial = options.dial ?? dialTcp;
    const interceptors = interceptorsOf(options.interceptors);
    this.intercepted = interceptors === undefined ? undefined : chain(interceptors, this.questDirect);
  }

  /** The current connection, if one is open and ready. */
  get connection(): Connection | undefined {
    return this.ready ? this.active : undefined;
  }

  get isConnected(): boolean {
    return this.ready && this.active !== undefined && this.active.isOpen;
  }

  /** Connects now (quest() also connects on demand). Rejects with FpnnError 20012 when the endpoint cannot be reached. */
  connect(): Promise<void> {
    this.closedByUser = false;
    if (this.isConnected) return Promise.resolve();
    if (this.connecting !== undefined) return this.connecting;
    this.cancelReconnect();
    return this.startConnect();
  }

  /** Sends a two-way quest; resolves with the answer map, rejects with FpnnError. */
  quest(method: string, payload: Payload, options?: QuestOptions): Promise<Payload> {
    if (this.intercepted !== undefined) return this.questIntercepted(this.intercepted, method, payload, options);
    const connection = this.active;
    if (this.ready && connection !== undefined && connection.isOpen) return connection.quest(method, payload, options);
    return this.enqueue(method, payload, options);
  }

  /** The innermost step of the interceptors: quest() as without them. */
  private readonly questDirect: QuestCall = (method, payload, options) => {
    const connection = this.active;
    if (this.ready && connection !== undefined && connection.isOpen) return connection.quest(method, payload, options);
    return this.enqueue(method, payload, options);
  };

  /** An interceptor that throws rejects the quest; one that returns a plain value resolves it. */
  private questIntercepted(intercepted: QuestCall, method: string, payload: Payload, options: QuestOptions | undefined): Promise<Payload> {
    try {
      return Promise.resolve(intercepted(method, payload, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends a one-way quest. Bad arguments throw; delivery problems are reported as 'error' events. */
  oneway(method: string, payload: Payload): void {
    const connection = this.active;
    if (this.ready && connection !== undefined && connection.isOpen) {
      connection.oneway(method, payload);
      return;
    }
    const methodBytes = methodBytesOf(method);
    const payloadBytes = packPayload(payload);
    this.checkFrameSize(method, 12 + methodBytes.length + payloadBytes.length);
    if (this.closedByUser) throw new FpnnError(FpnnErrorCode.CoreConnectionClosed, "client is closed", { method });
    if (this.queuedOneways.length >= MAX_QUEUED_ONEWAYS) {
      throw new FpnnError(FpnnErrorCode.CoreWorkQueueFull, `more than ${MAX_QUEUED_ONEWAYS} one-way quests wait for a connection`, { method });
    }
    this.queuedOneways.push({ method, methodBytes, payloadBytes });
    this.ensureConnecting();
  }

  /** Handles quests the server sends on this client's connection; the return value is the answer. */
  onQuest(method: string, handler: QuestHandler): void {
    methodBytesOf(method);
    if (typeof handler !== "function") throw new TypeError("handler: must be a function");
    this.handlers.set(method, handler);
  }

  /**
   * Adds a step that runs on every new connection, after options.beforeReady and before any queued quest is sent
   * (restoring per-connection state after a reconnect). It fails the attempt as beforeReady does. Returns its removal.
   */
  addReadyStep(step: ReadyStep): () => void {
    if (typeof step !== "function") throw new TypeError("step: must be a function");
    this.readySteps.push(step);
    return () => {
      const at = this.readySteps.indexOf(step);
      if (at >= 0) this.readySteps.splice(at, 1);
    };
  }

  /** Rejects every pending and queued quest with 20002 and closes the connection. */
  async close(): Promise<void> {
    this.closedByUser = true;
    this.cancelReconnect();
    const closed = new FpnnError(FpnnErrorCode.CoreConnectionClosed, "client closed");
    this.failQueue(closed);
    this.dialing?.abort();
    const connection = this.active;
    if (connection !== undefined) await connection.close();
    await this.connecting?.catch(noop);
  }

  private enqueue(method: string, payload: Payload, options: QuestOptions | undefined): Promise<Payload> {
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(signalArgumentError(signal));
    if (signal?.aborted) return Promise.reject(cancelledError(method, signal));
    let methodBytes: Buffer;
    let payloadBytes: Buffer;
    let timeoutMs: number;
    try {
      methodBytes = methodBytesOf(method);
      timeoutMs = timeoutMsOf(options?.timeout, this.defaultTimeoutMs);
      payloadBytes = packPayload(payload);
      this.checkFrameSize(method, 16 + methodBytes.length + payloadBytes.length);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closedByUser) return Promise.reject(new FpnnError(FpnnErrorCode.CoreConnectionClosed, "client is closed", { method }));
    const quest = newPendingQuest(method, timeoutMs, signal, abortQuest);
    quest.seq = this.nextQueueId++;
    quest.methodBytes = methodBytes;
    quest.payloadBytes = payloadBytes;
    this.queue.add(quest);
    this.ensureConnecting();
    return quest.promise;
  }

  private checkFrameSize(method: string, size: number): void {
    if (size > this.maxFrameSize) {
      throw new FpnnError(FpnnErrorCode.CoreEncoding, `quest ${method}: frame of ${size} bytes exceeds maxFrameSize ${this.maxFrameSize}; nothing was sent`, { method });
    }
  }

  private ensureConnecting(): void {
    if (this.connecting !== undefined || this.reconnectTimer !== undefined || this.isConnected) return;
    this.startConnect().catch(noop);
  }

  private startConnect(): Promise<void> {
    const attempt = this.open().then(
      () => {
        this.connecting = undefined;
      },
      (error: FpnnError) => {
        this.connecting = undefined;
        this.onAttemptFailed(error);
        throw error;
      },
    );
    this.connecting = attempt;
    attempt.catch(noop);
    return attempt;
  }

  private async open(): Promise<void> {
    const socket = await this.openStream();
    if (this.closedByUser) {
      socket.destroy();
      throw new FpnnError(FpnnErrorCode.CoreConnectionClosed, "client closed while connecting");
    }
    const connection: Connection = new Connection(socket, {
      maxFrameSize: this.maxFrameSize,
      defaultTimeoutMs: this.defaultTimeoutMs,
      handlers: this.handlers,
      keepAlive: this.keepAlive,
      hooks: this.hooks,
      limits: this.limits,
      pauseReading: false,
      inputBudget: undefined,
      onClose: (error) => this.onConnectionClose(connection, error),
      onError: this.emitError,
      // The key exchange already proves an encrypted peer speaks FPNN, within connectTimeout.
      firstFrameWithinMs: this.everConnected || this.encryption !== undefined ? undefined : this.connectTimeoutMs,
    });
    this.active = connection;
    if (!this.everConnected) this.firstContact = connection;
    if (this.encryption !== undefined) {
      try {
        await exchangeKeys(connection, this.encryption, this.maxFrameSize, Math.min(this.connectTimeoutMs, this.defaultTimeoutMs));
      } catch (error) {
        const reason = error as FpnnError;
        handshakeFailures.add(reason);
        connection.destroy(reason);
        throw reason;
      }
    }
    const steps = this.beforeReady === undefined ? [...this.readySteps] : [this.beforeReady, ...this.readySteps];
    for (const step of steps) {
      try {
        await step(connection);
      } catch (error) {
        const reason = FpnnError.is(error) ? error : new FpnnError(FpnnErrorCode.CoreInvalidConnection, `connection set-up failed: ${(error as Error).message}`, { cause: error });
        connection.destroy(reason);
        throw reason;
      }
    }
    if (!connection.isOpen) throw await connection.closed;
    if (this.closedByUser) {
      await connection.close();
      throw new FpnnError(FpnnErrorCode.CoreConnectionClosed, "client closed while connecting");
    }
    this.ready = true;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.sendQueued(connection);
    this.emit("connect", { endpoint: this.endpoint, reconnected });
  }

  private async openStream(): Promise<ByteStream> {
    const controller = new AbortController();
    this.dialing = controller;
    try {
      return await dialWithin(this.dial, { endpoint: this.endpoint, host: this.host, port: this.port }, this.connectTimeoutMs, controller);
    } finally {
      if (this.dialing === controller) this.dialing = undefined;
    }
  }

  private sendQueued(connection: Connection): void {
    for (const quest of this.queue.takeAll()) {
      const methodBytes = quest.methodBytes!;
      const payloadBytes = quest.payloadBytes!;
      quest.methodBytes = quest.payloadBytes = undefined;
      if (quest.deadline <= performance.now()) settleReject(quest, timeoutError(quest));
      else connection.sendQuest(quest, methodBytes, payloadBytes);
    }
    const oneways = this.queuedOneways;
    this.queuedOneways = [];
    for (const { method, methodBytes, payloadBytes } of oneways) {
      try {
        connection.sendOneway(method, methodBytes, payloadBytes);
      } catch (error) {
        this.emitError(error as Error);
      }
    }
  }

  private onConnectionClose(connection: Connection, error: FpnnError): void {
    if (this.active !== connection) return;
    const wasReady = this.ready;
    this.active = undefined;
    this.ready = false;
    if (!wasReady) return; // still connecting: open() reports the failure
    this.emit("close", error);
    if (this.firstContact === connection) {
      this.firstContact = undefined;
      // The endpoint is most likely not an FPNN server: count it as never connected, so the next quest tries
      // afresh (and fails fast again) instead of waiting on a reconnect loop.
      if (showsPeerIsNotFpnn(error)) {
        this.everConnected = false;
        return;
      }
    }
    if (this.closedByUser || !this.autoReconnect) return;
    this.scheduleReconnect(this.policy.afterClose(performance.now() - connection.openedAt));
  }

  private onAttemptFailed(error: FpnnError): void {
    this.emitError(error);
    // Never connected yet: most likely a wrong endpoint or a server that is not up, so the waiting quests get the
    // reason (20012, the OS error as cause) now rather than a timeout much later; the next quest tries again.
    // Once connected, a failure is a drop being ridden out: quests wait for a reconnect until their own timeout.
    const retry = !this.closedByUser && this.autoReconnect && this.everConnected;
    // A failed key exchange will most likely fail again: waiting quests get the reason now, not a timeout later.
    if (!retry || handshakeFailures.has(error)) this.failQueue(error);
    if (retry) this.scheduleReconnect(this.policy.afterFailure());
  }

  private scheduleReconnect(delayMs: number): void {
    this.emit("reconnect", { attempt: this.policy.failureCount, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closedByUser && !this.isConnected && this.connecting === undefined) this.startConnect().catch(noop);
    }, delayMs);
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer !== undefined) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
  }

  private failQueue(error: FpnnError): void {
    for (const quest of this.queue.takeAll()) settleReject(quest, error.withMethod(quest.method));
    const dropped = this.queuedOneways.length;
    this.queuedOneways = [];
    if (dropped > 0) this.emitError(new FpnnError(error.code, `${dropped} one-way quest(s) dropped: ${error.message}`));
  }

  private readonly emitError = (error: Error): void => {
    if (this.listenerCount("error") > 0) this.emit("error", error);
  };
}

export function parseEndpoint(endpoint: unknown): { host: string; port: number } {
  const match = typeof endpoint === "string" ? /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(endpoint) : null;
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port < 1 || port > 65535) {
    throw new TypeError(`options.endpoint: expected "host:port", got ${JSON.stringify(endpoint)}`);
  }
  return { host: (match[1] ?? match[2])!, port };
}

export function keepAliveOf(option: boolean | Partial<KeepAliveOptions> | undefined, defaultOn: boolean): KeepAliveOptions | undefined {
  if (option === undefined ? !defaultOn : option === false) return undefined;
  const merged = { ...DEFAULT_KEEP_ALIVE, ...(typeof option === "object" ? option : {}) };
  for (const key of ["idleMs", "timeoutMs"] as const) {
    if (typeof merged[key] !== "number" || !(merged[key] > 0)) throw new TypeError(`options.keepAlive.${key}: must be a positive number of milliseconds`);
  }
  return merged;
}

export function maxFrameSizeOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FRAME_SIZE;
  if (!Number.isInteger(value) || value < 17 || value > 0xffff_ffff) throw new TypeError(`options.maxFrameSize: must be an integer number of bytes above 16, got ${String(value)}`);
  return value;
}

