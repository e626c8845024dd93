import type { Socket } from "node:net";
import { methodBytesOf, timeoutMsOf, type QuestOptions } from "./arguments.js";
import { FpnnError } from "./errors.js";
import type { FrameCipher } from "./frame-cipher.js";
import { FrameWriter } from "./frame-writer.js";
import { ERROR_STATUS, FrameDecoder, FrameFlag, FrameType, type Frame } from "./frame.js";
import { FpnnErrorCode } from "./generated/error-codes.js";
import type { AnswerEvent, Direction, FpnnHooks } from "./hooks.js";
import { EMPTY_MAP, packJsonPayload, packPayload, unpackJsonPayload, unpackPayloadRange, type Payload } from "./msgpack.js";
import { abortQuest, cancelledError, newPendingQuest, QuestTable, settleReject, settleResolve, timeoutError, type PendingQuest } from "./quest-table.js";

export interface QuestContext<C extends Connection = Connection> {
  readonly connection: C;
  readonly method: string;
  /** The frame as received: `frame.payload` has the raw bytes (e.g. a key a C++ peer sent as a non-UTF-8 str). */
  readonly frame: Frame;
}

export type QuestHandler<C extends Connection = Connection> = (
  payload: Payload,
  context: QuestContext<C>,
) => Payload | void | Promise<Payload | void>;

export interface KeepAliveOptions {
  /** Send a `*ping` after this long without receiving anything. */
  idleMs: number;
  /** A `*ping` unanswered for this long means the peer is dead: the connection is dropped. */
  timeoutMs: number;
}

export interface ConnectionOptions {
  maxFrameSize: number;
  defaultTimeoutMs: number;
  /** Handlers for the peer's quests (looked up per quest, so later registrations apply). */
  handlers: ReadonlyMap<string, QuestHandler<never>>;
  keepAlive: KeepAliveOptions | undefined;
  hooks: FpnnHooks | undefined;
  onClose: (error: FpnnError) => void;
  onError: (error: Error) => void;
}

export interface ConnectionStats {
  /** socket.write() calls. */
  writes: number;
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
}

/**
 * One FPNN connection over one socket, both directions: pipelined quests with their answers matched
 * by seq, the peer's quests dispatched to handlers, batched writes, keep-alive.
 */
export class Connection {
  readonly socket: Socket;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** performance.now() at creation. */
  readonly openedAt = performance.now();
  /** Settles once the socket is closed, with the reason pending quests were rejected with. */
  readonly closed: Promise<FpnnError>;

  private readonly options: ConnectionOptions;
  private readonly decoder: FrameDecoder;
  private readonly writer: FrameWriter;
  private readonly table: QuestTable;
  private readonly receiveStats = { framesReceived: 0, bytesReceived: 0 };
  private nextSeq = 1;
  private state: "open" | "closed" = "open";
  private closeReason: FpnnError | undefined;
  private socketError: Error | undefined;
  private resolveClosed!: (error: FpnnError) => void;
  private cipher: FrameCipher | undefined;
  private runningHandlers = 0;
  private idleWaiters: (() => void)[] = [];
  private refusal: FpnnError | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private lastReceivedAt = Date.now();
  private pingInFlight = false;

