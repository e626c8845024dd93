// Every chat call and every generic message call of the SDK against the emulator, over real sockets
// and real (in-memory) SQLite.
import { MessageCategory, RtmErrorCode, type HistoryMessage } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulator, failure, manualClock, rawClient, sdk, signed } from "./helpers.js";

const A = 1001n;
const B = 1002n;
const C = 1003n;
const GROUP = 2001n;
const ROOM = 3001n;
const AUDIO = JSON.stringify({ sl: "en", rl: "en-US", rt: "recognised words", du: 1200 });

const texts = (messages: HistoryMessage[]) => messages.map((m) => m.message);

describe("P2P sends, history and single messages", () => {
  it("sendChat/sendAudio/sendCmd/sendMessage store messages that getP2PChat returns in both directions", async () => {
    const client = sdk((await emulator()).endpoint);
    const chat = await client.sendChat(A, B, "hi B", '{"k":1}');
    const audio = await client.sendAudio(B, A, AUDIO, "");
    const cmd = await client.sendCmd(A, B, "typing", "");
    const custom = await client.sendMessage(A, B, 77, "custom type", "");
    expect(audio.mtime).toBeGreaterThanOrEqual(chat.mtime);

    const page = await client.getP2PChat(A, B, false, 20, 0, 0, 0);
    expect(page.count).toBe(3); // mtypes 30, 31, 32 only
    expect(page.messages.map((m) => [m.fromUid, m.toId, m.messageType, m.messageId])).toEqual([
      [A, B, 30, chat.mid],
      [B, A, 31, audio.mid],
      [A, B, 32, cmd.mid],
    ]);
    expect(page.messages[0]).toMatchObject({ message: "hi B", attrs: '{"k":1}', modifiedTime: chat.mtime });
    expect(page.messages[1]).toMatchObject({
      message: "recognised words",
      audioInfo: { sourceLanguage: "en", recognizedLanguage: "en-US", recognizedText: "recognised words", duration: 1200 },
    });
    expect(page.lastCursorId).toBe(page.messages[2]!.cursorId);

    // The same conversation seen from B: same rows, same from/to.
    const fromB = await client.getP2PChat(B, A, true, 20, 0, 0, 0);
    expect(fromB.messages.map((m) => [m.fromUid, m.toId, m.messageId])).toEqual([
      [A, B, cmd.mid],
      [B, A, audio.mid],
      [A, B, chat.mid],
    ]);
    const customOnly = await client.getP2PMessage(A, B, true, 20, 0, 0, 0, [77]);
    expect(customOnly.messages.map((m) => [m.messageType, m.message, m.messageId])).toEqual([[77, "custom type", custom.mid]]);
    expect((await client.getP2PChat(A, C, true, 20, 0, 0, 0)).count).toBe(0);
  });

  it("getChat/getMessage return one message; deleteChat/deleteMessage remove it everywhere", async () => {
    const client = sdk((await emulator()).endpoint);
    const sent = await client.sendChat(A, B, "to delete", "{}");
    const kept = await client.sendCmd(A, B, "kept", "");
    const got = await client.getChat(sent.mid, A, B, MessageCategory.P2PMessage);
    expect(got).toEqual({ cursorId: expect.any(BigInt), messageType: 30, message: "to delete", attrs: "{}", modifiedTime: sent.mtime });
    expect(await client.getMessage(kept.mid, A, B, MessageCategory.P2PMessage)).toMatchObject({ messageType: 32, message: "kept" });
    // The message is identified by sender, category and target as well as mid.
    expect((await failure(client.getChat(sent.mid, B, A, MessageCategory.P2PMessage))).code).toBe(RtmErrorCode.MessageNotFound);
    expect((await failure(client.getChat(sent.mid, A, B, MessageCategory.GroupMessage))).code).toBe(RtmErrorCode.MessageNotFound);

    await client.deleteChat(sent.mid, A, B, MessageCategory.P2PMessage);
    const gone = await failure(client.getChat(sent.mid, A, B, MessageCategory.P2PMessage));
    expect(gone).toMatchObject({ code: RtmErrorCode.MessageNotFound, raiser: "rtm-emulator" });
    expect(gone.message).toContain(String(sent.mid));
    expect((await failure(client.deleteChat(sent.mid, A, B, MessageCategory.P2PMessage))).code).toBe(RtmErrorCode.MessageNotFound);
    expect(texts((await client.getP2PChat(A, B, false, 20, 0, 0, 0)).messages)).toEqual(["kept"]);
    await client.deleteMessage(kept.mid, A, B, MessageCategory.P2PMessage);
    expect((await client.getP2PChat(A, B, false, 20, 0, 0, 0)).count).toBe(0);
  });

  it("sendChats/sendAudios/sendCmds/sendMessages store one message per distinct recipient", async () => {
    const client = sdk((await emulator()).endpoint);
    const chats = await client.sendChats(A, [B, C, C], "to both", "");
    await client.sendAudios(A, [B, C], AUDIO, "");
    await client.sendCmds(A, [B], "cmd to B", "");
    await client.sendMessages(A, [C], 90, "custom to C", "");
    expect(texts((await client.getP2PChat(B, A, false, 20, 0, 0, 0)).messages)).toEqual(["to both", "recognised words", "cmd to B"]);
    expect(texts((await client.getP2PChat(C, A, false, 20, 0, 0, 0)).messages)).toEqual(["to both", "recognised words"]);
    expect(texts((await client.getP2PMessage(C, A, false, 20, 0, 0, 0, [90])).messages)).toEqual(["custom to C"]);
    for (const to of [B, C]) {
      expect(await client.getChat(chats.mid, A, to, MessageCategory.P2PMessage)).toMatchObject({ message: "to both", modifiedTime: chats.mtime });
    }
  });

  it("repeating a send with the same mid answers the original mtime and stores nothing new", async () => {
    const clock = manualClock();
    const client = sdk((await emulator({ now: clock.now })).endpoint);
    const first = await client.sendChat(A, B, "once", "");
    clock.ms += 5_000;
    const again = await client.sendChat(A, B, "once", "", { mid: first.mid });
    expect(again).toEqual(first);
    const group = await client.sendGroupChat(A, GROUP, "g", "", { mid: first.mid }); // another target: a new message
    expect(group.mtime).toBe(first.mtime + 5_000n);
    const many = await client.sendChats(A, [B, C], "once", "", { mid: first.mid }); // B has it already, C is new
    expect(many.mtime).toBe(first.mtime);
    expect((await client.getP2PChat(A, B, false, 20, 0, 0, 0)).count).toBe(1);
    expect((await client.getP2PChat(A, C, false, 20, 0, 0, 0)).count).toBe(1);
  });
});

