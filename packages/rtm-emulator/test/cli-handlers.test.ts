import { fileURLToPath } from "node:url";
import { RTMServerClient, valueAddedEndpoints } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/cli.js";
import { startFromCli } from "../src/server/cli-start.js";
import { startEmulator } from "../src/server/start.js";

const fixture = fileURLToPath(new URL("./fixtures/translate-handlers.ts", import.meta.url));

describe("rtm-emulator --handlers", () => {
  it("loads a module's implementations; they replace the emulator's for their methods only", async () => {
    const parsed = parseCliArgs(["--port", "0", "--project", "7:s", "--log-level", "silent", "--handlers", fixture], { env: {} });
    if (parsed.kind !== "run") throw new Error("expected options");
    expect(parsed.options.handlerModules).toEqual([fixture]);
    const emulator = (await startFromCli(parsed.options)) as Awaited<ReturnType<typeof import("../src/index.js").startEmulator>>;
    const client = new RTMServerClient({ pid: 7, secret: "s", endpoint: emulator.endpoint, autoReconnect: false });
    try {
      expect(await client.translate("hello", "fr")).toEqual({ sourceLanguage: "en", targetLanguage: "fr", sourceText: "hello", targetText: "[fr] hello" });
      // Not in the module: still the emulator's own answer.
      await expect(client.profanity("x")).rejects.toMatchObject({ code: 200060, message: expect.stringContaining("profanity: the emulator has no profanity filter service") });
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it("an implementation (from JavaScript, untyped) of a whole RTM table with some handlers leaves the others to the emulator", async () => {
    const emulator = await startEmulator({ projects: [{ pid: 7, secret: "s" }], handlers: [{ endpoints: valueAddedEndpoints, handlers: { tcheck: () => ({ result: 0 }) } }] });
    const client = new RTMServerClient({ pid: 7, secret: "s", endpoint: emulator.endpoint, autoReconnect: false });
    try {
      expect(await client.textCheck("fine")).toEqual({ result: 0 });
      await expect(client.translate("x", "en")).rejects.toMatchObject({ code: 200060 });
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it("names the module when it does not export handlers", async () => {
    const parsed = parseCliArgs(["--port", "0", "--project", "7:s", "--handlers", fileURLToPath(import.meta.url)], { env: {} });
    if (parsed.kind !== "run") throw new Error("expected options");
    await expect(startFromCli(parsed.options)).rejects.toThrow(/--handlers .*cli-handlers\.test\.ts: the default export must be implement\(endpoints/);
  });
});
