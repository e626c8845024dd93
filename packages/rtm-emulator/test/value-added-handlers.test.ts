import { RTMServerClient, valueAddedEndpoints } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { implement, startEmulator } from "../src/index.js";

describe("a user's handlers for some of the value-added methods", () => {
  // The emulator's own refusal suggests `implement(valueAddedEndpoints, { translate: ... })`: the other
  // value-added methods must keep answering 200060 naming their service, not 20004 (unknown method).
  it("replace only the methods they handle; the rest still answer 200060, with no unknown-method warning", async () => {
    const lines: string[] = [];
    const emulator = await startEmulator({
      projects: { 11000001: "secret" },
      logLevel: "warn",
      log: (line) => lines.push(line),
      handlers: [implement(valueAddedEndpoints, { translate: ({ text, dst }: { text: string; dst: string }) => ({ source: "en", target: dst, sourceText: text, targetText: "hallo" }) } as never)],
    });
    const client = new RTMServerClient({ pid: 11000001, secret: "secret", endpoint: emulator.endpoint, autoReconnect: false });
    try {
      expect(await client.translate("hello", "de")).toEqual({ sourceLanguage: "en", targetLanguage: "de", sourceText: "hello", targetText: "hallo" });
      await expect(client.textCheck("text")).rejects.toMatchObject({ code: 200060, message: expect.stringContaining("text check") });
      await expect(client.profanity("text")).rejects.toMatchObject({ code: 200060, message: expect.stringContaining("profanity filter") });
      expect(lines.filter((line) => line.includes("without an emulator handler"))).toEqual([]);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});
