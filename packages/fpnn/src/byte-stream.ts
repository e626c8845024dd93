/**
 * What a Connection needs from its transport: a duplex byte stream with Node's stream events and flow
 * control. `net.Socket` and `tls.TLSSocket` satisfy it as they are; so does a `stream.Duplex` (which has
 * no address, no Nagle switch and no destroySoon: those are optional).
 */
export interface ByteStream {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  /** Bytes written and not yet taken by the peer (the stream's own buffer). */
  readonly writableLength: number;
  readonly writableEnded?: boolean;
  /** False asks the writer to wait for 'drain'. */
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  end(): unknown;
  destroy(error?: Error): unknown;
  pause(): unknown;
  resume(): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
  /** End after what is written has been flushed, then destroy (net.Socket). */
  destroySoon?(): void;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "close", listener: (hadError?: boolean) => void): unknown;
  off(event: "data", listener: (chunk: Buffer) => void): unknown;
  once(event: "drain", listener: () => void): unknown;
  once(event: "finish", listener: () => void): unknown;
}

/** net.Socket's destroySoon() for any ByteStream: flush what is written, then destroy. */
export function destroySoon(stream: ByteStream): void {
  if (typeof stream.destroySoon === "function") {
    stream.destroySoon();
    return;
  }
  if (stream.writableEnded === true) {
    stream.destroy();
    return;
  }
  stream.once("finish", () => void stream.destroy());
  stream.end();
}
