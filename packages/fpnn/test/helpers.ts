import { once } from "node:events";
import { expect } from "vitest";
import { connect, createServer, type Server, type Socket } from "node:net";
import { FpnnClient, type FpnnClientOptions } from "../src/client.js";
import { FpnnError } from "../src/errors.js";
import { FrameDecoder, type Frame } from "../src/frame.js";
import { FpnnServer, type FpnnServerOptions } from "../src/server.js";

/** A raw TCP peer that decodes every frame it receives. */
export class RawPeer {
  readonly frames: Frame[] = [];
  readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on("data", (chunk) => {
      this.decoder.push(chunk);
      for (let frame = this.decoder.next(); frame !== undefined; frame = this.decoder.next()) this.frames.push(frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Waits until at least `count` frames arrived (or the socket closed). */
  async waitFrames(count: number, timeoutMs = 5000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count && !this.closed) {
      if (Date.now() > deadline) throw new Error(`only ${this.frames.length} of ${count} frames arrived`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.frames;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket still open");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }
}

export async function rawClient(port: number): Promise<RawPeer> {
  const socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  return new RawPeer(socket);
}

/** A raw TCP server: every accepted socket becomes a RawPeer. */
export async function rawServer(): Promise<{ server: Server; port: number; peers: RawPeer[]; nextPeer(): Promise<RawPeer>; close(): Promise<void> }> {
  const peers: RawPeer[] = [];
  const waiting: ((peer: RawPeer) => void)[] = [];
  const server = createServer((socket) => {
    const peer = new RawPeer(socket);
    peers.push(peer);
    waiting.shift()?.(peer);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  let taken = 0;
  return {
    server,
    port,
    peers,
    nextPeer: () => {
      const index = taken++;
      const ready = peers[index];
      return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const peer of peers) peer.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startServer(options?: FpnnServerOptions): Promise<{ server: FpnnServer; port: number; endpoint: string }> {
  const server = new FpnnServer(options);
  const { port } = await server.listen(0);
  return { server, port, endpoint: `127.0.0.1:${port}` };
}

export function newClient(endpoint: string, options?: Partial<FpnnClientOptions>): FpnnClient {
  return new FpnnClient({ endpoint, keepAlive: false, ...options });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/**
 * Frames of the given lengths with pseudo-random contents from `seed` (xorshift: fast-check generating MiBs byte by
 * byte would dominate a run); with `magic`, each starts with "FPNN" as a decrypted frame must.
 */
export function seededFrames(lengths: readonly number[], seed: number, magic = false): Buffer[] {
  let state = seed | 1;
  return lengths.map((length) => {
    const frame = Buffer.allocUnsafe(length);
    const from = magic ? frame.write("FPNN", 0, "latin1") : 0;
    for (let i = from; i < length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      frame[i] = state & 0xff;
    }
    return frame;
  });
}

/** The FpnnError a promise rejects with; fails the test when it resolves or rejects with something else. */
export function rejectionOf(promise: Promise<unknown>): Promise<FpnnError> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => {
      expect(FpnnError.is(error)).toBe(true);
      return error as FpnnError;
    },
  );
}