describe("group, room and broadcast", () => {
  it("every group send kind, getGroupChat/getGroupMessage, delete and getMessageNum", async () => {
    const clock = manualClock();
    const client = sdk((await emulator({ now: clock.now })).endpoint);
    const t0 = BigInt(clock.ms);
    const first = await client.sendGroupChat(A, GROUP, "hello group", "");
    clock.ms += 1000;
    await client.sendGroupAudio(B, GROUP, AUDIO, "");
    clock.ms += 1000;
    const cmd = await client.sendGroupCmd(A, GROUP, "cmd", "");
    clock.ms += 1000;
    await client.sendGroupMessage(C, GROUP, 50, "custom", "");
    await client.sendGroupChat(A, GROUP + 1n, "other group", "");

    const page = await client.getGroupChat(GROUP, false, 20, 0, 0, 0, A);
    expect(page.messages.map((m) => [m.fromUid, m.toId, m.messageType, m.message])).toEqual([
      [A, GROUP, 30, "hello group"],
      [B, GROUP, 31, "recognised words"],
      [A, GROUP, 32, "cmd"],
    ]);
    expect(texts((await client.getGroupMessage(GROUP, true, 20, 0, 0, 0, [50, 30], A)).messages)).toEqual(["custom", "hello group"]);
    expect(await client.getChat(first.mid, A, GROUP, MessageCategory.GroupMessage)).toMatchObject({ message: "hello group" });

    expect(await client.getMessageNum(MessageCategory.GroupMessage, GROUP)).toEqual({ sender: 3, num: 4 });
    expect(await client.getMessageNum(MessageCategory.GroupMessage, GROUP, [30, 32])).toEqual({ sender: 1, num: 2 });
    expect(await client.getMessageNum(MessageCategory.GroupMessage, GROUP, undefined, t0 + 1000n, t0 + 2000n)).toEqual({ sender: 2, num: 2 });
    await client.deleteChat(cmd.mid, A, GROUP, MessageCategory.GroupMessage);
    expect(await client.getMessageNum(MessageCategory.GroupMessage, GROUP)).toEqual({ sender: 3, num: 3 });
    expect(texts((await client.getGroupChat(GROUP, false, 20, 0, 0, 0, A)).messages)).toEqual(["hello group", "recognised words"]);
    expect(await client.getMessageNum(MessageCategory.RoomMessage, GROUP)).toEqual({ sender: 0, num: 0 });
    expect((await failure(client.getMessageNum(MessageCategory.P2PMessage, A))).code).toBe(RtmErrorCode.InvalidParameter);
  });

  it("every room send kind, getRoomChat/getRoomMessage, get, delete and count", async () => {
    const client = sdk((await emulator()).endpoint);
    const chat = await client.sendRoomChat(A, ROOM, "room hi", "");
    await client.sendRoomAudio(B, ROOM, "not audio json", "");
    await client.sendRoomCmd(A, ROOM, "room cmd", "");
    await client.sendRoomMessage(A, ROOM, 40, "room custom", "");
    const page = await client.getRoomChat(ROOM, true, 20, 0, 0, 0, A);
    expect(page.messages.map((m) => [m.fromUid, m.toId, m.messageType, m.message, m.audioInfo])).toEqual([
      [A, ROOM, 32, "room cmd", undefined],
      [B, ROOM, 31, "not audio json", undefined],
      [A, ROOM, 30, "room hi", undefined],
    ]);
    expect(texts((await client.getRoomMessage(ROOM, true, 20, 0, 0, 0, [40], A)).messages)).toEqual(["room custom"]);
    expect(await client.getMessageNum(MessageCategory.RoomMessage, ROOM, [30, 31, 32])).toEqual({ sender: 2, num: 3 });
    expect(await client.getMessage(chat.mid, A, ROOM, MessageCategory.RoomMessage)).toMatchObject({ message: "room hi" });
    await client.deleteMessage(chat.mid, A, ROOM, MessageCategory.RoomMessage);
    expect((await failure(client.getChat(chat.mid, A, ROOM, MessageCategory.RoomMessage))).code).toBe(RtmErrorCode.MessageNotFound);
    expect((await client.getRoomChat(ROOM, true, 20, 0, 0, 0, A)).count).toBe(2);
  });

  it("every broadcast send kind, getBroadcastChat/getBroadcastMessage, get and delete; projects are isolated", async () => {
    const server = await emulator({ projects: [{ pid: 11000001, secret: "test-secret-123" }, { pid: 7, secret: "other" }] });
    const client = sdk(server.endpoint);
    const other = sdk(server.endpoint, { pid: 7, secret: "other" });
    const chat = await client.broadcastChat(A, "to everyone", "");
    await client.broadcastAudio(A, AUDIO, "");
    await client.broadcastCmd(B, "bcmd", "");
    await client.broadcastMessage(B, 99, "bcustom", "");
    await other.broadcastChat(A, "other project", "");
    const page = await client.getBroadcastChat(false, 20, 0, 0, 0, C);
    expect(page.messages.map((m) => [m.fromUid, m.toId, m.message])).toEqual([
      [A, 0n, "to everyone"],
      [A, 0n, "recognised words"],
      [B, 0n, "bcmd"],
    ]);
    expect(texts((await client.getBroadcastMessage(false, 20, 0, 0, 0, [99], C)).messages)).toEqual(["bcustom"]);
    expect(texts((await other.getBroadcastChat(false, 20, 0, 0, 0, C)).messages)).toEqual(["other project"]);
    expect(await client.getChat(chat.mid, A, 0n, MessageCategory.BroadcastMessage)).toMatchObject({ message: "to everyone" });
    expect((await failure(other.getChat(chat.mid, A, 0n, MessageCategory.BroadcastMessage))).code).toBe(RtmErrorCode.MessageNotFound);
    await client.deleteChat(chat.mid, A, 0n, MessageCategory.BroadcastMessage);
    expect(texts((await client.getBroadcastChat(false, 20, 0, 0, 0, C)).messages)).toEqual(["recognised words", "bcmd"]);
  });
});

