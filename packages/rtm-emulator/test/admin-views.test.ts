// The admin model's read views over a running emulator filled through the SDK: conversations and message pages,
// users, groups, rooms and listeners.
import { MessageCategory } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { MAX_CONVERSATIONS } from "../src/admin/conversation-views.js";
import type { ConsoleMessage } from "../src/admin/types.js";
import { emulatorForTest, listening, OTHER_PID, PID, sdk, until } from "./admin-helpers.js";

const NOT_UTF8 = Buffer.from("61fffe8000c32862", "hex");

describe("conversations and messages", () => {
  it("lists each kind's conversations, most recent first, with their live message counts", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    await client.sendChat(1001n, 1002n, "a", "");
    await client.sendChat(1002n, 1001n, "b", "");
    await client.sendChat(1003n, 1001n, "c", "");
    await client.sendGroupChat(1001n, 5n, "g1", "");
    await client.sendGroupChat(1002n, 6n, "g2", "");
    await client.sendGroupChat(1002n, 5n, "g3", "");
    await client.sendRoomChat(1001n, 7n, "r", "");
    await client.broadcastChat(1001n, "all", "");
    await sdk(emulator, OTHER_PID).sendChat(1001n, 1002n, "elsewhere", "");

    const p2p = emulator.admin.conversations(PID, "p2p");
    expect(p2p.map(({ id, otherId, messages }) => [id, otherId, messages])).toEqual([
      ["1001", "1003", 1],
      ["1001", "1002", 2],
    ]);
    expect(p2p[0]!.kind).toBe("p2p");
    expect(Number(p2p[0]!.lastMtime)).toBeGreaterThanOrEqual(Number(p2p[1]!.lastMtime));
    expect(emulator.admin.conversations(PID, "group").map(({ id, otherId, messages }) => [id, otherId, messages])).toEqual([
      ["5", null, 2],
      ["6", null, 1],
    ]);
    expect(emulator.admin.conversations(PID, "room").map(({ id, messages }) => [id, messages])).toEqual([["7", 1]]);
    expect(emulator.admin.conversations(PID, "broadcast").map(({ id, otherId, messages }) => [id, otherId, messages])).toEqual([["0", null, 1]]);
    expect(emulator.admin.conversations(OTHER_PID, "p2p")).toHaveLength(1);

    // A deleted message leaves the counts; a conversation with none left leaves the list.
    const sent = await client.sendChat(1004n, 1005n, "gone", "");
    await client.deleteMessage(sent.mid, 1004n, 1005n, MessageCategory.P2PMessage);
    await client.deleteMessage((await client.sendChat(1002n, 1001n, "also gone", "")).mid, 1002n, 1001n, MessageCategory.P2PMessage);
    expect(emulator.admin.conversations(PID, "p2p").map(({ id, otherId, messages }) => [id, otherId, messages])).toEqual([
      ["1001", "1002", 2],
      ["1001", "1003", 1],
    ]);
  });

  it(`answers at most ${MAX_CONVERSATIONS} conversations, the most recent`, async () => {
    const emulator = await emulatorForTest();
    for (let gid = 1; gid <= MAX_CONVERSATIONS + 1; gid++) await emulator.userSends({ pid: PID, from: 1n, gid, message: "x" });
    const groups = emulator.admin.conversations(PID, "group");
    expect(groups).toHaveLength(MAX_CONVERSATIONS);
    expect(groups[0]!.id).toBe(String(MAX_CONVERSATIONS + 1));
    expect(groups.some((group) => group.id === "1")).toBe(false);
  });

  it("pages a conversation newest first by cursor, leaving deleted messages out", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    const mids: bigint[] = [];
    for (let i = 0; i < 25; i++) mids.push((await client.sendGroupChat(1000n + BigInt(i % 3), 9n, `m${i}`, "")).mid);
    await client.sendGroupChat(1001n, 10n, "other group", "");
    await client.deleteMessage(mids[20]!, 1002n, 9n, MessageCategory.GroupMessage);

    const texts = (messages: ConsoleMessage[]) => messages.map((message) => message.message);
    const first = emulator.admin.messages(PID, "group", "9", null, null, 10);
    expect(texts(first.messages)).toEqual(["m24", "m23", "m22", "m21", "m19", "m18", "m17", "m16", "m15", "m14"]);
    expect(first.next).toBe(first.messages[9]!.cursor);
    const second = emulator.admin.messages(PID, "group", "9", null, first.next, 10);
    expect(texts(second.messages)).toEqual(["m13", "m12", "m11", "m10", "m9", "m8", "m7", "m6", "m5", "m4"]);
    const third = emulator.admin.messages(PID, "group", "9", null, second.next, 10);
    expect(texts(third.messages)).toEqual(["m3", "m2", "m1", "m0"]);
    expect(third.next).toBeNull();
    // Exactly a page left: no next.
    expect(emulator.admin.messages(PID, "group", "9", null, first.messages[9]!.cursor, 14).next).toBeNull();
    expect(first.messages[0]).toEqual({
      cursor: first.messages[0]!.cursor,
      kind: "group",
      from: "1000",
      to: "9",
      mid: mids[24]!.toString(),
      mtype: 30,
      message: "m24",
      attrs: "",
      mtime: expect.stringMatching(/^\d+$/),
      fileInfo: null,
      audioInfo: null,
    });
    expect(emulator.admin.messages(PID, "group", "404", null, null, 10)).toEqual({ messages: [], next: null });

    // p2p by its two users in either order; broadcast as "0".
    await client.sendChat(1001n, 1002n, "to 1002", "");
    await client.sendChat(1002n, 1001n, "to 1001", "");
    const p2p = emulator.admin.messages(PID, "p2p", "1002", "1001", null, 100);
    expect(p2p.messages.map((m) => [m.from, m.to, m.message])).toEqual([
      ["1002", "1001", "to 1001"],
      ["1001", "1002", "to 1002"],
    ]);
    await client.broadcastChat(1001n, "everyone", "");
    expect(emulator.admin.messages(PID, "broadcast", "0", null, null, 1).messages.map((m) => [m.kind, m.to, m.message])).toEqual([["broadcast", "0", "everyone"]]);
  });

  it("reads file and audio messages as the SDK does, and shows bodies that are not UTF-8 as hex", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    await client.sendMessage(1001n, 1002n, 40, '{"url":"http://files/a.png","size":12}', '{"rtm":{"filename":"a.png","ext":"png"},"custom":{}}');
    await client.sendMessage(1001n, 1002n, 50, '{"url":"http://files/v.amr","size":"3000"}', '{"rtm":{"type":"audiomsg","lang":"en","duration":2500,"filename":"v.amr"}}');
    await client.sendAudio(1001n, 1002n, '{"sl":"en","rl":"en-US","rt":"hello there","du":1200}', "");
    await emulator.userSends({ pid: PID, from: 1001n, to: 1002n, message: NOT_UTF8, attrs: "plain" });
    const [bytes, audio, voiceFile, image] = emulator.admin.messages(PID, "p2p", "1001", "1002", null, 10).messages;
    expect(image).toMatchObject({ mtype: 40, fileInfo: { url: "http://files/a.png", size: "12", fileName: "a.png", fileExtension: "png" }, audioInfo: null });
    expect(voiceFile).toMatchObject({ mtype: 50, fileInfo: { url: "http://files/v.amr", size: "3000", fileName: "v.amr" }, audioInfo: { language: "en", duration: 2500 } });
    expect(audio).toMatchObject({ mtype: 31, message: '{"sl":"en","rl":"en-US","rt":"hello there","du":1200}', fileInfo: null, audioInfo: { language: "en", duration: 1200, text: "hello there" } });
    expect(bytes).toMatchObject({ message: `hex:${NOT_UTF8.toString("hex")}`, attrs: "plain", fileInfo: null, audioInfo: null });
  });

  it("refuses bad arguments, naming the argument", async () => {
    const emulator = await emulatorForTest();
    const admin = emulator.admin;
    expect(() => admin.conversations(99, "p2p")).toThrow(new TypeError("pid: 99 is not a project of this emulator"));
    expect(() => admin.conversations(PID, "chat" as "p2p")).toThrow('kind: expected one of p2p, group, room, broadcast, got "chat"');
    expect(() => admin.messages(PID, "group", "x", null, null, 10)).toThrow('id: expected an int64 in decimal text, got "x"');
    expect(() => admin.messages(PID, "group", "9223372036854775808", null, null, 10)).toThrow("id: expected an int64");
    expect(() => admin.messages(PID, "group", 5 as unknown as string, null, null, 10)).toThrow("id: expected an int64 in decimal text, got 5");
    expect(() => admin.messages(PID, "p2p", "1", null, null, 10)).toThrow("otherId: a p2p conversation needs the other user");
    expect(() => admin.messages(PID, "p2p", "1", "y", null, 10)).toThrow("otherId: expected an int64");
    expect(() => admin.messages(PID, "group", "1", "2", null, 10)).toThrow('otherId: expected null for a group conversation, got "2"');
    expect(() => admin.messages(PID, "broadcast", "1", null, null, 10)).toThrow('id: the broadcast conversation is "0"');
    expect(() => admin.messages(PID, "group", "1", null, "abc", 10)).toThrow('before: expected an int64 in decimal text, got "abc"');
    expect(() => admin.messages(PID, "group", "1", null, "0", 10)).toThrow('before: expected a positive id, got "0"');
    expect(() => admin.messages(PID, "group", "1", null, null, 0)).toThrow("limit: expected an integer in 1..100, got 0");
    expect(() => admin.messages(PID, "group", "1", null, null, 101)).toThrow("limit: expected an integer in 1..100, got 101");
    expect(() => admin.messages(PID, "group", "1", null, null, 1.5)).toThrow("limit:");
    expect(() => admin.users(0)).toThrow("pid: 0 is not a project");
    expect(() => admin.groups("1" as unknown as number)).toThrow('pid: "1" is not a project');
    expect(() => admin.rooms(-1)).toThrow("pid:");
    expect(() => admin.listeners(2)).toThrow("pid:");
    expect(() => admin.overview(3)).toThrow("pid:");
    expect(() => admin.recentTraffic(0)).toThrow("limit: expected an integer in 1..1000, got 0");
    expect(() => admin.recentTraffic(1001)).toThrow("limit:");
    expect(() => admin.subscribe("x" as unknown as () => void)).toThrow("listener: expected a function");
  });
});

