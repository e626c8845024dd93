// FaultInterception as a server interceptor on a plain FpnnServer, over real sockets.
import { FpnnClient, FpnnErrorCode, FpnnServer, type FpnnError, type ServerInterceptor } from "@rtmkit/fpnn";
import { afterEach, describe, expect, it } from "vitest";
import { FaultInjector, type FaultOptions } from "../src/faults.js";
import { FaultInterception } from "../src/server/fault-interceptor.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function faultyServer(faults: FaultOptions, outer: ServerInterceptor[] = []) {
  const interception = new FaultInterception(new FaultInjector(faults));
  const server = new FpnnServer({ interceptors: [...outer, interception.interceptor] });
  let handled = 0;
  server.handle("work", () => ({ handled: ++handled }));
  const { port } = await server.listen(0);
  const client = new FpnnClient({ endpoint: `127.0.0.1:${port}`, keepAlive: false, autoReconnect: false });
  cleanups.push(() => client.close());
  const close = async (): Promise<void> => {
    const stopping = server.close();
    interception.closeHeld();
    await stopping;
  };
  cleanups.push(close);
  return { client, close, handledCount: () => handled };
}

describe("fault injection as a server interceptor", () => {
  it("delays answers; an outer interceptor sees the delay as part of the handling", async () => {
    const timings: number[] = [];
    const timing: ServerInterceptor = (next) => async (payload, context) => {
      const started = performance.now();
      const answer = await next(payload, context);
      timings.push(performance.now() - started);
      return answer;
    };
    const { client } = await faultyServer({ latencyMs: 40 }, [timing]);
    expect(await client.quest("work", {})).toEqual({ handled: 1 });
    expect(timings[0]).toBeGreaterThanOrEqual(35);
  });

  it("drops every 2nd answer (the handler ran) and closes after the 3rd quest", async () => {
    const { client, handledCount } = await faultyServer({ dropEveryNth: 2, closeAfterQuests: 3 });
    expect(await client.quest("work", {})).toEqual({ handled: 1 });
    const dropped = client.quest("work", {}, { timeout: 0.2 }).catch((error: FpnnError) => error.code);
    expect(await dropped).toBe(FpnnErrorCode.CoreTimeout);
    expect(handledCount()).toBe(2);
    const closed = new Promise<FpnnError>((resolve) => client.once("close", resolve));
    expect(await client.quest("work", {})).toEqual({ handled: 3 });
    expect((await closed).code).toBe(FpnnErrorCode.CoreConnectionClosed);
  });

  it("closing the server drops connections holding answers that never come, at once", async () => {
    const { client, close } = await faultyServer({ dropEveryNth: 1 });
    const held = client.quest("work", {}, { timeout: 10 }).catch((error: FpnnError) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await close();
    expect(performance.now() - started).toBeLessThan(1000); // not closeGraceMs, nor the quest's 10 s
    expect([FpnnErrorCode.CoreConnectionClosed, FpnnErrorCode.CoreInvalidConnection]).toContain(await held);
  });
});
