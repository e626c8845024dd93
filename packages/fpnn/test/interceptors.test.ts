// Client and server interceptors over real sockets: what they see, what they may change, their order, their failures.
import { createECDH } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { FpnnError } from "../src/errors.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import type { ClientInterceptor, ServerInterceptor } from "../src/interceptors.js";
import type { Payload } from "../src/msgpack/index.js";
import { FpnnServer } from "../src/server.js";
import { newClient, rejectionOf, sleep, startServer } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function setup(options: { client?: ClientInterceptor[]; server?: ServerInterceptor[]; configure?: (server: FpnnServer) => void }) {
  const { server, endpoint } = await startServer({ interceptors: options.server });
  server.handle("echo", (payload) => payload);
  options.configure?.(server);
  const client = newClient(endpoint, { interceptors: options.client });
  cleanups.push(() => server.close(), () => client.close());
  return { server, client };
}

describe("client interceptors", () => {
  it("see every quest and may change its method, payload, options and answer", async () => {
    const seen: [string, Payload, number | undefined][] = [];
    const rewrite: ClientInterceptor = (next) => async (method, payload, options) => {
      seen.push([method, payload, options?.timeout]);
      const answer = await next(method === "old" ? "echo" : method, { ...payload, stamped: true }, { ...options, timeout: 5 });
      return { ...answer, intercepted: 1 };
    };
    const { client } = await setup({ client: [rewrite] });
    expect(await client.quest("old", { n: 1 }, { timeout: 2 })).toEqual({ n: 1, stamped: true, intercepted: 1 });
    expect(await client.quest("echo", { n: 2 })).toEqual({ n: 2, stamped: true, intercepted: 1 });
    expect(seen).toEqual([
      ["old", { n: 1 }, 2],
      ["echo", { n: 2 }, undefined],
    ]);
  });

  it("run first to last on the way out and last to first on the way back", async () => {
    const trace: string[] = [];
    const named =
      (name: string): ClientInterceptor =>
      (next) =>
      async (method, payload, options) => {
        trace.push(`${name} out`);
        const answer = await next(method, payload, options);
        trace.push(`${name} back`);
        return answer;
      };
    const { client } = await setup({ client: [named("a"), named("b"), named("c")] });
    await client.quest("echo", {});
    expect(trace).toEqual(["a out", "b out", "c out", "c back", "b back", "a back"]);
  });

  it("see error answers and may answer by themselves or retry", async () => {
    let attempts = 0;
    const retryOnce: ClientInterceptor = (next) => (method, payload, options) =>
      next(method, payload, options).catch((error: FpnnError) => {
        if (error.code !== 7) throw error;
        return next(method, payload, options);
      });
    const cached: ClientInterceptor = (next) => (method, payload, options) => (method === "cached" ? Promise.resolve({ from: "cache" }) : next(method, payload, options));
    const { client } = await setup({
      client: [cached, retryOnce],
      configure: (s) =>
        s.handle("flaky", () => {
          if (++attempts === 1) throw new FpnnError(7, "try again");
          return { attempts };
        }),
    });
    expect(await client.quest("flaky", {})).toEqual({ attempts: 2 });
    expect(await client.quest("cached", {})).toEqual({ from: "cache" });
    expect((await rejectionOf(client.quest("missing", {}))).code).toBe(FpnnErrorCode.CoreUnknownMethod);
  });

  it("a throwing interceptor rejects the quest (nothing is sent); the client carries on", async () => {
    const boom = new Error("interceptor failed");
    let sent = 0;
    const counting: ClientInterceptor = (next) => (method, payload, options) => (sent++, next(method, payload, options));
    const throwing: ClientInterceptor = (next) => (method, payload, options) => {
      if (payload.fail === true) throw boom;
      return next(method, payload, options);
    };
    const { client, server } = await setup({ client: [throwing, counting] });
    let handled = 0;
    server.handle("count", () => ({ handled: ++handled }));
    const failing = client.quest("count", { fail: true });
    await expect(failing).rejects.toBe(boom);
    expect(sent).toBe(0);
    expect(await client.quest("count", {})).toEqual({ handled: 1 });
  });

  it("an interceptor returning a plain value resolves the quest with it", async () => {
    const plain: ClientInterceptor = () => () => ({ plain: true }) as unknown as Promise<Payload>;
    const { client } = await setup({ client: [plain] });
    expect(await client.quest("echo", {})).toEqual({ plain: true });
  });

  it("refuses interceptors that are not functions, or that return no function", async () => {
    expect(() => newClient("127.0.0.1:1", { interceptors: [42 as never] })).toThrow(/options.interceptors\[0\]: expected a function/);
    expect(() => newClient("127.0.0.1:1", { interceptors: {} as never })).toThrow(/options.interceptors: expected an array/);
    expect(() => newClient("127.0.0.1:1", { interceptors: [() => undefined as never] })).toThrow(/interceptors\[0\]: returned undefined/);
  });
});

