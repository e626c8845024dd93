// RTMServerClient on an FpnnClient built elsewhere, and the connection options it forwards (dial, interceptors).
import { connect } from "node:net";
import { FpnnClient, FpnnServer, type ClientInterceptor, type Dial, type Payload } from "@rtmkit/fpnn";
import { afterEach, describe, expect, it } from "vitest";
import { RTMError, RTMServerClient } from "../src/index.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function sendmsgServer(): Promise<{ port: number; received: Payload[] }> {
  const server = new FpnnServer();
  const received: Payload[] = [];
  server.handle("sendmsg", (payload) => (received.push(payload), { mtime: 1_700_000_000_123 }));
  const { port } = await server.listen(0, "127.0.0.1");
  cleanups.push(() => server.close());
  return { port, received };
}

describe("RTMServerClient on an existing FpnnClient", () => {
  it("sends its calls on that client, whose events and beforeReady are its own; close() closes it", async () => {
    const { port, received } = await sendmsgServer();
    let readied = 0;
    const fpnn = new FpnnClient({ endpoint: `127.0.0.1:${port}`, keepAlive: false, beforeReady: () => void readied++ });
    const connects: boolean[] = [];
    fpnn.on("connect", (event) => connects.push(event.reconnected));
    const client = new RTMServerClient({ pid: 11000001, secret: "s", fpnn });
    cleanups.push(() => client.close());
    expect(client.fpnn).toBe(fpnn);
    const { mtime } = await client.sendChat(1001n, 1002n, "hello", "");
    expect(mtime).toBe(1_700_000_000_123n);
    expect(received).toEqual([expect.objectContaining({ pid: 11000001, from: 1001, to: 1002, msg: "hello" })]);
    expect([readied, connects]).toEqual([1, [false]]);
    await client.close();
    expect(fpnn.isConnected).toBe(false);
  });

  it("refuses connection options next to fpnn, and anything that is not an FpnnClient", () => {
    const fpnn = new FpnnClient({ endpoint: "127.0.0.1:1" });
    expect(() => new RTMServerClient({ pid: 1, secret: "s", fpnn, endpoint: "127.0.0.1:1" } as never)).toThrow(/options\.endpoint: not taken with options\.fpnn/);
    expect(() => new RTMServerClient({ pid: 1, secret: "s", fpnn: {} as never })).toThrow(/options\.fpnn: expected an FpnnClient/);
    expect(() => new RTMServerClient({ pid: 0, secret: "s", fpnn })).toThrow(/options\.pid/);
    expect(() => new RTMServerClient({ pid: 1, secret: "", fpnn })).toThrow(RTMError);
  });
});

describe("connection options forwarded to the FpnnClient", () => {
  it("dial and interceptors reach the FpnnClient: every call goes through them", async () => {
    const { port } = await sendmsgServer();
    const dialled: string[] = [];
    const dial: Dial = ({ endpoint }) =>
      new Promise((resolve, reject) => {
        dialled.push(endpoint);
        const socket = connect({ host: "127.0.0.1", port });
        socket.once("connect", () => resolve(socket)).once("error", reject);
      });
    const methods: string[] = [];
    const record: ClientInterceptor = (next) => (method, payload, options) => (methods.push(method), next(method, payload, options));
    const client = new RTMServerClient({ pid: 11000001, secret: "s", endpoint: "rtm-gateway:13315", dial, interceptors: [record], keepAlive: false });
    cleanups.push(() => client.close());
    await client.sendChat(1001n, 1002n, "a", "");
    await client.sendChat(1001n, 1002n, "b", "");
    expect(dialled).toEqual(["rtm-gateway:13315"]);
    expect(methods).toEqual(["sendmsg", "sendmsg"]);
  });

  it("a client interceptor that rejects fails the call, as an RTMError with the interceptor's code", async () => {
    const { port, received } = await sendmsgServer();
    const deny: ClientInterceptor = () => () => Promise.reject(new RTMError(200020, "denied locally"));
    const client = new RTMServerClient({ pid: 11000001, secret: "s", endpoint: `127.0.0.1:${port}`, interceptors: [deny], keepAlive: false });
    cleanups.push(() => client.close());
    await expect(client.sendChat(1001n, 1002n, "a", "")).rejects.toMatchObject({ code: 200020 });
    expect(received).toEqual([]);
  });
});
