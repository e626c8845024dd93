import { connect, type Socket } from "node:net";
import { encodeQuest, packPayload } from "@rtmkit/fpnn";
import { SENDMSG_METHOD, sendmsgPayload } from "./payloads.js";
import type { BenchClient } from "./types.js";

/**
 * The ceiling: writes one pre-encoded sendmsg frame per call (batched per tick, like FpnnClient),
 * reads answers by their length field only and settles calls in order (the answer server answers
 * in order). No payload encoding or decoding, no seq table, no timeouts.
 */
export class RawBenchClient implements BenchClient {
  readonly name = "raw ceiling";
  private socket!: Socket;
  private readonly frame = encodeQuest(SENDMSG_METHOD, packPayload(sendmsgPayload()), 1);
  private readonly waiting: ((value: unknown) => void)[] = [];
  private head = 0;
  private staged = 0;
  private scheduled = false;
  private rest: Buffer = Buffer.alloc(0);

  async open(endpoint: string): Promise<void> {
    const [host, port] = endpoint.split(":");
    this.socket = connect({ host, port: Number(port) });
    this.socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => this.socket.once("connect", resolve).once("error", reject));
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
  }

  call(): Promise<unknown> {
    this.staged++;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async close(): Promise<void> {
    this.socket.destroy();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const count = this.staged;
    this.staged = 0;
    const frameLength = this.frame.length;
    const out = Buffer.allocUnsafe(count * frameLength);
    for (let i = 0; i < count; i++) this.frame.copy(out, i * frameLength);
    this.socket.write(out);
  };

  private onData(chunk: Buffer): void {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let offset = 0;
    while (data.length - offset >= 16) {
      const total = 16 + data.readUInt32LE(offset + 8);
      if (data.length - offset < total) break;
      offset += total;
      this.waiting[this.head++]!(undefined);
    }
    if (this.head > 4096 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    this.rest = offset === data.length ? Buffer.alloc(0) : data.subarray(offset);
  }
}
