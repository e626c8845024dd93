// The admin model's actions: deleting a message as delmsg does, resetting a project, and what an admin call does
// once the emulator is closed.
import { MessageCategory } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulatorForTest, failure, listening, OTHER_PID, PID, populate, sdk, until } from "./admin-helpers.js";

const NOT_FOUND = 200070;

describe("deleteMessage", () => {
  it("deletes as delmsg does: getmsg no longer finds it, history and the views leave it out; false when unknown or deleted already", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    const kept = await client.sendGroupChat(1001n, 5n, "kept", "");
    const gone = await client.sendGroupChat(1002n, 5n, "gone", "");
    const p2p = await client.sendChat(1001n, 1002n, "p2p", "");
    const all = await client.broadcastChat(1001n, "all", "");

    expect(emulator.admin.deleteMessage(PID, "group", "1002", "5", gone.mid.toString())).toBe(true);
    expect(emulator.admin.deleteMessage(PID, "group", "1002", "5", gone.mid.toString())).toBe(false);
    expect(emulator.admin.deleteMessage(PID, "group", "1001", "5", "12345")).toBe(false);
    expect(emulator.admin.deleteMessage(OTHER_PID, "group", "1001", "5", kept.mid.toString())).toBe(false);
    expect(await failure(client.getMessage(gone.mid, 1002n, 5n, MessageCategory.GroupMessage))).toBe(NOT_FOUND);
    expect((await client.getGroupChat(5n, true, 10, 0n, 0n, 0n, 1n)).messages.map((m) => m.message)).toEqual(["kept"]);
    expect(await client.getMessageNum(MessageCategory.GroupMessage, 5n)).toEqual({ num: 1, sender: 1 });
    expect(emulator.admin.conversations(PID, "group")).toMatchObject([{ id: "5", messages: 1 }]);
    expect(emulator.admin.messages(PID, "group", "5", null, null, 10).messages.map((m) => m.message)).toEqual(["kept"]);

    // p2p by sender and recipient; broadcast to "0".
    expect(emulator.admin.deleteMessage(PID, "p2p", "1001", "1002", p2p.mid.toString())).toBe(true);
    expect(emulator.admin.conversations(PID, "p2p")).toEqual([]);
    expect(emulator.admin.deleteMessage(PID, "broadcast", "1001", "0", all.mid.toString())).toBe(true);
    expect(await failure(client.getMessage(all.mid, 1001n, 0n, MessageCategory.BroadcastMessage))).toBe(NOT_FOUND);
    // delmsg of what the admin deleted: not found, as for any deleted message.
    expect(await failure(client.deleteMessage(gone.mid, 1002n, 5n, MessageCategory.GroupMessage))).toBe(NOT_FOUND);
  });

  it("commits the sends queued before it first, so it finds a message sent in the same turn", async () => {
    const emulator = await emulatorForTest();
    // userSends queues its write at once; the batcher would commit it at the end of this turn.
    const sending = emulator.userSends({ pid: PID, from: 1n, gid: 5n, message: "queued" });
    expect(emulator.admin.conversations(PID, "group")).toEqual([]);
    // No message has mid 1, but the delete committed the queued send before looking:
    expect(emulator.admin.deleteMessage(PID, "group", "1", "5", "1")).toBe(false);
    expect(emulator.admin.conversations(PID, "group")).toMatchObject([{ id: "5", messages: 1 }]);
    const { mid } = await sending;
    expect(emulator.admin.deleteMessage(PID, "group", "1", "5", mid.toString())).toBe(true);
  });

  it("refuses bad arguments, naming the argument", async () => {
    const emulator = await emulatorForTest();
    const del = (...args: unknown[]) => () => emulator.admin.deleteMessage(...(args as Parameters<typeof emulator.admin.deleteMessage>));
    expect(del(1, "group", "1", "5", "1")).toThrow("pid: 1 is not a project of this emulator");
    expect(del(PID, "chat", "1", "5", "1")).toThrow('kind: expected one of p2p, group, room, broadcast, got "chat"');
    expect(del(PID, "group", "one", "5", "1")).toThrow('from: expected an int64 in decimal text, got "one"');
    expect(del(PID, "group", "1", 5, "1")).toThrow("to: expected an int64 in decimal text, got 5");
    expect(del(PID, "group", "1", "5", "1.5")).toThrow('mid: expected an int64 in decimal text, got "1.5"');
    expect(del(PID, "broadcast", "1", "5", "1")).toThrow('to: a broadcast message is to "0", got "5"');
  });
});