describe("users, groups, rooms", () => {
  it("lists every uid any table or presence mentions, ascending, with what is stored of each", async () => {
    const clock = { ms: 1_700_000_000_000 };
    const emulator = await emulatorForTest({ now: () => clock.ms, tsSkewSeconds: 1e9 });
    const client = sdk(emulator);
    await client.sendChat(99999999999n, 10n, "p2p", ""); // numeric order, not text order
    await client.sendGroupChat(1001n, 5n, "group sender", "");
    await client.addGroupMembers(5n, [1003n]);
    await client.addGroupBan(5n, 1004n, 60);
    await client.addRoomMember(7n, 1005n);
    await client.addFriends(1006n, [1007n]);
    await client.addBlacks(1008n, [1009n]);
    await client.addProjectBlack(1010n, 60);
    await client.setUserInfo(1011n, "public", "private");
    await client.dataSet(1012n, "k2", "v2");
    await client.dataSet(1012n, "k1", "v1");
    await client.getToken(1013n);
    await client.addDevice(1014n, "fcm", "token-b");
    await client.addDevice(1014n, "apns", "token-a");
    await client.addDevicePushOption(1015n, 0, 1n);
    await client.pullIntoRTCRoom(8n, [1016n], 1);
    emulator.userLogin(PID, 1017n);
    emulator.userLogin(OTHER_PID, 1018n);

    const users = emulator.admin.users(PID);
    expect(users.map((user) => user.uid)).toEqual(["10", "1001", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010", "1011", "1012", "1013", "1014", "1015", "1016", "1017", "99999999999"]);
    const byUid = new Map(users.map((user) => [user.uid, user]));
    const blank = { online: false, info: null, data: {}, friends: [], blacks: [], token: false, devices: [], projectBlackUntil: null };
    expect(byUid.get("10")).toEqual({ uid: "10", ...blank });
    expect(byUid.get("1006")).toEqual({ uid: "1006", ...blank, friends: ["1007"] });
    expect(byUid.get("1007")!.friends).toEqual(["1006"]);
    expect(byUid.get("1008")!.blacks).toEqual(["1009"]);
    expect(byUid.get("1009")!.blacks).toEqual([]);
    expect(byUid.get("1010")!.projectBlackUntil).toBe(String(clock.ms + 60_000));
    expect(byUid.get("1011")!.info).toEqual({ public: "public", private: "private" });
    expect(byUid.get("1012")!.data).toEqual({ k1: "v1", k2: "v2" });
    expect(byUid.get("1013")!.token).toBe(true);
    expect(byUid.get("1014")!.devices).toEqual([
      { appType: "apns", deviceToken: "token-a" },
      { appType: "fcm", deviceToken: "token-b" },
    ]);
    expect(byUid.get("1017")!.online).toBe(true);
    expect(emulator.admin.users(OTHER_PID).map((user) => [user.uid, user.online])).toEqual([["1018", true]]);

    // A project black that has ended holds nothing.
    clock.ms += 61_000;
    expect(emulator.admin.users(PID).find((user) => user.uid === "1010")!.projectBlackUntil).toBeNull();
  });

  it("lists groups and rooms with members, bans that hold (id 0: in every one), info, or messages", async () => {
    const clock = { ms: 1_700_000_000_000 };
    const emulator = await emulatorForTest({ now: () => clock.ms, tsSkewSeconds: 1e9 });
    const client = sdk(emulator);
    await client.addGroupMembers(20n, [3n, 1n, 2n]);
    await client.addGroupBan(20n, 2n, 60);
    await client.addGroupBan(21n, 4n, 1); // ends before the read
    await client.addGroupBan(0n, 5n, 600);
    await client.setGroupInfo(22n, "open", "");
    await client.sendGroupChat(1n, 3n, "only messages", "");
    await client.addRoomMember(30n, 9n);
    await client.addRoomBan(30n, 8n, 60);
    await client.setRoomInfo(31n, undefined, "secret");
    clock.ms += 2_000;

    expect(emulator.admin.groups(PID)).toEqual([
      { gid: "0", members: [], bans: [{ uid: "5", until: String(clock.ms - 2_000 + 600_000) }], info: null },
      { gid: "3", members: [], bans: [], info: null },
      { gid: "20", members: ["1", "2", "3"], bans: [{ uid: "2", until: String(clock.ms - 2_000 + 60_000) }], info: null },
      { gid: "22", members: [], bans: [], info: { public: "open", private: "" } },
    ]);
    expect(emulator.admin.rooms(PID)).toEqual([
      { rid: "30", members: ["9"], bans: [{ uid: "8", until: String(clock.ms - 2_000 + 60_000) }], info: null },
      { rid: "31", members: [], bans: [], info: { public: "", private: "secret" } },
    ]);
    expect(emulator.admin.groups(OTHER_PID)).toEqual([]);
  });
});

describe("listeners", () => {
  it("lists each listening connection with what it listens to and its unanswered pushes", async () => {
    const before = Date.now();
    const emulator = await emulatorForTest();
    const all = await listening(emulator, { group: true, room: true, p2p: true, ev: true });
    const some = await listening(emulator, { gids: [20n, 3n], rids: [7n], uids: [1002n], events: ["logout", "login"] });
    some.client.onQuest("pushmsg", () => new Promise(() => {}));
    await listening(emulator, { p2p: true }, OTHER_PID);
    await sdk(emulator).sendChat(1001n, 1002n, "unanswered by one", "");
    await all.received(1);
    await until(() => emulator.admin.listeners(PID).some((listener) => listener.listens.allGroup && listener.unansweredPushes === 0), 5000, "the answer to arrive");

    const listeners = emulator.admin.listeners(PID);
    expect(listeners).toHaveLength(2);
    for (const listener of listeners) {
      expect(listener.connection).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(listener.since).toBeGreaterThanOrEqual(before - 50);
      expect(listener.since).toBeLessThanOrEqual(Date.now() + 50);
    }
    expect(listeners.map((listener) => listener.listens)).toEqual([
      { gids: [], rids: [], uids: [], events: [], allGroup: true, allRoom: true, allP2P: true, allEvent: true },
      { gids: ["3", "20"], rids: ["7"], uids: ["1002"], events: ["login", "logout"], allGroup: false, allRoom: false, allP2P: false, allEvent: false },
    ]);
    expect(listeners.map((listener) => listener.unansweredPushes)).toEqual([0, 1]);
    expect(emulator.admin.overview(PID).listeners).toBe(2);
    expect(emulator.admin.listeners(OTHER_PID)).toHaveLength(1);
  });
});
