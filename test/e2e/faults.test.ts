// Fault injection as a client sees it (no timing is asserted beyond "answered after the delay").
import { FpnnErrorCode } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { emulator, failure, sdk } from "./helpers.js";

describe("fault injection", () => {
  it("latency delays every answer", async () => {
    const client = sdk((await emulator({ faults: { latencyMs: 60 } })).endpoint);
    await client.connect();
    const started = performance.now();
    await client.sendChat(1n, 2n, "slow", "");
    expect(performance.now() - started).toBeGreaterThanOrEqual(55); // a lower bound only: setTimeout never fires early
  });

  it("a dropped answer makes the client time out, yet the send was stored; *ping is never faulted", async () => {
    const server = await emulator({ faults: { dropEveryNth: 2 } });
    const client = sdk(server.endpoint);
    const first = await client.sendChat(1n, 2n, "answered", "");
    const dropped = await failure(client.sendChat(1n, 2n, "never answered", "", { timeout: 0.3 }));
    expect(dropped.code).toBe(FpnnErrorCode.CoreTimeout);
    for (let i = 0; i < 3; i++) expect((await client.fpnn.quest("*ping", {})).ts).toEqual(expect.anything()); // not counted either
    const page = await client.getP2PChat(1n, 2n, false, 20, 0, 0, 0); // the 3rd faulted quest: answered
    expect(page.messages.map((m) => m.message)).toEqual(["answered", "never answered"]);
    expect(page.messages[0]!.messageId).toBe(first.mid);
    await server.close(); // does not wait for the held answer
  });

  it("close after N quests: the client sees the close (20002/20012 for what was in flight) and reconnects", async () => {
    const server = await emulator({ faults: { closeAfterQuests: 2, dropEveryNth: 2 } });
    const client = sdk(server.endpoint);
    const events: string[] = [];
    client.fpnn.on("connect", (e) => events.push(e.reconnected ? "reconnected" : "connected"));
    client.fpnn.on("close", (e) => events.push(`closed ${e.code}`));
    await client.sendGroupChat(1n, 5n, "first", "");
    // The 2nd quest is never answered and the connection is closed after it: the call fails at once.
    const inFlight = await failure(client.sendGroupChat(1n, 5n, "second", ""));
    expect([FpnnErrorCode.CoreConnectionClosed, FpnnErrorCode.CoreInvalidConnection]).toContain(inFlight.code);
    // The next call opens a new connection (with its own quest count) and is answered.
    await client.sendGroupChat(1n, 5n, "third", "");
    expect(events).toEqual(["connected", `closed ${inFlight.code}`, expect.stringMatching(/connected/)]);
    const reader = sdk(server.endpoint); // a fresh connection: its first quest is answered
    expect((await reader.getGroupChat(5n, false, 20, 0, 0, 0, 1n)).messages.map((m) => m.message)).toEqual(["first", "second", "third"]);
  });
});
