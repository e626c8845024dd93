import type { ByteStream } from "./byte-stream.js";
import type { FrameCipher } from "./frame-cipher.js";
import { FrameType, writeHeader } from "./frame.js";
import { ByteBuffer, appendPayload, type Payload } from "./msgpack/index.js";

/** Small, so idle connections cost little; a busy one grows its buffers once and then reuses them. */
const INITIAL_CAPACITY = 4 * 1024;
const MAX_SPARES = 2;
/**
 * A tick that has staged this much writes it out at once and goes on staging: the peer starts on the head of a big
 * batch while the rest is still being encoded, instead of the two sides taking turns on whole batches. Once per tick,
 * so a batch is split in two at most. Measured at 256 quests in flight (~56 KiB per tick): +38% quests/s and less
 * CPU per quest.
 */
const HEAD_START_BYTES = 32 * 1024;
/** Frame sizes of one flush are recorded for the cipher; a table grown past this (256 KiB) is not kept after the flush. */
const MAX_KEPT_FRAME_SIZES = 64 * 1024;

const noop = (): void => {};

export interface WriteStats {
  /** socket.write() calls. */
  writes: number;
  framesSent: number;
  bytesSent: number;
}

/**
 * Collects the frames of one tick in a staging buffer and hands them to the socket in one write (two
 * for a big tick, see HEAD_START_BYTES), holding back while the socket asks for 'drain'. Payloads are
 * encoded straight into the staging buffer. Encryption applies to the frames staged after setCipher():
 * they are staged clear (each after the cipher's reserved prefix bytes, with its size recorded) and
 * each write's frames are sealed in one call.
 */
export class FrameWriter {
  readonly stats: WriteStats = { writes: 0, framesSent: 0, bytesSent: 0 };
  private cipher: FrameCipher | undefined;
  /** The cipher's framePrefixSize: reserved in front of every frame staged after setCipher(). */
  private prefixSize = 0;
  /** The first this many staged bytes were staged before setCipher() and stay clear. */
  private clearBytes = 0;
  /** Sizes of the frames staged since setCipher() or the last flush. */
  private frameSizes = new Uint32Array(64);
  private frameCount = 0;
  /** The staging buffer: [start, length) is staged and not yet written. */
  private readonly out = new ByteBuffer(INITIAL_CAPACITY);
  private readonly spares: Buffer[] = [];
  private scheduled = false;
  /** This tick has already written its head start. */
  private headStartWritten = false;
  private waitingForDrain = false;
  private closed = false;

  constructor(
    private readonly socket: ByteStream,
    private readonly maxFrameSize: number,
    /** Called after the socket drained and what was staged meanwhile was handed to it. */
    private readonly drained: () => void = noop,
  ) {}

  /** Frames staged from now on are sealed with `cipher`. */
  setCipher(cipher: FrameCipher): void {
    if (this.cipher !== undefined && this.frameCount > 0) this.sealStaged(this.cipher); // frames staged under the old cipher keep it
    this.cipher = cipher;
    this.prefixSize = cipher.framePrefixSize;
    this.clearBytes = this.out.length - this.out.start;
    this.frameCount = 0;
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
    const frameStart = this.reserve(size);
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

  /** Makes room for the cipher's prefix and `size` frame bytes, skips the prefix; returns where the frame starts. */
  private reserve(size: number): number {
    const out = this.out;
    out.ensure(this.prefixSize + size);
    out.length += this.prefixSize;
    return out.length;
  }

  /**
   * Reserves `headerSize` bytes and encodes the payload after them; returns where the frame starts.
   * On an encoding error or a frame over the size limit nothing stays staged and it throws.
   */
  private encodeAfterHeader(headerSize: number, payload: Payload, what: "frame" | "answer"): number {
    const out = this.out;
    const frameOffset = this.reserve(headerSize) - out.start; // relative to start: the buffer may move while encoding
    out.length += headerSize;
    try {
      appendPayload(out, payload);
    } catch (error) {
      out.length = out.start + frameOffset - this.prefixSize;
      throw error;
    }
    const frameStart = out.start + frameOffset;
    const frameSize = out.length - frameStart;
    if (frameSize > this.maxFrameSize) {
      out.length = frameStart - this.prefixSize;
      throw new RangeError(`${what} of ${frameSize} bytes exceeds maxFrameSize ${this.maxFrameSize}`);
    }
    return frameStart;
  }

  /** Stages an answer whose payload is already encoded. */
  answerBytes(seq: number, flag: number, status: number, payload: Uint8Array): void {
    const out = this.out;
    const frameStart = this.reserve(16 + payload.length);
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
    this.headStartWritten = false;
    const out = this.out;
    if (this.closed || this.waitingForDrain || out.length === out.start) return;
    if (this.cipher !== undefined && this.frameCount > 0) {
      const staged = out.buffer.subarray(out.start + this.clearBytes, out.length);
      const sealed = this.cipher.sealFrames(staged, this.frameSizes, this.frameCount);
      this.sealed();
      if (sealed !== staged) {
        this.writeSealedCopy(sealed);
        return;
      }
    }
    this.clearBytes = 0;
    const buffer = out.buffer;
    const chunk = buffer.subarray(out.start, out.length);
    out.adopt(this.spares.pop() ?? Buffer.allocUnsafeSlow(buffer.length));
    this.write(chunk, () => {
      if (this.spares.length < MAX_SPARES) this.spares.push(buffer);
    });
  };

  /** The cipher sealed into new bytes (stream mode): the staging buffer is free again at once. */
  private writeSealedCopy(sealed: Uint8Array): void {
    const out = this.out;
    const chunk = this.clearBytes === 0 ? sealed : Buffer.concat([out.buffer.subarray(out.start, out.start + this.clearBytes), sealed]);
    this.clearBytes = 0;
    out.start = out.length = 0;
    this.write(chunk, undefined);
  }

  /** Seals what is staged now and leaves it in place as bytes to send unchanged (before a cipher change). */
  private sealStaged(cipher: FrameCipher): void {
    const out = this.out;
    const staged = out.buffer.subarray(out.start + this.clearBytes, out.length);
    const sealed = cipher.sealFrames(staged, this.frameSizes, this.frameCount);
    if (sealed !== staged) staged.set(sealed);
    this.sealed();
  }

  /** The recorded frames are sealed: forget them, and drop a size table that one huge batch grew. */
  private sealed(): void {
    this.frameCount = 0;
    if (this.frameSizes.length > MAX_KEPT_FRAME_SIZES) this.frameSizes = new Uint32Array(64);
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
    this.clearBytes = this.frameCount = 0;
  }

  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.flush();
    this.drained();
  };

  /** Writes what is staged now; the flush at the end of the tick still writes the rest. */
  private writeHeadStart(): void {
    const scheduled = this.scheduled;
    this.flush();
    this.headStartWritten = true;
    this.scheduled = scheduled;
  }

  private recordFrameSize(size: number): void {
    if (this.frameCount === this.frameSizes.length) {
      const bigger = new Uint32Array(2 * this.frameCount);
      bigger.set(this.frameSizes);
      this.frameSizes = bigger;
    }
    this.frameSizes[this.frameCount++] = size;
  }

  /** The frame [frameStart, length) is complete: record it for the cipher and schedule the flush. */
  private commit(frameStart: number): void {
    const out = this.out;
    if (this.closed) {
      out.length = frameStart - this.prefixSize;
      return;
    }
    if (this.cipher !== undefined) this.recordFrameSize(out.length - frameStart);
    this.stats.framesSent++;
    if (!this.headStartWritten && out.length - out.start >= HEAD_START_BYTES) this.writeHeadStart();
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }
}
