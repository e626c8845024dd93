// What a test simulates on a running emulator: end users sending (userSends), logging in and out, and every
// client connection dropped at once (dropConnections).
import { FpnnClient } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { Refusal } from "../src/errors.js";
import { startEmulator } from "../src/server/start.js";
import { emulatorForTest, Listener, listening, onCleanup, OTHER_PID, PID, sender, signed } from "./push-helpers.js";

const NOT_UTF8 = Buffer.from("61fffe8000c32862", "hex");

async function refusal(run: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await run();
  } catch (error) {
    if (Refusal.is(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a Refusal");
}

describe("userSends", () => {
  it("stores the message like the server API's send, with a fresh mid, and pushes it", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, { p2p: true, group: true, room: true });
    const send = sender(emulator);
    const p2p = await emulator.userSends({ pid: PID, from: 1001, to: 1002n, message: "hello" });
    const group = await emulator.userSends({ pid: PID, from: 1001n, gid: 2001n, mtype: 51, message: "g", attrs: "{}" });
    const room = await emulator.userSends({ pid: PID, from: 1001n, rid: 3001, message: NOT_UTF8 });
    expect(group.mid).toBeGreaterThan(p2p.mid);
    expect(room.mid).toBeGreaterThan(group.mid);
    expect(p2p.mid).toBeGreaterThan(2n ** 52n);
    const pushes = await listener.received(3);
    expect(pushes.map((push) => [push.method, BigInt(push.payload.mid as number), push.payload.mtype, push.payload.attrs, BigInt(push.payload.mtime as number)])).toEqual([
      ["pushmsg", p2p.mid, 30, "", p2p.mtime],
      ["pushgroupmsg", group.mid, 51, "{}", group.mtime],
      ["pushroommsg", room.mid, 30, "", room.mtime],
    ]);
    // Stored: the server API reads them back.
    expect(await send("getmsg", { mid: p2p.mid, from: 1001n, xid: 1002n, type: 1 })).toMatchObject({ msg: "hello", mtype: 30 });
    expect(await send("getmsg", { mid: group.mid, from: 1001n, xid: 2001n, type: 2 })).toMatchObject({ msg: "g", attrs: "{}", mtype: 51 });
    // Bytes that are not UTF-8 go out as a str of those bytes (the raw payload holds them).
    expect(pushes[2]!.raw.includes(NOT_UTF8)).toBe(true);
  });

  it("is refused as the server API's send would be, and a refused send pushes nothing", async () => {
    const emulator = await emulatorForTest({ limits: { maxMessageBytes: 10 } });
    const listener = await listening(emulator, { p2p: true, group: true, room: true });
    const send = sender(emulator);
    await send("addgroupban", { gid: 2001n, uid: 1001n, btime: 60 });
    await send("addroomban", { rid: 3001n, uid: 1001n, btime: 60 });
    await send("addblacks", { uid: 1002n, blacks: [1001n] });
    expect(await refusal(() => emulator.userSends({ pid: PID, from: 1001n, to: 1003n, mtype: 0, message: "x" }))).toMatchObject({ code: 200005 });
    expect(await refusal(() => emulator.userSends({ pid: PID, from: 1001n, to: 1003n, message: "more than ten bytes" }))).toMatchObject({ code: 200030 });
    expect(await refusal(() => emulator.userSends({ pid: PID, from: 1001n, gid: 2001n, message: "x" }))).toMatchObject({ code: 200044 });
    expect(await refusal(() => emulator.userSends({ pid: PID, from: 1001n, rid: 3001n, message: "x" }))).toMatchObject({ code: 200045 });
    expect(await refusal(() => emulator.userSends({ pid: PID, from: 1001n, to: 1002n, message: "x" }))).toMatchObject({ code: 200049 });
    expect(await refusal(() => emulator.userSends({ pid: PID, from: 1001n, to: 1001n, message: "x" }))).toMatchObject({ code: 200052 });
    const ok = await emulator.userSends({ pid: PID, from: 1001n, to: 1003n, message: "fine" });
    const [push] = await listener.received(1);
    expect(BigInt(push!.payload.mid as number)).toBe(ok.mid);
    expect(listener.pushes).toHaveLength(1);
  });

  it("takes exactly one of to, gid, rid, a project of the emulator and int64 ids (TypeError otherwise)", async () => {
    const emulator = await emulatorForTest();
    await expect(emulator.userSends({ pid: PID, from: 1n, message: "x" })).rejects.toThrow(new TypeError("userSends: exactly one of to, gid, rid, got none"));
    await expect(emulator.userSends({ pid: PID, from: 1n, to: 2n, gid: 3n, message: "x" })).rejects.toThrow("exactly one of to, gid, rid, got to, gid");
    await expect(emulator.userSends({ pid: 99, from: 1n, to: 2n, message: "x" })).rejects.toThrow("pid 99 is not a project of this emulator");
    await expect(emulator.userSends({ pid: PID, from: 2n ** 63n, to: 2n, message: "x" })).rejects.toThrow("from must be an int64");
    await expect(emulator.userSends({ pid: PID, from: 1n, to: 0.5, message: "x" })).rejects.toThrow("to must be an int64");
    await expect(emulator.userSends({ pid: PID, from: 1n, to: 2n, message: 5 as unknown as string })).rejects.toThrow("message must be a string or a Uint8Array");
    expect(() => emulator.userLogin(99, 1n)).toThrow("pid 99 is not a project of this emulator");
    expect(() => emulator.setOnline(PID, -(2n ** 64n), true)).toThrow("uid must be an int64");
  });
});

