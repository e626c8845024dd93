import type { Socket } from "node:net";
import type { FrameCipher } from "./frame-cipher.js";
import { FrameType, writeHeader } from "./frame.js";
import { appendPayload, type Payload } from "./msgpack.js";
import { MsgpackEncoder } from "./msgpack-encoder.js";

/** Small, so idle connections cost little; a busy one grows its buffers once and then reuses them. */
const INITIAL_CAPACITY = 4 * 1024;
const MAX_SPARES = 2;

export interface WriteStats {
  /** socket.write() calls. */
  writes: number;
  framesSent: number;
  bytesSent: number;
}

/**
 * Collects the frames of one tick in a staging buffer and hands them to the socket in one write,
 * holding back while the socket asks for 'drain'. Payloads are encoded straight into the staging
 * buffer. Encryption applies to the frames staged after setCipher(): each frame is sealed as it is
 * added, or, for a continuous (stream mode) cipher, the whole batch is sealed at once when written.
 */
export class FrameWriter {
  readonly stats: WriteStats = { writes: 0, framesSent: 0, bytesSent: 0 };
  private cipher: FrameCipher | undefined;
  /** A continuous cipher seals at flush time; the first this many staged bytes were staged before it and stay clear. */
  private batchCipher: FrameCipher | undefined;
  private clearBytes = 0;
  /** The staging buffer: [start, length) is staged and not yet written. */
  private readonly out = new MsgpackEncoder(INITIAL_CAPACITY);
  private readonly spares: Buffer[] = [];
  private scheduled = false;
  private waitingForDrain = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly maxFrameSize: number,
  ) {}

  /** Frames staged from now on are sealed with `cipher`. */
  setCipher(cipher: FrameCipher): void {
    if (cipher.continuous === true) {
      this.batchCipher = cipher;
      this.cipher = undefined;
      this.clearBytes = this.out.length - this.out.start;
    } else {
      this.batchCipher = undefined;
      this.cipher = cipher;
    }
  }

  /** Bytes accepted but not yet handed to the socket. */
  get pendingBytes(): number {
    return this.out.length - this.out.start;
  }

  /**
   * Encodes and stages a quest; returns the payload size. Throws (staging nothing) on a payload
   * that cannot be encoded or a frame above the size limit.
   */
  quest(methodBytes: Buffer, seq: number, payload: Payload, oneway: boolean): number {
    const headerSize = (oneway ? 12 : 16) + methodBytes.length;
    const frameStart = this.encodeAfterHeader(headerSize, payload, "frame");
    const payloadSize = this.out.length - frameStart - headerSize;
    const buffer = this.out.buffer;
    const at = writeHeader(buffer, frameStart, oneway ? FrameType.Oneway : FrameType.Twoway, 0x80, methodBytes.length, payloadSize, seq);
    for (let i = 0; i < methodBytes.length; i++) buffer[at + i] = methodBytes[i]!;
    this.commit(frameStart);
    return payloadSize;
  }

  /** Stages a quest whose payload is already encoded (the size limit was checked by the caller). */
  questBytes(methodBytes: Buffer, seq: number, payload: Uint8Array, oneway: boolean): void {
    const out = this.out;
    const size = (oneway ? 12 : 16) + methodBytes.length + payload.length;
    out.ensure(size);
    const frameStart = out.length;
    let at = writeHeader(out.buffer, frameStart, oneway ? FrameType.Oneway : FrameType.Twoway, 0x80, methodBytes.length, payload.length, seq);
    at += methodBytes.copy(out.buffer, at);
    out.buffer.set(payload, at);
    out.length = at + payload.length;
    this.commit(frameStart);
  }

  /** Encodes and stages an answer; returns the payload size. Throws (staging nothing) like quest(). */
  answer(seq: number, payload: Payload): number {
    const frameStart = this.encodeAfterHeader(16, payload, "answer");
    const payloadSize = this.out.length - frameStart - 16;
    writeHeader(this.out.buffer, frameStart, FrameType.Answer, 0x80, 0, payloadSize, seq);
    this.commit(frameStart);
    return payloadSize;
  }

  /**
   * Reserves `headerSize` bytes and encodes the payload after them; returns where the frame starts.
   * On an encoding error or a frame over the size limit nothing stays staged and it throws.
   */
  private encodeAfterHeader(headerSize: number, payload: Payload, what: "frame" | "answer"): number {
    const out = this.out;
    out.ensure(headerSize);
    const frameOffset = out.length - out.start; // relative to start: the buffer may move while encoding
    out.length += headerSize;
    try {
      appendPayload(out, payload);
    } catch (error) {
      out.length = out.start + frameOffset;
      throw error;
    }
    const frameStart = out.start + frameOffset;
    const frameSize = out.length - frameStart;
    if (frameSize > this.maxFrameSize) {
      out.length = frameStart;
      throw new RangeError(`${what} of ${frameSize} bytes exceeds maxFrameSize ${this.maxFrameSize}`);
    }
    return frameStart;
  }

  /** Stages an answer whose payload is already encoded. */
  answerBytes(seq: number, flag: number, status: number, payload: Uint8Array): void {
    const out = this.out;
    out.ensure(16 + payload.length);
    const frameStart = out.length;
    const at = writeHeader(out.buffer, frameStart, FrameType.Answer, flag, status, payload.length, seq);
    out.buffer.set(payload, at);
    out.length = at + payload.length;
    this.commit(frameStart);
  }

  /**
   * Writes now whatever is staged (normally done once per tick). The staging buffer goes to the
   * socket as is; writing continues in a spare one, and the socket's write callback returns the
   * buffer to the spares: no allocation or copy per tick in the steady state.
   */
  readonly flush = (): void => {
    this.scheduled = false;
    const out = this.out;
    if (this.closed || this.waitingForDrain || out.length === out.start) return;
    if (this.batchCipher !== undefined) {
      this.flushSealed(this.batchCipher);
      return;
    }
    const buffer = out.buffer;
    const chunk = buffer.subarray(out.start, out.length);
    out.adopt(this.spares.pop() ?? Buffer.allocUnsafeSlow(buffer.length));
    this.write(chunk, () => {
      if (this.spares.length < MAX_SPARES) this.spares.push(buffer);
    });
  };

  /** The staged batch sealed in one call; the cipher's output is a new buffer, so staging starts over in place. */
  private flushSealed(cipher: FrameCipher): void {
    const out = this.out;
    const staged = out.buffer.subarray(out.start, out.length);
    const sealed = cipher.seal(staged.subarray(this.clearBytes));
    const chunk = this.clearBytes === 0 ? sealed : Buffer.concat([staged.subarray(0, this.clearBytes), sealed]);
    this.clearBytes = 0;
    out.start = out.length = 0;
    this.write(chunk, undefined);
  }

  private write(chunk: Uint8Array, written: (() => void) | undefined): void {
    this.stats.writes++;
    this.stats.bytesSent += chunk.length;
    const drained = this.socket.write(chunk, written);
    if (!drained) {
      this.waitingForDrain = true;
      this.socket.once("drain", this.onDrain);
    }
  }

  /** Drops everything staged; later frames are ignored. */
  close(): void {
    this.closed = true;
    this.out.start = this.out.length = 0;
  }

  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.flush();
  };

  /** The frame [frameStart, length) is complete: seal it if needed and schedule the flush. */
  private commit(frameStart: number): void {
    const out = this.out;
    if (this.closed) {
      out.length = frameStart;
      return;
    }
    if (this.cipher !== undefined) {
      const sealed = this.cipher.seal(out.buffer.subarray(frameStart, out.length));
      const offset = frameStart - out.start;
      out.length = frameStart;
      out.ensure(sealed.length);
      out.buffer.set(sealed, out.start + offset);
      out.length = out.start + offset + sealed.length;
    }
    this.stats.framesSent++;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }
}
