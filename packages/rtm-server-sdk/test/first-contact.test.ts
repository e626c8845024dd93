// A first call to an endpoint that accepts TCP but does not speak FPNN fails within connectTimeout, not the quest timeout.
import { createServer, type Server, type Socket } from "node:net";
import { FpnnServer } from "@rtmkit/fpnn";
import { afterEach, describe, expect, it } from "vitest";
import { RTMError, RTMServerClient } from "../src/index.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A TCP server that accepts and then does `onSocket` (nothing, or write bytes that are not FPNN). */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket.on("close", () => sockets.delete(socket)).on("error", () => {}));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => (sockets.forEach((s) => s.destroy()), server.close(resolve))));
  return (server.address() as { port: number }).port;
}

function client(port: number): RTMServerClient {
  const rtm = new RTMServerClient({ pid: 11000001, secret: "s", endpoint: `127.0.0.1:${port}`, connectTimeout: 1, keepAlive: false });
  cleanups.push(() => rtm.close());
  return rtm;
}

async function timedFailure(call: Promise<unknown>): Promise<{ error: RTMError; ms: number }> {
  const started = performance.now();
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as RTMError;
  expect(error).toBeInstanceOf(RTMError);
  return { error, ms: performance.now() - started };
}

describe("first contact with an endpoint that does not speak FPNN", () => {
  it("a silent peer: the first call fails with 20012 after connectTimeout (1 s), and so does the next one", async () => {
    const rtm = client(await tcpServer(() => {}));
    for (const round of [1, 2]) {
      const { error, ms } = await timedFailure(rtm.sendChat(1001n, 1002n, `hello ${round}`, ""));
      expect(error).toMatchObject({ code: 20012, method: "sendChat" });
      expect(error.message).toMatch(/no FPNN answer from 127\.0\.0\.1:\d+ within 1000 ms of the first quest: is it an FPNN server\?/);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(2500);
    }
  });

  it("a peer that answers garbage: the first call fails at once with 20012, and so does the next one", async () => {
    const rtm = client(await tcpServer((socket) => socket.on("data", () => socket.write("HTTP/1.1 400 Bad Request\r\n\r\n"))));
    for (const round of [1, 2]) {
      const { error, ms } = await timedFailure(rtm.sendChat(1001n, 1002n, `hello ${round}`, ""));
      expect(error).toMatchObject({ code: 20012, method: "sendChat" });
      expect(error.message).toMatch(/invalid data from peer/);
      expect(ms).toBeLessThan(900);
    }
  });

  it("an FPNN server slower than connectTimeout after its first answer: later calls wait for their own timeout", async () => {
    const server = new FpnnServer();
    let delayMs = 0;
    server.handle("sendmsg", async () => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { mtime: 1 };
    });
    const { port } = await server.listen(0, "127.0.0.1");
    cleanups.push(() => server.close());
    const rtm = client(port);
    await rtm.sendChat(1001n, 1002n, "fast", "");
    delayMs = 1300;
    expect(await rtm.sendChat(1001n, 1002n, "slow", "")).toMatchObject({ mtime: 1n });
  });
});