describe("resetProject", () => {
  it("removes every row of the project in every table, takes its users offline; other projects and listen state stay", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    await populate(emulator, client);
    await sdk(emulator, OTHER_PID).sendChat(1n, 2n, "other project", "");
    const otherBefore = emulator.admin.exportState().projects[String(OTHER_PID)];
    emulator.userLogin(PID, 1001n);
    const listener = await listening(emulator, { ev: true, p2p: true });

    emulator.admin.resetProject(PID);
    const project = emulator.admin.exportState().projects[String(PID)] as Record<string, unknown[]>;
    for (const [table, rows] of Object.entries(project)) expect(rows, table).toEqual([]);
    expect(emulator.admin.exportState().projects[String(OTHER_PID)]).toEqual(otherBefore);
    expect(emulator.admin.users(PID)).toEqual([]);
    expect(emulator.admin.groups(PID)).toEqual([]);
    expect(emulator.admin.rooms(PID)).toEqual([]);
    for (const kind of ["p2p", "group", "room", "broadcast"] as const) expect(emulator.admin.conversations(PID, kind)).toEqual([]);
    expect((await client.getP2PChat(1001n, 1002n, true, 20, 0n, 0n, 0n)).messages).toEqual([]);
    expect(await client.getMessageNum(MessageCategory.GroupMessage, 5n)).toEqual({ num: 0, sender: 0 });
    expect(await client.getOnlineUsers([1001n])).toEqual({ onlineUserIds: [] });
    // The logout was pushed; the listener still listens.
    await until(() => listener.of("pushevent").length === 1, 5000, "the logout push");
    expect(listener.of("pushevent")[0]!.payload).toMatchObject({ event: "logout", uid: 1001 });
    expect(emulator.admin.listeners(PID)).toHaveLength(1);

    // Sends and history work on as in a new project; pages follow the new rows only.
    for (let i = 0; i < 5; i++) await client.sendChat(1001n, 1002n, `after ${i}`, "");
    const page = await client.getP2PChat(1001n, 1002n, false, 3, 0n, 0n, 0n);
    const rest = await client.getP2PChat(1001n, 1002n, false, 3, 0n, 0n, page.lastCursorId);
    expect([...page.messages, ...rest.messages].map((m) => m.message)).toEqual(["after 0", "after 1", "after 2", "after 3", "after 4"]);
    await until(() => listener.of("pushmsg").length === 5, 5000, "the pushes");
  });

  it("refuses a pid that is not a project", async () => {
    const emulator = await emulatorForTest();
    expect(() => emulator.admin.resetProject(42)).toThrow(new TypeError("pid: 42 is not a project of this emulator"));
  });
});

describe("after close", () => {
  it("calls that need the database say the emulator is closed; the rest still answer", async () => {
    const emulator = await emulatorForTest();
    await emulator.close();
    expect(emulator.admin.projects()).toEqual([PID, OTHER_PID].sort((a, b) => a - b));
    expect(() => emulator.admin.users(PID)).toThrow("the emulator is closed");
    expect(() => emulator.admin.resetProject(PID)).toThrow("the emulator is closed");
    expect(() => emulator.admin.exportState()).toThrow("the emulator is closed");
    expect(emulator.admin.overview(PID).calls.total).toBe(0);
  });
});