describe("server interceptors", () => {
  it("wrap every handler: they see payload and context and may change the payload and the answer", async () => {
    const seen: string[] = [];
    const stamp: ServerInterceptor = (next) => async (payload, context) => {
      seen.push(`${context.method} from ${context.connection.remoteAddress}`);
      const answer = await next({ ...payload, seen: true }, context);
      return { ...(answer ?? {}), answeredBy: "interceptor" };
    };
    const { client } = await setup({ server: [stamp], configure: (s) => s.handle("nothing", () => undefined) });
    expect(await client.quest("echo", { n: 1 })).toEqual({ n: 1, seen: true, answeredBy: "interceptor" });
    expect(await client.quest("nothing", {})).toEqual({ answeredBy: "interceptor" });
    expect(seen).toEqual(["echo from 127.0.0.1", "nothing from 127.0.0.1"]);
  });

  it("do not see the runtime's own answers (unknown method, *ping)", async () => {
    const seen: string[] = [];
    const record: ServerInterceptor = (next) => (payload, context) => (seen.push(context.method), next(payload, context));
    const { client } = await setup({ server: [record] });
    expect((await rejectionOf(client.quest("missing", {}))).code).toBe(FpnnErrorCode.CoreUnknownMethod);
    expect(await client.quest("*ping", {})).toEqual({ ts: expect.any(Number) });
    expect(seen).toEqual([]);
  });

  it("run in order, the first outermost, sync and async alike", async () => {
    const trace: string[] = [];
    const sync =
      (name: string): ServerInterceptor =>
      (next) =>
      (payload, context) => {
        trace.push(`${name} in`);
        const answer = next(payload, context);
        trace.push(`${name} out`);
        return answer;
      };
    const async_: ServerInterceptor = (next) => async (payload, context) => {
      trace.push("async in");
      await sleep(1);
      const answer = await next(payload, context);
      trace.push("async out");
      return answer;
    };
    const { client } = await setup({ server: [sync("a"), async_, sync("b")] });
    expect(await client.quest("echo", { x: 1 })).toEqual({ x: 1 });
    expect(trace).toEqual(["a in", "async in", "a out", "b in", "b out", "async out"]);
  });

  it("a throw, a rejection or a bad answer from an interceptor becomes an error answer; the server carries on", async () => {
    const errors: Error[] = [];
    const failing: ServerInterceptor = (next) => (payload, context) => {
      if (payload.mode === "throw") throw new Error("sync failure");
      if (payload.mode === "reject") return Promise.reject(new FpnnError(4321, "refused by interceptor"));
      if (payload.mode === "array") return [1, 2] as unknown as Payload;
      return next(payload, context);
    };
    const { client, server } = await setup({ server: [failing] });
    server.on("error", (error) => errors.push(error));
    const thrown = await rejectionOf(client.quest("echo", { mode: "throw" }));
    expect([thrown.code, thrown.message]).toEqual([FpnnErrorCode.CoreUnknownError, "sync failure"]);
    const rejected = await rejectionOf(client.quest("echo", { mode: "reject" }));
    expect([rejected.code, rejected.message]).toEqual([4321, "refused by interceptor"]);
    expect((await rejectionOf(client.quest("echo", { mode: "array" }))).code).toBe(FpnnErrorCode.CoreEncoding);
    expect(await client.quest("echo", { mode: "ok" })).toEqual({ mode: "ok" });
    expect(errors.map((e) => e.message)).toEqual(["sync failure"]);
  });

  it("apply to handlers registered after the server started", async () => {
    let calls = 0;
    const counting: ServerInterceptor = (next) => (payload, context) => (calls++, next(payload, context));
    const { client, server } = await setup({ server: [counting] });
    await client.quest("echo", {});
    server.handle("late", () => ({ late: true }));
    expect(await client.quest("late", {})).toEqual({ late: true });
    expect(calls).toBe(2);
  });

  it("leave the encryption's *key alone, even when they are async", async () => {
    const methods: string[] = [];
    const deferring: ServerInterceptor = (next) => async (payload, context) => {
      methods.push(context.method);
      await sleep(1);
      return next(payload, context);
    };
    const ecdh = createECDH("secp256k1");
    ecdh.generateKeys();
    const server = new FpnnServer({ interceptors: [deferring], encryption: { privateKey: ecdh.getPrivateKey() } });
    server.handle("echo", (payload) => payload);
    const { port } = await server.listen(0);
    const client = newClient(`127.0.0.1:${port}`, { encryption: { publicKey: server.publicKey! } });
    cleanups.push(() => server.close(), () => client.close());
    expect(await client.quest("echo", { secret: 1 })).toEqual({ secret: 1 });
    expect(methods).toEqual(["echo"]);
  });
});

describe("client and server interceptors together", () => {
  it("carry metadata from one side to the other", async () => {
    const traced: ClientInterceptor = (next) => (method, payload, options) => next(method, { ...payload, traceId: "t-1" }, options);
    const traces: unknown[] = [];
    const strip: ServerInterceptor = (next) => (payload, context) => {
      const { traceId, ...rest } = payload;
      traces.push(traceId);
      return next(rest, context);
    };
    const { client } = await setup({ client: [traced], server: [strip] });
    expect(await client.quest("echo", { a: 1 })).toEqual({ a: 1 });
    expect(traces).toEqual(["t-1"]);
  });
});
