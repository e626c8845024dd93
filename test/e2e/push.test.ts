import type { RTMMessage } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulator, PID, sdk } from "./helpers.js";

function until(ready: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (ready()) resolve();
      else if (Date.now() > deadline) reject(new Error("timed out waiting"));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/** A listening client that records every message push it is handed, by conversation. */
function recorder(client: ReturnType<typeof sdk>) {
  const group: RTMMessage[] = [];
  const p2p: RTMMessage[] = [];
  const other: string[] = [];
  client.onPush({
    groupChat: (m) => void group.push(m),
    p2pChat: (m) => void p2p.push(m),
    groupMessage: () => void other.push("groupMessage"),
    p2pMessage: () => void other.push("p2pMessage"),
    roomChat: () => void other.push("roomChat"),
  });
  return { group, p2p, other };
}

const texts = (messages: readonly RTMMessage[]): string[] => messages.map((m) => m.message);

describe("server push end to end: one SDK client sends, another listens", () => {
  it("every push arrives once, typed, in order per conversation; after the emulator cuts the connection the listen state comes back by itself", async () => {
    const server = await emulator();
    const listener = sdk(server.endpoint, { autoReconnect: true, regressiveStrategy: { firstIntervalMs: 10, maxIntervalMs: 50 } });
    const sender = sdk(server.endpoint);
    const got = recorder(listener);
    await listener.addListen([77], [], [1001]);

    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      sends.push(sender.sendGroupChat(2000 + (i % 3), 77, `g${i}`, ""));
      sends.push(sender.sendChat(1001, 1002, `p${i}`, ""));
      sends.push(sender.sendGroupChat(2001, 78, `unheard${i}`, ""));
      sends.push(sender.sendRoomChat(2001, 77, `room${i}`, ""));
    }
    await Promise.all(sends);
    await until(() => got.group.length === 100 && got.p2p.length === 100);
    expect(texts(got.group)).toEqual(Array.from({ length: 100 }, (_, i) => `g${i}`));
    expect(texts(got.p2p)).toEqual(Array.from({ length: 100 }, (_, i) => `p${i}`));
    expect(got.group[0]).toMatchObject({ fromUid: 2000n, toId: 77n, messageType: 30, attrs: "" });
    expect(typeof got.group[0]!.messageId).toBe("bigint");
    expect(got.p2p[0]).toMatchObject({ fromUid: 1001n, toId: 1002n });
    expect(got.other).toEqual([]);

    const reconnected = new Promise((resolve) => listener.once("connect", resolve));
    expect(server.dropConnections()).toBeGreaterThanOrEqual(1);
    await reconnected;
    await sender.sendGroupChat(2001, 77, "after the cut", "");
    await sender.sendChat(1001, 1003, "p2p after the cut", "");
    await until(() => got.group.length === 101 && got.p2p.length === 101);
    expect(got.group.at(-1)!.message).toBe("after the cut");
    expect(got.p2p.at(-1)!.message).toBe("p2p after the cut");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(got.group).toHaveLength(101);
    expect(got.p2p).toHaveLength(101);
  });

  it("duplicates the emulator's fault injection sends are dropped: each message reaches the handlers once", async () => {
    const server = await emulator({ faults: { duplicatePushes: true } });
    const listener = sdk(server.endpoint);
    const sender = sdk(server.endpoint);
    const got = recorder(listener);
    await listener.setListenAll(true, false, true, false);
    for (let i = 0; i < 20; i++) await sender.sendGroupChat(2001, 5, `m${i}`, "");
    await until(() => listener.duplicatePushes === 20 && got.group.length === 20);
    expect(texts(got.group)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));

    const keeping = sdk(server.endpoint, { pushDedupe: false });
    const all = recorder(keeping);
    await keeping.setListen([5]);
    await sender.sendGroupChat(2001, 5, "twice", "");
    await until(() => all.group.length === 2);
  });

  it("a simulated user's login, message and logout reach the listener as typed events and messages", async () => {
    const server = await emulator();
    const listener = sdk(server.endpoint);
    const events: string[] = [];
    const got = recorder(listener);
    listener.onPush("event", (e) => void events.push(`${e.event} ${e.uid} ${e.pid}`));
    await listener.setListen([9], [], [], ["login", "logout"]);
    server.setOnline(PID, 3001, true);
    await server.userSends({ pid: PID, from: 3001n, gid: 9n, message: "hello from a user" });
    server.setOnline(PID, 3001, false);
    await until(() => events.length === 2 && got.group.length === 1);
    expect(events).toEqual([`login 3001 ${PID}`, `logout 3001 ${PID}`]);
    expect(got.group[0]).toMatchObject({ fromUid: 3001n, toId: 9n, message: "hello from a user", messageType: 30 });
  });
});
