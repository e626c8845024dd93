import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { FpnnError } from "../src/errors.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import { packPayload } from "../src/msgpack/index.js";
import type { FpnnServer } from "../src/server.js";
import { newClient, rejectionOf, sleep, startServer } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function setup(configure: (server: FpnnServer) => void) {
  const { server, endpoint } = await startServer();
  configure(server);
  const client = newClient(endpoint);
  cleanups.push(() => server.close(), () => client.close());
  return { server, client };
}

/** Collects the process warnings emitted until `stop()` (which waits for warnings still queued). */
function watchWarnings(): { stop(): Promise<Error[]> } {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on("warning", onWarning);
  return {
    async stop() {
      await new Promise((resolve) => setImmediate(resolve)); // emitWarning dispatches on a later tick
      process.off("warning", onWarning);
      return warnings;
    },
  };
}

const abortListeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

describe("a signal option that is not an AbortSignal", () => {
  const notSignals: [string, unknown][] = [
    ["a look-alike object", { aborted: false }],
    ["an aborted look-alike", { aborted: true, reason: "x", addEventListener() {}, removeEventListener() {} }],
    ["a string", "abort"],
    ["null", null],
    ["an AbortController", new AbortController()],
  ];
  for (const [what, signal] of notSignals) {
    it(`${what}: every quest path rejects it, naming the option, before encoding or sending`, async () => {
      let seen = 0;
      const { client } = await setup((s) => s.handle("count", () => ({ seen: ++seen })));
      const options = { signal: signal as AbortSignal };
      // A payload the encoder refuses: the signal must be refused first.
      const unencodable = { big: 2n ** 64n };
      const refusals: Promise<FpnnError>[] = [];
      expect(client.isConnected).toBe(false);
      refusals.push(rejectionOf(client.quest("count", unencodable, options))); // queued: no connection yet
      await client.connect();
      const connection = client.connection!;
      refusals.push(rejectionOf(client.quest("count", unencodable, options)));
      refusals.push(rejectionOf(connection.quest("count", unencodable, options)));
      refusals.push(rejectionOf(connection.questEncoded("count", packPayload({}), options)));
      for (const error of await Promise.all(refusals)) {
        expect(error.code).toBe(FpnnErrorCode.CoreEncoding);
        expect(error.message).toMatch(/^options\.signal: expected an AbortSignal, got /);
      }
      // The next quest on the same connection is the first the server sees.
      expect(await client.quest("count", {})).toEqual({ seen: 1 });
    });
  }
});

describe("quests sharing one AbortSignal", () => {
  it("1,000 in flight: no warning, one listener; aborting rejects every one with 20015 and removes it", async () => {
    const { client } = await setup((s) => s.handle("never", () => new Promise(() => {})));
    const warnings = watchWarnings();
    const controller = new AbortController();
    const { signal } = controller;
    const settled: Promise<FpnnError>[] = [];
    // Half wait in the client's queue for the connection, half go straight out on it.
    for (let i = 0; i < 500; i++) settled.push(rejectionOf(client.quest("never", { i }, { signal })));
    await client.connect();
    for (let i = 500; i < 1000; i++) settled.push(rejectionOf(client.quest("never", { i }, { signal })));
    await sleep(20);
    expect(abortListeners(signal)).toBe(1);
    controller.abort(new Error("stop"));
    const errors = await Promise.all(settled);
    expect(errors.every((e) => e.code === FpnnErrorCode.CoreCancelled)).toBe(true);
    expect(abortListeners(signal)).toBe(0);
    expect(await warnings.stop()).toEqual([]);
  });

  it("1,000 answered: no warning, and no listener left on the signal, which still cancels later quests", async () => {
    const { client } = await setup((s) => {
      s.handle("echo", (p) => p);
      s.handle("never", () => new Promise(() => {}));
    });
    const warnings = watchWarnings();
    const controller = new AbortController();
    const { signal } = controller;
    const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.quest("echo", { i }, { signal })));
    expect(answers.map((a) => a.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(abortListeners(signal)).toBe(0);

    const late = rejectionOf(client.quest("never", {}, { signal }));
    expect(abortListeners(signal)).toBe(1);
    controller.abort();
    expect((await late).code).toBe(FpnnErrorCode.CoreCancelled);
    expect(abortListeners(signal)).toBe(0);
    expect(await warnings.stop()).toEqual([]);
  });

  it("each quest settles once, by whatever comes first: answer, timeout or the abort", async () => {
    const { client } = await setup((s) => {
      s.handle("echo", (p) => p);
      s.handle("never", () => new Promise(() => {}));
    });
    const controller = new AbortController();
    const { signal } = controller;
    const outcomes: string[] = [];
    const track = (what: string, quest: Promise<unknown>) =>
      quest.then(
        () => outcomes.push(`${what}: answered`),
        (e: FpnnError) => outcomes.push(`${what}: ${e.code}`),
      );
    const all = [
      ...Array.from({ length: 20 }, () => track("echo", client.quest("echo", {}, { signal }))),
      ...Array.from({ length: 20 }, () => track("short", client.quest("never", {}, { signal, timeout: 0.05 }))),
      ...Array.from({ length: 20 }, () => track("long", client.quest("never", {}, { signal }))),
    ];
    await sleep(150); // echoes answered, short ones timed out
    expect(abortListeners(signal)).toBe(1);
    controller.abort();
    controller.abort();
    await Promise.all(all);
    expect(abortListeners(signal)).toBe(0);
    const counts = outcomes.reduce<Record<string, number>>((c, o) => ({ ...c, [o]: (c[o] ?? 0) + 1 }), {});
    expect(counts).toEqual({ "echo: answered": 20, [`short: ${FpnnErrorCode.CoreTimeout}`]: 20, [`long: ${FpnnErrorCode.CoreCancelled}`]: 20 });
  });

  it("separate signals keep separate listeners: aborting one cancels only its quests", async () => {
    const { client } = await setup((s) => s.handle("never", () => new Promise(() => {})));
    const [a, b] = [new AbortController(), new AbortController()];
    const onA = Array.from({ length: 15 }, () => rejectionOf(client.quest("never", {}, { signal: a.signal })));
    const onB = Array.from({ length: 15 }, () => client.quest("never", {}, { signal: b.signal, timeout: 0.2 }).catch((e: FpnnError) => e.code));
    a.abort();
    expect((await Promise.all(onA)).every((e) => e.code === FpnnErrorCode.CoreCancelled)).toBe(true);
    expect(abortListeners(a.signal)).toBe(0);
    expect(abortListeners(b.signal)).toBe(1);
    expect(await Promise.all(onB)).toEqual(Array(15).fill(FpnnErrorCode.CoreTimeout));
    expect(abortListeners(b.signal)).toBe(0);
  });
});