describe("presence", () => {
  it("userLogin and userLogout are setOnline, and getonlineusers sees them", async () => {
    const emulator = await emulatorForTest();
    const send = sender(emulator);
    emulator.userLogin(PID, 1n);
    emulator.setOnline(PID, 2n, true);
    emulator.userLogin(OTHER_PID, 3n);
    expect(await send("getonlineusers", { uids: [1n, 2n, 3n] })).toEqual({ uids: [1, 2] });
    emulator.userLogout(PID, 1n);
    emulator.setOnline(PID, 2n, false);
    expect(await send("getonlineusers", { uids: [1n, 2n, 3n] })).toEqual({ uids: [] });
  });
});

describe("dropConnections", () => {
  it("closes every client connection of the main endpoint at once and says how many; a reconnected listener listens again", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, { p2p: true });
    const send = sender(emulator);
    await send("sendmsg", { mtype: 30, from: 1n, to: 2n, mid: 1n, msg: "before", attrs: "" });
    await listener.received(1);
    const closed = new Promise((resolve) => listener.client.once("close", resolve));
    expect(emulator.dropConnections()).toBe(2);
    await closed;
    expect(emulator.dropConnections()).toBe(0);

    // Listen state went with the connection: a new one must listen again to get pushes.
    const again = new Listener(emulator.endpoint);
    const client = new FpnnClient({ endpoint: emulator.endpoint, autoReconnect: false, keepAlive: false });
    onCleanup(() => client.close());
    await signed(client, "sendmsg", { mtype: 30, from: 1n, to: 2n, mid: 3n, msg: "unheard", attrs: "" });
    await again.quest("setlisten", { p2p: true });
    await signed(client, "sendmsg", { mtype: 30, from: 1n, to: 2n, mid: 4n, msg: "heard", attrs: "" });
    await again.received(1);
    expect(again.of().map((push) => push.payload.msg)).toEqual(["heard"]);
    expect(listener.of().map((push) => push.payload.msg)).toEqual(["before"]);
  });
});

describe("push options", () => {
  it("are checked when the emulator starts, naming the option", async () => {
    const start = (options: object) => startEmulator({ projects: [{ pid: PID, secret: "s" }], ...options });
    await expect(start({ pushTimeoutSeconds: 0 })).rejects.toThrow(/^pushTimeoutSeconds must be a number of seconds in \(0, 86400\], got 0$/);
    await expect(start({ maxUnansweredPushes: 1.5 })).rejects.toThrow(/^maxUnansweredPushes must be a positive integer, got 1.5$/);
    await expect(start({ pushPingSeconds: -1 })).rejects.toThrow(/^pushPingSeconds must be a number of seconds in 0\.\.86400 \(0 = no ping\), got -1$/);
  });
});
