/**
 * Growable output bytes: [start, length) of `buffer` is what was written and is still wanted. The
 * encoder writes here; the frame writer stages whole frames here and hands them to the socket.
 */
export class ByteBuffer {
  buffer: Buffer;
  view: DataView;
  /** End of the written bytes. */
  length = 0;
  /** Bytes before this offset are no longer needed: growing the buffer drops them (the frame writer hands them to the socket). */
  start = 0;

  constructor(private readonly initialCapacity = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(initialCapacity);
    this.view = viewOf(this.buffer);
  }

  /** Makes room for `extra` more bytes; may move the kept bytes [start, length) to offset 0 of a new buffer. */
  ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const kept = this.length - this.start;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.initialCapacity, 2 * (kept + extra)));
    this.buffer.copy(bigger, 0, this.start, this.length);
    this.buffer = bigger;
    this.view = viewOf(bigger);
    this.start = 0;
    this.length = kept;
  }

  /** Starts over in another buffer (the current one belongs to the socket now). */
  adopt(buffer: Buffer): void {
    this.buffer = buffer;
    this.view = viewOf(buffer);
    this.start = this.length = 0;
  }

  /** Forgets everything written. */
  clear(): void {
    this.start = this.length = 0;
  }

  /** A copy of the kept bytes. */
  copy(): Buffer {
    return Buffer.from(this.buffer.subarray(this.start, this.length));
  }
}

function viewOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
