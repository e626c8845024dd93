// The dial seam over real sockets: a unix-domain socket, a stream.Duplex wrapper, timeouts and cancellation.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { ByteStream } from "../src/byte-stream.js";
import { FpnnClient } from "../src/client.js";
import type { Dial } from "../src/dial.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import { FpnnServer } from "../src/server.js";
import { rejectionOf, sleep } from "./helpers.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => {});
});

/** An FpnnServer served over a unix-domain socket (attach()), and a dial to it. */
async function unixServer(): Promise<{ fpnn: FpnnServer; path: string; dial: Dial; dials: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), "fpnn-unix-"));
  const path = join(dir, "s.sock");
  const fpnn = new FpnnServer();
  fpnn.handle("echo", (payload, { connection }) => ({ ...payload, from: connection.remoteAddress }));
  const listener: Server = createServer((socket) => fpnn.attach(socket));
  listener.listen(path);
  await once(listener, "listening");
  const dials: number[] = [];
  const dial: Dial = ({ signal }) =>
    new Promise((resolve, reject) => {
      dials.push(Date.now());
      const socket = connect(path);
      signal.addEventListener("abort", () => socket.destroy());
      socket.once("connect", () => resolve(socket)).once("error", reject);
    });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => new Promise<void>((resolve) => listener.close(() => resolve())));
  cleanups.push(() => fpnn.close());
  return { fpnn, path, dial, dials };
}

/** A stream.Duplex over a socket that counts what goes through it (no address, no setNoDelay, no destroySoon). */
function countingDuplex(socket: Socket): Duplex & { bytesOut: number; bytesIn: number } {
  const duplex = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      duplex.bytesOut += chunk.length;
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    read() {
      socket.resume();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  }) as Duplex & { bytesOut: number; bytesIn: number };
  duplex.bytesOut = duplex.bytesIn = 0;
  socket.on("data", (chunk: Buffer) => {
    duplex.bytesIn += chunk.length;
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on("end", () => duplex.push(null));
  socket.on("close", () => duplex.destroy());
  socket.on("error", (error) => duplex.destroy(error));
  return duplex;
}

describe("dial", () => {
  it("connects through a unix-domain socket; the endpoint is only a name then", async () => {
    const { fpnn, dial, dials } = await unixServer();
    const client = new FpnnClient({ endpoint: "unix-socket:1", dial, keepAlive: false });
    cleanups.push(() => client.close());
    expect(await client.quest("echo", { n: 1 })).toEqual({ n: 1, from: "" });
    expect(dials).toHaveLength(1);
    expect(fpnn.connections.size).toBe(1);
    // The server drops the connection: the client dials again on the next quest.
    for (const connection of fpnn.connections) connection.destroy();
    await once(client, "close");
    expect(await client.quest("echo", { n: 2 })).toEqual({ n: 2, from: "" });
    expect(dials).toHaveLength(2);
  });

  it("works over a stream.Duplex wrapper, big batches (backpressure) included, and closes it", async () => {
    const { dial } = await unixServer();
    const wrappers: ReturnType<typeof countingDuplex>[] = [];
    const counting: Dial = async (target) => {
      const wrapper = countingDuplex((await dial(target)) as Socket);
      wrappers.push(wrapper);
      return wrapper;
    };
    const client = new FpnnClient({ endpoint: "wrapped:1", dial: counting, keepAlive: false });
    const big = "x".repeat(64 * 1024);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client.quest("echo", { i, big })));
    expect(answers.map((a) => a.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const [wrapper] = wrappers;
    expect(wrapper!.bytesOut).toBeGreaterThan(200 * big.length);
    expect(wrapper!.bytesIn).toBeGreaterThan(200 * big.length);
    expect(client.connection!.stats.bytesSent).toBe(wrapper!.bytesOut);
    await client.close();
    expect(wrapper!.destroyed).toBe(true);
  });

  it("a dial that fails rejects the waiting quests with 20012, the dial's error as cause", async () => {
    const cause = new Error("no route");
    const client = new FpnnClient({ endpoint: "nowhere:1", dial: () => Promise.reject(cause), keepAlive: false });
    const error = await rejectionOf(client.quest("echo", {}));
    expect(error.code).toBe(FpnnErrorCode.CoreInvalidConnection);
    expect(error.message).toMatch(/cannot connect to nowhere:1: no route/);
    expect(error.cause).toBe(cause);
    const throwing = new FpnnClient({ endpoint: "nowhere:1", dial: () => { throw cause; }, keepAlive: false }); // prettier-ignore
    expect((await rejectionOf(throwing.quest("echo", {}))).cause).toBe(cause);
  });

  it("a dial that does not finish within connectTimeout is aborted; a stream it still returns is destroyed", async () => {
    let late: ByteStream | undefined;
    let aborted = false;
    const slow: Dial = ({ signal }) => {
      signal.addEventListener("abort", () => (aborted = true));
      return sleep(150).then(() => (late = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }))); // prettier-ignore
    };
    const client = new FpnnClient({ endpoint: "slow:1", dial: slow, connectTimeout: 0.05, keepAlive: false });
    const error = await rejectionOf(client.quest("echo", {}));
    expect(error.code).toBe(FpnnErrorCode.CoreInvalidConnection);
    expect(error.message).toMatch(/no connection within 50 ms/);
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ETIMEDOUT");
    expect(aborted).toBe(true);
    await sleep(200);
    expect((late as Duplex).destroyed).toBe(true);
  });

  it("close() while dialling cancels the attempt (20002)", async () => {
    const client = new FpnnClient({ endpoint: "never:1", dial: () => new Promise(() => {}), keepAlive: false });
    const pending = rejectionOf(client.quest("echo", {}));
    await sleep(10);
    await client.close();
    expect((await pending).code).toBe(FpnnErrorCode.CoreConnectionClosed);
  });

  it("a dial that resolves with something else than a stream fails the attempt (20012)", async () => {
    const client = new FpnnClient({ endpoint: "odd:1", dial: () => Promise.resolve(undefined as never), keepAlive: false });
    const error = await rejectionOf(client.quest("echo", {}));
    expect(error.code).toBe(FpnnErrorCode.CoreInvalidConnection);
    expect(error.message).toMatch(/options.dial resolved with undefined, not a byte stream/);
  });

  it("refuses a dial option that is not a function", () => {
    expect(() => new FpnnClient({ endpoint: "a:1", dial: "tcp" as never })).toThrow(/options.dial: expected a function/);
  });
});
