import { afterEach, describe, expect, it } from "vitest";
import { FpnnError } from "../src/errors.js";
import { FpnnErrorCode } from "../src/generated/error-codes.js";
import { packPayload } from "../src/msgpack.js";
import type { FpnnServer } from "../src/server.js";
import { newClient, startServer } from "./helpers.js";

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

function rejectionOf(promise: Promise<unknown>): Promise<FpnnError> {
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
