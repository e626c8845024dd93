// RTMServerClient's connection events (connect, close, reconnect, error) and hooks, against a real emulator.
import { describe, expect, it } from "vitest";
import { startEmulator } from "@rtmkit/rtm-emulator";
import type { AnswerEvent, FpnnError, QuestEvent } from "@rtmkit/fpnn";
import { emulator, onCleanup, PID, SECRET, sdk } from "./helpers.js";

async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("RTMServerClient events and hooks", () => {
  it("reports connect, close, error and reconnect through client.on(), and every call through hooks", async () => {
    const first = await emulator();
    const quests: QuestEvent[] = [];
    const answers: AnswerEvent[] = [];
    const client = sdk(first.endpoint, {
      hooks: { quest: (event) => quests.push(event), answer: (event) => answers.push(event) },
      regressiveStrategy: { startConnectFailedCount: 0, firstIntervalMs: 200, maxIntervalMs: 200 },
    });
    const connects: boolean[] = [];
    const closes: FpnnError[] = [];
    const errors: Error[] = [];
    const reconnects: number[] = [];
    client
      .on("connect", ({ reconnected }) => connects.push(reconnected))
      .on("close", (error) => closes.push(error))
      .on("error", (error) => errors.push(error))
      .on("reconnect", ({ delayMs }) => reconnects.push(delayMs));

    await client.sendChat(1001n, 1002n, "hello", "");
    expect(connects).toEqual([false]);
    expect(quests).toEqual([expect.objectContaining({ direction: "out", method: "sendmsg", oneway: false })]);
    expect(answers).toEqual([expect.objectContaining({ direction: "out", method: "sendmsg", error: undefined })]);

    await first.close();
    await waitFor(() => closes.length === 1 && reconnects.length > 0 && errors.length > 0, "close, reconnect and error events");
    expect(closes[0]!.code).toBeGreaterThanOrEqual(20000);
    expect((errors[0] as FpnnError).code).toBe(20012);
    expect(((errors[0] as FpnnError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");

    const second = await startEmulator({ projects: [{ pid: PID, secret: SECRET }], host: first.host, port: first.port });
    onCleanup(() => second.close());
    await waitFor(() => connects.length === 2, "the reconnection");
    expect(connects).toEqual([false, true]);
    await client.sendChat(1001n, 1002n, "again", "");
  });

  it("off() and once() remove and limit listeners", async () => {
    const running = await emulator();
    const client = sdk(running.endpoint);
    const seen: string[] = [];
    const every = (): void => void seen.push("every");
    client.once("connect", () => seen.push("once")).on("connect", every).off("connect", every);
    await client.connect();
    expect(seen).toEqual(["once"]);
  });
});
