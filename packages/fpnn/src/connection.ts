import { destroySoon, type ByteStream } from "./byte-stream.js";
import { methodBytesOf, signalArgumentError, timeoutMsOf, type QuestOptions } from "./arguments.js";
import type { ConnectionLimits, InputBudget } from "./connection-limits.js";
import { FpnnError } from "./errors.js";
import type { FrameCipher } from "./frame-cipher.js";
import { FrameWriter } from "./frame-writer.js";
import { ERROR_STATUS, FrameDecoder, FrameFlag, FrameType, type Frame } from "./frame.js";
import { FpnnErrorCode } from "./generated/error-codes.js";
import { checkJsonShape } from "./msgpack/json-shape.js";
import { exceedsPayloadLimits, type PayloadShapeLimits } from "./msgpack/shape.js";
import type { AnswerEvent, Direction, FpnnHooks } from "./hooks.js";
import { EMPTY_MAP, packJsonPayload, packPayload, unpackJsonPayload, unpackPayloadRange, type Payload } from "./msgpack/index.js";
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
  limits: Readonly<ConnectionLimits>;
  /**
   * Stop reading while output waits past `limits.outputHighWaterMark` or `limits.maxConcurrentQuests` handlers
   * run (servers: the output is answers the peer does not take). Off for clients, whose output is their own quests.
   */
  pauseReading: boolean;
  /** Bytes held in partly received frames, shared by every connection of a server. */
  inputBudget: InputBudget | undefined;
  onClose: (error: FpnnError) => void;
  onError: (error: Error) => void;
  /**
   * Until the peer sends its first frame, a quest unanswered this long drops the connection with 20012: a client's
   * first contact with a peer that accepts TCP but does not speak FPNN fails fast, not after the quest timeout.
   */
  firstFrameWithinMs?: number;
}

export interface ConnectionStats {
  /** socket.write() calls. */
  writes: number;
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
}

/** Close reasons showing the peer does not speak FPNN: bytes that are no frame before any frame, or silence past firstFrameWithinMs. */
const notFpnnReasons = new WeakSet<FpnnError>();

/** @internal Whether a connection closed because its peer does not speak FPNN (see notFpnnReasons). */
export function showsPeerIsNotFpnn(reason: FpnnError): boolean {
  return notFpnnReasons.has(reason);
}

/**
 * One FPNN connection over one byte stream (a TCP socket unless the client dials something else), both directions: pipelined quests with their answers matched
 * by seq, the peer's quests dispatched to handlers, batched writes, keep-alive.
 */
export class Connection {
  /** The transport: a net.Socket for TCP (the default dial and FpnnServer), else what the dial returned. */
  readonly socket: ByteStream;
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
  private readonly limits: Readonly<ConnectionLimits>;
  private readonly shapeLimits: PayloadShapeLimits;
  /** Runs keep-alive and the idle and frame deadlines; undefined when none of them is on. */
  private watchTimer: NodeJS.Timeout | undefined;
  private lastReceivedAt = Date.now();
  /** Last time the peer took output waiting for it (a 'drain'). */
  private lastDrainAt = 0;
  /** Since when the decoder holds the start of a frame (0: it holds none). */
  private partialSince = 0;
  /** Bytes this connection holds in the decoder, as counted in the input budget. */
  private heldInput = 0;
  private readingPaused = false;
  private pingInFlight = false;
  private firstFrameWithinMs: number | undefined;
  private firstFrameTimer: NodeJS.Timeout | undefined;