describe("history paging", () => {
  /** `count` group messages, one per ms of the emulator's clock; returns their mtimes. */
  async function fill(count: number) {
    const clock = manualClock();
    const server = await emulator({ now: clock.now });
    const client = sdk(server.endpoint);
    const mtimes: bigint[] = [];
    for (let i = 0; i < count; i++) {
      clock.ms += 1;
      mtimes.push((await client.sendGroupChat(A, GROUP, `m${i}`, "")).mtime);
    }
    return { client, mtimes, server };
  }
  const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

  it("pages ascending and descending with lastid, ending on an empty page at an exact boundary", async () => {
    const { client } = await fill(40);
    const p1 = await client.getGroupChat(GROUP, false, 20, 0, 0, 0, A);
    const p2 = await client.getGroupChat(GROUP, false, 20, 0, 0, p1.lastCursorId, A);
    const p3 = await client.getGroupChat(GROUP, false, 20, 0, 0, p2.lastCursorId, A);
    expect([texts(p1.messages), texts(p2.messages)]).toEqual([names(0, 20), names(20, 40)]);
    expect(p3).toMatchObject({ count: 0, messages: [], lastCursorId: p2.lastCursorId });

    const d1 = await client.getGroupChat(GROUP, true, 20, 0, 0, 0, A);
    const d2 = await client.getGroupChat(GROUP, true, 20, 0, 0, d1.lastCursorId, A);
    const d3 = await client.getGroupChat(GROUP, true, 20, 0, 0, d2.lastCursorId, A);
    expect([texts(d1.messages), texts(d2.messages)]).toEqual([names(20, 40).reverse(), names(0, 20).reverse()]);
    expect(d3.count).toBe(0);

    const short = await client.getGroupChat(GROUP, false, 7, 0, 0, p1.lastCursorId, A);
    expect(texts(short.messages)).toEqual(names(20, 27));
    expect((await client.getGroupChat(GROUP + 5n, true, 20, 0, 0, 0, A))).toMatchObject({ count: 0, messages: [] });
  });

  it("a time window is inclusive at both ends, in both directions", async () => {
    const { client, mtimes } = await fill(30);
    const begin = mtimes[10]!;
    const end = mtimes[19]!;
    expect(texts((await client.getGroupChat(GROUP, false, 20, begin, end, 0, A)).messages)).toEqual(names(10, 20));
    expect(texts((await client.getGroupChat(GROUP, true, 20, begin, end, 0, A)).messages)).toEqual(names(10, 20).reverse());
    expect(texts((await client.getGroupChat(GROUP, true, 20, begin, 0, 0, A)).messages)).toEqual(names(10, 30).reverse());
    expect(texts((await client.getGroupChat(GROUP, false, 3, 0, end, 0, A)).messages)).toEqual(names(0, 3));
    // Continuing with lastid inside the window stays inside it.
    const first = await client.getGroupChat(GROUP, false, 4, begin, end, 0, A);
    const next = await client.getGroupChat(GROUP, false, 20, begin, end, first.lastCursorId, A);
    expect(texts(next.messages)).toEqual(names(14, 20));
    expect((await client.getGroupChat(GROUP, false, 20, end + 1000n, 0, 0, A)).count).toBe(0);
  });

  it("deleted rows are skipped and pages stay full", async () => {
    const { client } = await fill(25);
    const all = await client.getGroupChat(GROUP, false, 20, 0, 0, 0, A);
    for (const i of [0, 5, 6, 19]) await client.deleteChat(all.messages[i]!.messageId, A, GROUP, MessageCategory.GroupMessage);
    const p1 = await client.getGroupChat(GROUP, false, 20, 0, 0, 0, A);
    expect(texts(p1.messages)).toEqual(names(1, 25).filter((n) => !["m5", "m6", "m19"].includes(n)).slice(0, 20));
    const p2 = await client.getGroupChat(GROUP, false, 20, 0, 0, p1.lastCursorId, A);
    expect(texts(p2.messages)).toEqual(["m24"]);
    const d1 = await client.getGroupChat(GROUP, true, 3, 0, 0, 0, A);
    const d2 = await client.getGroupChat(GROUP, true, 3, 0, 0, d1.lastCursorId, A);
    expect([...texts(d1.messages), ...texts(d2.messages)]).toEqual(["m24", "m23", "m22", "m21", "m20", "m18"]);
  });

  it("the iterators walk every message both ways, with page sizes and windows", async () => {
    const { client, mtimes } = await fill(45);
    const collect = async (messages: AsyncIterable<HistoryMessage>) => {
      const out: string[] = [];
      for await (const m of messages) out.push(m.message);
      return out;
    };
    expect(await collect(client.iterateGroupChat(GROUP, { uid: A }))).toEqual(names(0, 45).reverse());
    expect(await collect(client.iterateGroupChat(GROUP, { uid: A, desc: false, pageSize: 7 }))).toEqual(names(0, 45));
    expect(await collect(client.iterateGroupChat(GROUP, { uid: A, desc: false, pageSize: 20, beginMsec: mtimes[5]!, endMsec: mtimes[39]! }))).toEqual(names(5, 40));
    expect(await collect(client.iterateGroupChat(GROUP, { uid: A, desc: true, pageSize: 15, endMsec: mtimes[29]! }))).toEqual(names(0, 30).reverse());
    expect(await collect(client.iterateGroupChat(GROUP + 9n, { uid: A }))).toEqual([]);
  });

  it("room, broadcast and p2p iterators", async () => {
    const client = sdk((await emulator()).endpoint);
    for (let i = 0; i < 23; i++) {
      await client.sendRoomChat(A, ROOM, `r${i}`, "");
      await client.broadcastChat(A, `b${i}`, "");
      await (i % 2 === 0 ? client.sendChat(A, B, `p${i}`, "") : client.sendChat(B, A, `p${i}`, ""));
    }
    const seq = (prefix: string) => Array.from({ length: 23 }, (_, i) => `${prefix}${i}`);
    const all = async (messages: AsyncIterable<HistoryMessage>) => {
      const out: HistoryMessage[] = [];
      for await (const m of messages) out.push(m);
      return out;
    };
    expect(texts(await all(client.iterateRoomChat(ROOM, { uid: A, desc: false })))).toEqual(seq("r"));
    expect(texts(await all(client.iterateBroadcastChat({ uid: A, pageSize: 10 })))).toEqual(seq("b").reverse());
    const p2p = await all(client.iterateP2PChat(B, A, { desc: false, pageSize: 20 }));
    expect(texts(p2p)).toEqual(seq("p"));
    expect(p2p.map((m) => m.fromUid)).toEqual(seq("p").map((_, i) => (i % 2 === 0 ? A : B)));
  });

  it("a page never holds more than 20 rows, whatever num asks for (raw quest)", async () => {
    const { server } = await fill(25);
    const raw = rawClient(server.endpoint);
    const answer = await raw.quest("getgroupmsg", { ...signed("getgroupmsg"), gid: GROUP, desc: false, num: 100, begin: 0, end: 0, lastid: 0, mtypes: [30], uid: A });
    expect(answer.num).toBe(20);
    expect((answer.msgs as unknown[]).length).toBe(20);
    expect((answer.msgs as unknown[][])[0]).toHaveLength(8);
  });
});