  constructor(socket: Socket, options: ConnectionOptions) {
    this.socket = socket;
    this.options = options;
    this.remoteAddress = socket.remoteAddress ?? "";
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.writer = new FrameWriter(socket, options.maxFrameSize);
    this.table = new QuestTable(this.onExpire);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.setNoDelay(true);
    socket.on("data", this.onData);
    socket.on("error", (error) => (this.socketError = error));
    socket.on("close", this.onSocketClose);
    if (options.keepAlive !== undefined) {
      this.keepAliveTimer = setInterval(this.checkAlive, Math.max(1, Math.floor(options.keepAlive.idleMs / 2)));
      this.keepAliveTimer.unref();
    }
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Quests sent and not yet answered. */
  get pendingCount(): number {
    return this.table.size;
  }

  get stats(): ConnectionStats {
    return { ...this.writer.stats, ...this.receiveStats };
  }

  /** Sends a two-way quest; resolves with the answer map, rejects with FpnnError. */
  quest(method: string, payload: Payload, options?: QuestOptions): Promise<Payload> {
    let methodBytes: Buffer;
    let timeoutMs: number;
    try {
      methodBytes = methodBytesOf(method);
      timeoutMs = options?.timeout === undefined ? this.options.defaultTimeoutMs : timeoutMsOf(options.timeout, this.options.defaultTimeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(cancelledError(method, signal));
    if (this.state !== "open") return Promise.reject(this.closedError(method));
    const seq = this.nextSeq;
    let size: number;
    try {
      size = this.writer.quest(methodBytes, seq, payload, false);
    } catch (error) {
      return Promise.reject(encodingFailure(error, method));
    }
    this.nextSeq = seq === 0xffff_ffff ? 1 : seq + 1;
    const quest = newPendingQuest(method, timeoutMs, signal, abortQuest);
    quest.seq = seq;
    this.table.add(quest);
    const hooks = this.options.hooks;
    if (hooks?.quest !== undefined) this.callHook(hooks.quest, { direction: "out", method, size, oneway: false });
    return quest.promise;
  }

  /** Sends a one-way quest (no answer). Throws FpnnError on a bad argument or a closed connection. */
  oneway(method: string, payload: Payload): void {
    const methodBytes = methodBytesOf(method);
    if (this.state !== "open") throw this.closedError(method);
    let size: number;
    try {
      size = this.writer.quest(methodBytes, 0, payload, true);
    } catch (error) {
      throw encodingFailure(error, method);
    }
    const hooks = this.options.hooks;
    if (hooks?.quest !== undefined) this.callHook(hooks.quest, { direction: "out", method, size, oneway: true });
  }

  /**
   * Sends a two-way quest whose msgpack payload is already encoded (bytes msgpackr cannot produce,
   * such as the `*key` public key as a raw str). The payload must be a msgpack map.
   */
  questEncoded(method: string, payload: Uint8Array, options?: QuestOptions): Promise<Payload> {
    let methodBytes: Buffer;
    let timeoutMs: number;
    try {
      methodBytes = methodBytesOf(method);
      timeoutMs = timeoutMsOf(options?.timeout, this.options.defaultTimeoutMs);
      const size = 16 + methodBytes.length + payload.length;
      if (size > this.options.maxFrameSize) throw new RangeError(`frame of ${size} bytes exceeds maxFrameSize ${this.options.maxFrameSize}`);
    } catch (error) {
      return Promise.reject(encodingFailure(error, method));
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(cancelledError(method, signal));
    const quest = newPendingQuest(method, timeoutMs, signal, abortQuest);
    this.sendQuest(quest, methodBytes, payload);
    return quest.promise;
  }

  /** @internal Sends a quest encoded earlier (the client's queue; the size limit is already checked). */
  sendQuest(quest: PendingQuest, methodBytes: Buffer, payload: Uint8Array): void {
    if (this.state !== "open") {
      settleReject(quest, this.closedError(quest.method));
      return;
    }
    const seq = this.nextSeq;
    this.nextSeq = seq === 0xffff_ffff ? 1 : seq + 1;
    quest.seq = seq;
    this.table.add(quest);
    this.writer.questBytes(methodBytes, seq, payload, false);
    const hooks = this.options.hooks;
    if (hooks?.quest !== undefined) this.callHook(hooks.quest, { direction: "out", method: quest.method, size: payload.length, oneway: false });
  }

  /** @internal */
  sendOneway(method: string, methodBytes: Buffer, payload: Buffer): void {
    if (this.state !== "open") throw this.closedError(method);
    this.writer.questBytes(methodBytes, 0, payload, true);
    const hooks = this.options.hooks;
    if (hooks?.quest !== undefined) this.callHook(hooks.quest, { direction: "out", method, size: payload.length, oneway: true });
  }

  /**
   * From now on outbound frames go through cipher.sealFrames() (a batch per flush) and inbound bytes through cipher.open().
   * Bytes already received but not yet decoded are decrypted too, so a server can switch right
   * after decoding a clear `*key` quest from the same chunk.
   */
  setCipher(cipher: FrameCipher): void {
    this.cipher = cipher;
    this.writer.setCipher(cipher);
    const rest = this.decoder.takeRemaining();
    if (rest.length > 0) this.decoder.push(cipher.open(rest));
  }

  /**
   * Answers every further quest from the peer with this error instead of running its handler
   * (a stopping server answers 20014).
   */
  refuseQuests(error: FpnnError): void {
    this.refusal = error;
  }

  /** Resolves once no handler of this connection is running. */
  whenHandlersDone(): Promise<void> {
    if (this.runningHandlers === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Rejects pending quests with 20002, sends what is already staged, closes the socket. */
  close(): Promise<void> {
    if (this.state === "open") {
      this.writer.flush();
      this.finish(new FpnnError(FpnnErrorCode.CoreConnectionClosed, "connection closed"));
      this.socket.end();
    }
    return this.closed.then(() => undefined);
  }

  /** Drops the connection at once (nothing staged is sent); pending quests are rejected with `error`'s code. */
  destroy(error: FpnnError = new FpnnError(FpnnErrorCode.CoreInvalidConnection, "connection destroyed")): void {
    if (this.state === "open") this.finish(error);
    this.socket.destroy();
  }

  private finish(reason: FpnnError): void {
    this.state = "closed";
    this.closeReason = reason;
    if (this.keepAliveTimer !== undefined) clearInterval(this.keepAliveTimer);
    this.writer.close();
    for (const quest of this.table.takeAll()) this.fail(quest, reason.withMethod(quest.method));
    this.options.onClose(reason);
  }

  private readonly onSocketClose = (hadError: boolean): void => {
    if (this.state === "open") {
      const cause = this.socketError;
      this.finish(
        hadError || cause !== undefined
          ? new FpnnError(FpnnErrorCode.CoreInvalidConnection, `connection broken: ${cause?.message ?? "socket error"}`, { cause })
          : new FpnnError(FpnnErrorCode.CoreConnectionClosed, "connection closed by peer"),
      );
    }
    this.resolveClosed(this.closeReason!);
  };

  private readonly onData = (chunk: Buffer): void => {
    this.receiveStats.bytesReceived += chunk.length;
    if (this.keepAliveTimer !== undefined) this.lastReceivedAt = Date.now();
    try {
      this.decoder.push(this.cipher === undefined ? chunk : this.cipher.open(chunk));
      for (let frame = this.decoder.next(); frame !== undefined; frame = this.decoder.next()) {
        this.receiveStats.framesReceived++;
        if (frame.type === FrameType.Answer) this.onAnswer(frame);
        else this.onQuest(frame);
        if (this.state !== "open") return;
      }
    } catch (error) {
      this.dropForViolation(new FpnnError(FpnnErrorCode.CoreInvalidConnection, `invalid data from peer: ${(error as Error).message}`, { cause: error }));
    }
  };

  /** The peer broke the protocol: answers already produced still go out, then the socket closes; nothing more is read. */
  dropForViolation(reason: FpnnError): void {
    if (this.state !== "open") return;
    this.socket.off("data", this.onData);
    this.writer.flush();
    this.finish(reason);
    this.socket.destroySoon();
  }

  private onAnswer(frame: Frame): void {
    const quest = this.table.take(frame.seq);
    if (quest === undefined) return; // late (timed out, cancelled) or unknown: dropped
    let answer: Payload;
    try {
      answer = frame.flag === FrameFlag.Json ? unpackJsonPayload(frame.payload) : unpackPayloadRange(frame.bytes, frame.payloadStart, frame.payloadEnd);
    } catch (error) {
      this.fail(quest, (error as FpnnError).withMethod(quest.method), frame.payloadEnd - frame.payloadStart);
      return;
    }
    if (frame.status === 0) {
      settleResolve(quest, answer);
      const hooks = this.options.hooks;
      if (hooks?.answer !== undefined) this.answerHook("out", quest.method, frame.payloadEnd - frame.payloadStart, quest.startedAt, undefined);
    } else {
      this.fail(quest, FpnnError.fromAnswer(answer, quest.method), frame.payloadEnd - frame.payloadStart);
    }
  }

  private onQuest(frame: Frame): void {
    const method = frame.method;
    let payload: Payload;
    try {
      payload = frame.flag === FrameFlag.Json ? unpackJsonPayload(frame.payload) : unpackPayloadRange(frame.bytes, frame.payloadStart, frame.payloadEnd);
    } catch (error) {
      this.dropForViolation(new FpnnError(FpnnErrorCode.CoreInvalidConnection, `invalid payload in quest ${method}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    const hooks = this.options.hooks;
    if (hooks?.quest !== undefined) this.callHook(hooks.quest, { direction: "in", method, size: frame.payloadEnd - frame.payloadStart, oneway: frame.type === FrameType.Oneway });
    const startedAt = hooks?.answer === undefined ? 0 : performance.now();
    if (this.refusal !== undefined) {
      this.answerError(frame, this.refusal, startedAt);
      return;
    }
    const handler = this.options.handlers.get(method) as QuestHandler | undefined;
    if (handler === undefined) {
      if (method === "*ping") this.answerResult(frame, { ts: Date.now() }, startedAt);
      else this.answerError(frame, new FpnnError(FpnnErrorCode.CoreUnknownMethod, `unknown method ${method}`, { method }), startedAt);
      return;
    }
    let result: Payload | void | Promise<Payload | void>;
    try {
      result = handler(payload, { connection: this, method, frame });
    } catch (error) {
      this.answerError(frame, error, startedAt);
      return;
    }
    if (isPromiseLike(result)) {
      this.runningHandlers++;
      result.then(
        (value) => {
          this.handlerDone();
          this.answerResult(frame, value, startedAt);
        },
        (error: unknown) => {
          this.handlerDone();
          this.answerError(frame, error, startedAt);
        },
      );
    } else {
      this.answerResult(frame, result, startedAt);
    }
  }

  private handlerDone(): void {
    if (--this.runningHandlers === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private answerResult(frame: Frame, value: Payload | void, startedAt: number): void {
    if (frame.type === FrameType.Oneway || this.state !== "open") return;
    if (value !== undefined && value !== null && (typeof value !== "object" || Array.isArray(value))) {
      this.answerError(frame, new FpnnError(FpnnErrorCode.CoreEncoding, `handler of ${frame.method} returned ${Array.isArray(value) ? "an array" : typeof value}, not a map`), startedAt);
      return;
    }
    let size: number;
    try {
      if (value == null) {
        this.writer.answerBytes(frame.seq, frame.flag, 0, EMPTY_MAP);
        size = 1;
      } else if (frame.flag === FrameFlag.Json) {
        const body = packJsonPayload(value);
        if (16 + body.length > this.options.maxFrameSize) throw new RangeError(`answer of ${16 + body.length} bytes exceeds maxFrameSize ${this.options.maxFrameSize}`);
        this.writer.answerBytes(frame.seq, frame.flag, 0, body);
        size = body.length;
      } else {
        size = this.writer.answer(frame.seq, value);
      }
    } catch (error) {
      this.answerError(frame, encodingFailure(error, frame.method), startedAt);
      return;
    }
    if (this.options.hooks?.answer !== undefined) this.answerHook("in", frame.method, size, startedAt, undefined);
  }

  private answerError(frame: Frame, thrown: unknown, startedAt: number): void {
    const error = FpnnError.is(thrown)
      ? thrown
      : new FpnnError(FpnnErrorCode.CoreUnknownError, thrown instanceof Error ? thrown.message : String(thrown), { method: frame.method, cause: thrown });
    if (!FpnnError.is(thrown)) this.options.onError(thrown instanceof Error ? thrown : error);
    if (frame.type === FrameType.Oneway || this.state !== "open") return;
    const body = frame.flag === FrameFlag.Json ? packJsonPayload(error.toPayload()) : packPayload(error.toPayload());
    this.writer.answerBytes(frame.seq, frame.flag, ERROR_STATUS, body);
    if (this.options.hooks?.answer !== undefined) this.answerHook("in", frame.method, body.length, startedAt, error);
  }

  private fail(quest: PendingQuest, error: FpnnError, size = 0): void {
    settleReject(quest, error);
    if (this.options.hooks?.answer !== undefined) this.answerHook("out", quest.method, size, quest.startedAt, error);
  }

  private readonly onExpire = (quest: PendingQuest): void => {
    this.fail(quest, timeoutError(quest));
  };

  private answerHook(direction: Direction, method: string, size: number, startedAt: number, error: FpnnError | undefined): void {
    const event: AnswerEvent = { direction, method, size, latencyMs: performance.now() - startedAt, error };
    this.callHook(this.options.hooks!.answer!, event);
  }

  private callHook<E>(hook: (event: E) => void, event: E): void {
    try {
      hook(event);
    } catch (error) {
      this.options.onError(error as Error);
    }
  }

  private readonly checkAlive = (): void => {
    const keepAlive = this.options.keepAlive!;
    if (this.pingInFlight || this.state !== "open" || Date.now() - this.lastReceivedAt < keepAlive.idleMs) return;
    this.pingInFlight = true;
    this.quest("*ping", {}, { timeout: keepAlive.timeoutMs / 1000 }).then(
      () => (this.pingInFlight = false),
      (error: FpnnError) => {
        this.pingInFlight = false;
        if (error.code === FpnnErrorCode.CoreTimeout && this.state === "open") {
          this.destroy(new FpnnError(FpnnErrorCode.CoreInvalidConnection, `peer did not answer *ping within ${keepAlive.timeoutMs} ms: connection dropped`));
        }
      },
    );
  };

  private closedError(method: string): FpnnError {
    const reason = this.closeReason;
    return reason === undefined ? new FpnnError(FpnnErrorCode.CoreConnectionClosed, "connection closed", { method }) : reason.withMethod(method);
  }
}

/** An encoding problem as the FpnnError the caller gets: bad payloads name the field, oversize frames say so. */
function encodingFailure(error: unknown, method: string): FpnnError {
  if (FpnnError.is(error)) return error.withMethod(method);
  return new FpnnError(FpnnErrorCode.CoreEncoding, `quest ${method}: ${(error as Error).message}; nothing was sent`, { method, cause: error });
}

function isPromiseLike(value: unknown): value is PromiseLike<Payload | void> {
  return typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