  constructor(socket: ByteStream, options: ConnectionOptions) {
    this.socket = socket;
    this.options = options;
    this.remoteAddress = socket.remoteAddress ?? "";
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.limits = options.limits;
    this.firstFrameWithinMs = options.firstFrameWithinMs;
    this.shapeLimits = { maxEntries: options.limits.maxPayloadEntries, maxDepth: options.limits.maxPayloadDepth };
    this.writer = new FrameWriter(socket, options.maxFrameSize, this.onOutputDrained);
    this.table = new QuestTable(this.onExpire);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.setNoDelay?.(true);
    socket.on("data", this.onData);
    socket.on("error", (error) => (this.socketError = error));
    socket.on("close", this.onSocketClose);
    const period = watchPeriodMs(options.keepAlive, options.limits);
    if (period > 0) {
      this.watchTimer = setInterval(this.watch, period);
      this.watchTimer.unref();
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

  /** Bytes waiting to be taken by the peer: staged frames plus what the socket still holds. */
  get outputBytes(): number {
    return this.writer.pendingBytes + this.socket.writableLength;
  }

  /** True while this connection is not read from because its peer does not take its answers (servers only). */
  get isReadingPaused(): boolean {
    return this.readingPaused;
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
    if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(signalArgumentError(signal));
    if (signal?.aborted) return Promise.reject(cancelledError(method, signal));
    if (this.state !== "open") return Promise.reject(this.closedError(method));
    if (this.outputBytes > this.limits.maxOutputBytes) return Promise.reject(this.outputFullError(method));
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
    this.awaitFirstFrame();
    const hooks = this.options.hooks;
    if (hooks?.quest !== undefined) this.callHook(hooks.quest, { direction: "out", method, size, oneway: false });
    return quest.promise;
  }

  /** Sends a one-way quest (no answer). Throws FpnnError on a bad argument or a closed connection. */
  oneway(method: string, payload: Payload): void {
    const methodBytes = methodBytesOf(method);
    if (this.state !== "open") throw this.closedError(method);
    if (this.outputBytes > this.limits.maxOutputBytes) throw this.outputFullError(method);
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
    if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(signalArgumentError(signal));
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
    if (this.outputBytes > this.limits.maxOutputBytes) {
      settleReject(quest, this.outputFullError(quest.method));
      return;
    }
    const seq = this.nextSeq;
    this.nextSeq = seq === 0xffff_ffff ? 1 : seq + 1;
    quest.seq = seq;
    this.table.add(quest);
    this.awaitFirstFrame();
    this.writer.questBytes(methodBytes, seq, payload, false);
    const hooks = this.options.hooks;
    if (hooks?.quest !== undefined) this.callHook(hooks.quest, { direction: "out", method: quest.method, size: payload.length, oneway: false });
  }

  /** @internal */
  sendOneway(method: string, methodBytes: Buffer, payload: Buffer): void {
    if (this.state !== "open") throw this.closedError(method);
    if (this.outputBytes > this.limits.maxOutputBytes) throw this.outputFullError(method);
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
    if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
    this.stopAwaitingFirstFrame();
    this.writer.close();
    this.releaseInput();
    for (const quest of this.table.takeAll()) this.fail(quest, reason.withMethod(quest.method));
    this.options.onClose(reason);
  }

  private invalidData(cause: unknown): FpnnError {
    const error = new FpnnError(FpnnErrorCode.CoreInvalidConnection, `invalid data from peer: ${(cause as Error).message}`, { cause });
    if (this.receiveStats.framesReceived === 0) notFpnnReasons.add(error);
    return error;
  }

  private awaitFirstFrame(): void {
    const ms = this.firstFrameWithinMs;
    if (ms === undefined || this.firstFrameTimer !== undefined) return;
    this.firstFrameTimer = setTimeout(() => {
      this.firstFrameTimer = undefined;
      const peer = this.remoteAddress === "" ? "the peer" : `${this.remoteAddress}:${this.remotePort}`;
      const reason = new FpnnError(FpnnErrorCode.CoreInvalidConnection, `no FPNN answer from ${peer} within ${ms} ms of the first quest: is it an FPNN server?`);
      notFpnnReasons.add(reason);
      this.destroy(reason);
    }, ms);
  }

  private stopAwaitingFirstFrame(): void {
    clearTimeout(this.firstFrameTimer);
    this.firstFrameTimer = undefined;
    this.firstFrameWithinMs = undefined;
  }

  private readonly onSocketClose = (hadError?: boolean): void => {
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
    if (this.watchTimer !== undefined) this.lastReceivedAt = Date.now();
    try {
      this.decoder.push(this.cipher === undefined ? chunk : this.cipher.open(chunk));
    } catch (error) {
      this.dropForViolation(this.invalidData(error));
      return;
    }
    this.readFrames();
    if (this.state === "open") this.holdInput();
  };

  /** Handles the frames decoded so far, until none is left or reading has to pause. */
  private readFrames(): void {
    let completed = false;
    let handled = 0;
    try {
      while (!this.readingPaused) {
        if (this.options.pauseReading && (this.mustPauseReading() || handled === FRAMES_PER_TURN)) {
          this.pauseReading();
          return;
        }
        const frame = this.decoder.next();
        if (frame === undefined) break;
        completed = true;
        handled++;
        this.receiveStats.framesReceived++;
        if (this.firstFrameWithinMs !== undefined) this.stopAwaitingFirstFrame();
        if (frame.type === FrameType.Answer) this.onAnswer(frame);
        else this.onQuest(frame);
        if (this.state !== "open") return;
      }
    } catch (error) {
      this.dropForViolation(this.invalidData(error));
      return;
    }
    if (this.decoder.bufferedBytes === 0) this.partialSince = 0;
    else if (completed || this.partialSince === 0) this.partialSince = Date.now();
  }

  private mustPauseReading(): boolean {
    return this.outputBytes > this.limits.outputHighWaterMark || this.runningHandlers >= this.limits.maxConcurrentQuests;
  }

  /**
   * Stops reading the socket; what is already received stays in the decoder until reading resumes. Also
   * used to take turns: after FRAMES_PER_TURN frames the other connections get the event loop first.
   */
  private pauseReading(): void {
    this.readingPaused = true;
    this.socket.pause();
    // Look again next turn: the output may only be staged, not yet handed to the socket.
    setImmediate(this.resumeReading);
  }

  private readonly resumeReading = (): void => {
    if (!this.readingPaused || this.state !== "open" || this.mustPauseReading()) return;
    this.readingPaused = false;
    this.partialSince = 0; // a frame's deadline does not run while this side does not read
    this.readFrames();
    if (this.state !== "open") return;
    this.holdInput();
    if (!this.readingPaused) this.socket.resume();
  };

  private readonly onOutputDrained = (): void => {
    this.lastDrainAt = Date.now();
    if (this.readingPaused) this.resumeReading();
  };

  /** Counts the bytes the decoder holds against the server's input budget; over it, a connection holding a big partial frame is dropped. */
  private holdInput(): void {
    const budget = this.options.inputBudget;
    if (budget === undefined) return;
    const held = this.decoder.bufferedBytes;
    budget.used += held - this.heldInput;
    this.heldInput = held;
    if (budget.used > budget.limit && held >= budget.dropFrom) {
      this.destroy(
        new FpnnError(FpnnErrorCode.CoreInvalidConnection, `partly received frames hold more than ${budget.limit} bytes on this server: connection with ${held} bytes dropped`),
      );
    }
  }

  private releaseInput(): void {
    const budget = this.options.inputBudget;
    if (budget !== undefined) budget.used -= this.heldInput;
    this.heldInput = 0;
  }

  /** The peer broke the protocol: answers already produced still go out, then the socket closes; nothing more is read. */
  dropForViolation(reason: FpnnError): void {
    if (this.state !== "open") return;
    this.socket.off("data", this.onData);
    this.writer.flush();
    this.finish(reason);
    destroySoon(this.socket);
  }

  private onAnswer(frame: Frame): void {
    const quest = this.table.take(frame.seq);
    if (quest === undefined) return; // late (timed out, cancelled) or unknown: dropped
    const tooComplex = this.payloadShapeProblem(frame);
    if (tooComplex !== undefined) {
      this.fail(quest, new FpnnError(FpnnErrorCode.CoreDecoding, `answer of ${quest.method}: ${tooComplex}; not decoded`, { method: quest.method }));
      return;
    }
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
    const tooComplex = this.payloadShapeProblem(frame);
    if (tooComplex !== undefined) {
      this.answerError(frame, new FpnnError(FpnnErrorCode.CoreDecoding, `quest ${method}: payload ${tooComplex}; not decoded`, { method }), 0);
      return;
    }
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

  /**
   * Why a payload is too complex to decode (see ConnectionLimits.maxPayloadEntries), or undefined. Only a
   * payload longer than maxPayloadDepth bytes can be: every nesting level and every entry takes a byte.
   */
  private payloadShapeProblem(frame: Frame): string | undefined {
    if (frame.payloadEnd - frame.payloadStart <= this.shapeLimits.maxDepth) return undefined;
    return frame.flag === FrameFlag.Json
      ? checkJsonShape(frame.bytes, frame.payloadStart, frame.payloadEnd, this.shapeLimits)
      : exceedsPayloadLimits(frame.bytes, frame.payloadStart, frame.payloadEnd, this.shapeLimits);
  }

  private handlerDone(): void {
    if (--this.runningHandlers === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
    if (this.readingPaused) this.resumeReading();
  }

  /**
   * Stages the answer of a handled quest. It never throws: a value that cannot be encoded is answered
   * as an error, and a failure to answer at all (the peer does not take its output, a writer failure)
   * closes this connection and is reported through onError.
   */
  private answerResult(frame: Frame, value: Payload | void, startedAt: number): void {
    if (frame.type === FrameType.Oneway || this.state !== "open") return;
    if (value !== undefined && value !== null && (typeof value !== "object" || Array.isArray(value))) {
      this.answerError(frame, new FpnnError(FpnnErrorCode.CoreEncoding, `handler of ${frame.method} returned ${Array.isArray(value) ? "an array" : typeof value}, not a map`), startedAt);
      return;
    }
    if (!this.hasRoomForAnswer(frame)) return;
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

  /** Stages an error answer; never throws (see answerResult). */
  private answerError(frame: Frame, thrown: unknown, startedAt: number): void {
    const error = FpnnError.is(thrown)
      ? thrown
      : new FpnnError(FpnnErrorCode.CoreUnknownError, thrown instanceof Error ? thrown.message : String(thrown), { method: frame.method, cause: thrown });
    if (!FpnnError.is(thrown)) this.options.onError(thrown instanceof Error ? thrown : error);
    if (frame.type === FrameType.Oneway || this.state !== "open" || !this.hasRoomForAnswer(frame)) return;
    let size: number;
    try {
      const body = frame.flag === FrameFlag.Json ? packJsonPayload(error.toPayload()) : packPayload(error.toPayload());
      this.writer.answerBytes(frame.seq, frame.flag, ERROR_STATUS, body);
      size = body.length;
    } catch (failure) {
      this.failToAnswer(frame, failure);
      return;
    }
    if (this.options.hooks?.answer !== undefined) this.answerHook("in", frame.method, size, startedAt, error);
  }

  /** False (and the connection is closed) when the peer leaves more output waiting than maxOutputBytes. */
  private hasRoomForAnswer(frame: Frame): boolean {
    const waiting = this.outputBytes;
    if (waiting <= this.limits.maxOutputBytes) return true;
    this.failToAnswer(frame, new Error(`the peer leaves ${waiting} bytes of output waiting, more than maxOutputBytes ${this.limits.maxOutputBytes}`));
    return false;
  }

  private failToAnswer(frame: Frame, cause: unknown): void {
    const reason = new FpnnError(FpnnErrorCode.CoreInvalidConnection, `cannot answer ${frame.method}: ${(cause as Error)?.message ?? String(cause)}: connection closed`, {
      method: frame.method,
      cause,
    });
    this.options.onError(reason);
    this.destroy(reason);
  }

  private outputFullError(method: string): FpnnError {
    return new FpnnError(
      FpnnErrorCode.CoreWorkQueueFull,
      `quest ${method}: ${this.outputBytes} bytes already wait to be sent, more than maxOutputBytes ${this.limits.maxOutputBytes}; nothing was sent`,
      { method },
    );
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

  /** Closes a connection past its idle or frame deadline, and pings a quiet peer when keep-alive is on. */
  private readonly watch = (): void => {
    if (this.state !== "open") return;
    const now = Date.now();
    const { idleTimeoutMs, frameDeadlineMs } = this.limits;
    if (frameDeadlineMs > 0 && this.partialSince > 0 && !this.readingPaused && now - this.partialSince > frameDeadlineMs) {
      this.destroy(new FpnnError(FpnnErrorCode.CoreInvalidConnection, `a frame was not completed within ${frameDeadlineMs} ms: connection closed`));
      return;
    }
    if (idleTimeoutMs > 0 && this.runningHandlers === 0 && now - Math.max(this.lastReceivedAt, this.lastDrainAt) > idleTimeoutMs) {
      this.destroy(new FpnnError(FpnnErrorCode.CoreInvalidConnection, `idle for more than ${idleTimeoutMs} ms: connection closed`));
      return;
    }
    if (this.options.keepAlive !== undefined) this.pingIfQuiet(now, this.options.keepAlive);
  };

  private pingIfQuiet(now: number, keepAlive: KeepAliveOptions): void {
    if (this.pingInFlight || now - this.lastReceivedAt < keepAlive.idleMs) return;
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

/**
 * Frames a server handles from one connection before it lets the others' events run: Node reads up to
 * 32 socket chunks per event, and a peer flooding tiny quests would otherwise hold the loop for that long.
 */
const FRAMES_PER_TURN = 256;

/** How often the watch runs: often enough that every deadline is met within a quarter of its length. */
function watchPeriodMs(keepAlive: KeepAliveOptions | undefined, limits: Readonly<ConnectionLimits>): number {
  const periods: number[] = [];
  if (keepAlive !== undefined) periods.push(keepAlive.idleMs / 2);
  if (limits.idleTimeoutMs > 0) periods.push(limits.idleTimeoutMs / 4);
  if (limits.frameDeadlineMs > 0) periods.push(limits.frameDeadlineMs / 4);
  return periods.length === 0 ? 0 : Math.max(10, Math.floor(Math.min(...periods)));
}

function isPromiseLike(value: unknown): value is PromiseLike<Payload | void> {
  return typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

