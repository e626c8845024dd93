/** FPNN frames (docs/protocol/fpnn-frame.md, "Frame layout"): encoder and streaming decoder. Payloads stay raw bytes here. */

export const FrameType = { Oneway: 0, Twoway: 1, Answer: 2 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const FrameFlag = { Msgpack: 0x80, Json: 0x40 } as const;
export type FrameFlag = (typeof FrameFlag)[keyof typeof FrameFlag];

export const PROTOCOL_VERSION = 1;
export const DEFAULT_MAX_FRAME_SIZE = 8 * 1024 * 1024;
/** Status byte of error answers (FPNN servers send 1). */
export const ERROR_STATUS = 1;

export interface Frame {
  readonly version: number;
  readonly flag: FrameFlag;
  readonly type: FrameType;
  /** Answers: 0 ok, non-zero error. Quests: 0. */
  readonly status: number;
  /** Two-way quests and answers; 0 for one-way quests. */
  readonly seq: number;
  /** Quests only; "" for answers. */
  readonly method: string;
  /** The raw payload (a view into the decoder's buffer, made on first access). */
  readonly payload: Uint8Array;
  /** The payload is bytes[payloadStart, payloadEnd) (lets the runtime decode without making a view). */
  readonly bytes: Buffer;
  readonly payloadStart: number;
  readonly payloadEnd: number;
}

class DecodedFrame implements Frame {
  private view: Uint8Array | undefined;
  constructor(
    readonly version: number,
    readonly flag: FrameFlag,
    readonly type: FrameType,
    readonly status: number,
    readonly seq: number,
    readonly method: string,
    readonly bytes: Buffer,
    readonly payloadStart: number,
    readonly payloadEnd: number,
  ) {}
  get payload(): Uint8Array {
    return (this.view ??= this.bytes.subarray(this.payloadStart, this.payloadEnd));
  }
}

export type FrameErrorReason = "bad-magic" | "bad-flag" | "bad-type" | "empty-method" | "empty-payload" | "not-a-map" | "oversize";

const frameErrorBrand = Symbol.for("@rtmkit/fpnn/FrameError");

/** A frame that breaks the protocol: the connection it came on must be closed. */
export class FrameError extends Error {
  override readonly name = "FrameError";
  constructor(
    readonly reason: FrameErrorReason,
    message: string,
  ) {
    super(message);
    Object.defineProperty(this, frameErrorBrand, { value: true });
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && frameErrorBrand in value;
  }
}

const M = 0x46; // 'F'
const N = 0x4e; // 'N'
const P = 0x50; // 'P'

export function headerLength(type: FrameType): number {
  return type === FrameType.Oneway ? 12 : 16;
}

/** Writes a frame header; `byte7` is the method length for quests and the status for answers. */
export function writeHeader(target: Buffer, at: number, type: FrameType, flag: number, byte7: number, payloadSize: number, seq: number): number {
  target[at] = M;
  target[at + 1] = P;
  target[at + 2] = N;
  target[at + 3] = N;
  target[at + 4] = PROTOCOL_VERSION;
  target[at + 5] = flag;
  target[at + 6] = type;
  target[at + 7] = byte7;
  target[at + 8] = payloadSize & 0xff;
  target[at + 9] = (payloadSize >>> 8) & 0xff;
  target[at + 10] = (payloadSize >>> 16) & 0xff;
  target[at + 11] = payloadSize >>> 24;
  if (type === FrameType.Oneway) return at + 12;
  target[at + 12] = seq & 0xff;
  target[at + 13] = (seq >>> 8) & 0xff;
  target[at + 14] = (seq >>> 16) & 0xff;
  target[at + 15] = seq >>> 24;
  return at + 16;
}

/** Encodes one quest frame (allocates; the connection uses its batched writer instead). */
export function encodeQuest(method: string, payload: Uint8Array, seq: number, options?: { oneway?: boolean; flag?: number }): Buffer {
  const type = options?.oneway ? FrameType.Oneway : FrameType.Twoway;
  const methodBytes = Buffer.from(method, "latin1");
  if (methodBytes.length < 1 || methodBytes.length > 255) throw new RangeError("method: must be 1..255 bytes");
  const frame = Buffer.allocUnsafe(headerLength(type) + methodBytes.length + payload.length);
  let at = writeHeader(frame, 0, type, options?.flag ?? FrameFlag.Msgpack, methodBytes.length, payload.length, seq);
  at += methodBytes.copy(frame, at);
  frame.set(payload, at);
  return frame;
}

/** Encodes one answer frame (allocates). */
export function encodeAnswer(seq: number, payload: Uint8Array, options?: { status?: number; flag?: number }): Buffer {
  const frame = Buffer.allocUnsafe(16 + payload.length);
  writeHeader(frame, 0, FrameType.Answer, options?.flag ?? FrameFlag.Msgpack, options?.status ?? 0, payload.length, seq);
  frame.set(payload, 16);
  return frame;
}

const EMPTY = Buffer.alloc(0);

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Pull-based streaming decoder: push() socket chunks, call next() until it returns undefined.
 * A frame is validated from its header before its body is buffered, so memory stays within one
 * maximum frame plus one chunk. After a FrameError the decoder stays failed.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  private head: Buffer = EMPTY;
  private offset = 0;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: FrameError | undefined;

  constructor(options?: { maxFrameSize?: number }) {
    this.maxFrameSize = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const buffer = asBuffer(chunk);
    if (this.offset === this.head.length) {
      this.head = buffer;
      this.offset = 0;
    } else {
      this.chunks.push(buffer);
    }
    this.buffered += buffer.length;
  }

  next(): Frame | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.buffered < 12) return undefined;
    this.ensureContiguous(12);
    const head = this.head;
    const o = this.offset;
    if (head[o] !== M || head[o + 1] !== P || head[o + 2] !== N || head[o + 3] !== N) {
      return this.fail("bad-magic", `bad magic 0x${head.toString("hex", o, o + 4)} (expected "FPNN")`);
    }
    const flag = head[o + 5]!;
    if (flag !== FrameFlag.Msgpack && flag !== FrameFlag.Json) return this.fail("bad-flag", `bad flag 0x${flag.toString(16)} (expected 0x80 msgpack or 0x40 JSON)`);
    const type = head[o + 6]!;
    if (type > FrameType.Answer) return this.fail("bad-type", `bad message type ${type}`);
    const byte7 = head[o + 7]!;
    const methodLength = type === FrameType.Answer ? 0 : byte7;
    if (type !== FrameType.Answer && methodLength === 0) return this.fail("empty-method", "quest with an empty method name");
    const size = head.readUInt32LE(o + 8);
    const headerSize = type === FrameType.Oneway ? 12 : 16;
    const total = headerSize + methodLength + size;
    if (total > this.maxFrameSize) return this.fail("oversize", `frame of ${total} bytes exceeds the limit of ${this.maxFrameSize}`);
    if (size === 0) return this.fail("empty-payload", "zero-length payload (an empty payload is the map 0x80)");
    if (this.buffered < total) return undefined;
    this.ensureContiguous(total);
    const frameHead = this.head;
    const start = this.offset;
    const payloadStart = start + headerSize + methodLength;
    if (!startsMap(frameHead, payloadStart, start + total, flag)) return this.fail("not-a-map", "payload is not a map");
    this.offset = start + total;
    this.buffered -= total;
    return new DecodedFrame(
      frameHead[start + 4]!,
      flag as FrameFlag,
      type as FrameType,
      type === FrameType.Answer ? byte7 : 0,
      type === FrameType.Oneway ? 0 : frameHead.readUInt32LE(start + 12),
      methodLength === 0 ? "" : frameHead.toString("latin1", start + headerSize, payloadStart),
      frameHead,
      payloadStart,
      start + total,
    );
  }

  /** Hands back every byte not yet returned as a frame and empties the decoder. */
  takeRemaining(): Uint8Array {
    const rest = this.chunks.length === 0 ? this.head.subarray(this.offset) : Buffer.concat([this.head.subarray(this.offset), ...this.chunks], this.buffered);
    this.head = EMPTY;
    this.offset = 0;
    this.chunks = [];
    this.buffered = 0;
    return rest;
  }

  private ensureContiguous(length: number): void {
    if (this.head.length - this.offset >= length) return;
    const parts = [this.head.subarray(this.offset), ...this.chunks];
    this.head = Buffer.concat(parts, this.buffered);
    this.offset = 0;
    this.chunks = [];
  }

  private fail(reason: FrameErrorReason, message: string): never {
    this.failure = new FrameError(reason, message);
    this.takeRemaining();
    throw this.failure;
  }
}

function startsMap(buffer: Buffer, start: number, end: number, flag: number): boolean {
  if (flag === FrameFlag.Msgpack) {
    const first = buffer[start]!;
    return (first & 0xf0) === 0x80 || first === 0xde || first === 0xdf;
  }
  for (let i = start; i < end; i++) {
    const c = buffer[i]!;
    if (c === 0x7b) return true; // '{'
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}
