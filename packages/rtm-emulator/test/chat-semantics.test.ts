import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { P2PDirection } from "@rtmkit/rtm-server-sdk";
import { codeOf, history, openChat, PID, send, T0 } from "./helpers.js";

const SENT = BigInt(P2PDirection.Sent);
const RECEIVED = BigInt(P2PDirection.Received);

let opened: ReturnType<typeof openChat>[] = [];
function setup(options: Parameters<typeof openChat>[0] = {}) {
  const env = openChat(options);
  opened.push(env);
  return env;
}
afterEach(() => {
  for (const env of opened) env.storage.close();
  opened = [];
});

const ids = (page: { msgs: unknown[][] }) => page.msgs.map((row) => row[3]); // mids

describe("sends", () => {
  it("stores a p2p message with the server mtime and answers it; getmsg returns it", async () => {
    const { chat, clock } = setup();
    clock.ms = T0 + 5;
    const { mtime } = await chat.sendmsg(PID, { mtype: 30, from: 1001n, to: 1002n, mid: 7n, msg: "hello", attrs: "{}" });
    expect(mtime).toBe(BigInt(T0 + 5));
    const got = chat.getmsg(PID, { mid: 7n, from: 1001n, xid: 1002n, type: 1 });
    expect(got).toEqual({ id: 1n, mtype: 30, msg: "hello", attrs: "{}", mtime: BigInt(T0 + 5) });
  });

  it("is idempotent on (from, target, mid): a repeat answers the original mtime and stores nothing", async () => {
    const { chat, clock } = setup();
    const first = await send(chat, 1, 99, { msg: "first" });
    clock.ms += 1000;
    const again = await send(chat, 1, 99, { msg: "changed" });
    expect(again.mtime).toBe(first.mtime);
    const page = await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n });
    expect(page.num).toBe(1);
    expect(page.msgs[0]![5]).toBe("first");
    // The same mid from another sender, to another group, or in another category is a new message.
    await send(chat, 1, 99, { from: 1002n });
    await send(chat, 2, 99);
    await chat.sendroommsg(PID, { mtype: 30, from: 1001n, rid: 1n, mid: 99n, msg: "room", attrs: "" });
    expect((await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n })).num).toBe(2);
    expect((await chat.getgroupmsg(PID, { ...history, gid: 2n, uid: 1n })).num).toBe(1);
    expect((await chat.getroommsg(PID, { ...history, rid: 1n, uid: 1n })).num).toBe(1);
  });

  it("sendmsgs stores one p2p message per distinct recipient with the same mid; a retry answers the original mtime", async () => {
    const { chat, clock } = setup();
    const { mtime } = await chat.sendmsgs(PID, { mtype: 32, from: 1n, tos: [2n, 3n, 3n, 4n], mid: 5n, msg: "cmd", attrs: "" });
    for (const to of [2, 3, 4]) {
      const page = await chat.getp2pmsg(PID, { ...history, uid: 1n, ouid: BigInt(to) });
      expect(page.msgs).toEqual([[expect.any(BigInt), SENT, 32, 5n, false, "cmd", "", mtime]]);
    }
    clock.ms += 10;
    // A retry that adds a recipient stores only the new row and still answers the original mtime.
    const retry = await chat.sendmsgs(PID, { mtype: 32, from: 1n, tos: [2n, 3n, 4n, 6n], mid: 5n, msg: "cmd", attrs: "" });
    expect(retry.mtime).toBe(mtime);
    expect((await chat.getp2pmsg(PID, { ...history, uid: 6n, ouid: 1n })).msgs[0]![7]).toBe(mtime + 10n);
    expect((await chat.getp2pmsg(PID, { ...history, uid: 2n, ouid: 1n })).num).toBe(1);
  });

  it("broadcast is per project, and projects are isolated from each other", async () => {
    const { chat } = setup();
    await chat.broadcastmsg(PID, { mtype: 30, from: 1n, mid: 1n, msg: "all", attrs: "" });
    await chat.broadcastmsg(PID + 1, { mtype: 30, from: 1n, mid: 1n, msg: "other project", attrs: "" });
    await chat.sendgroupmsg(PID + 1, { mtype: 30, from: 1n, gid: 1n, mid: 2n, msg: "g", attrs: "" });
    expect((await chat.getbroadcastmsg(PID, { ...history, uid: 9n })).msgs.map((r) => r[5])).toEqual(["all"]);
    expect((await chat.getbroadcastmsg(PID + 1, { ...history, uid: 9n })).msgs.map((r) => r[5])).toEqual(["other project"]);
    expect((await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n })).num).toBe(0);
    expect(await codeOf(() => chat.getmsg(PID, { mid: 2n, from: 1n, xid: 1n, type: 2 }))).toBe(RtmErrorCode.MessageNotFound);
    // getmsg of a broadcast ignores xid
    expect(chat.getmsg(PID, { mid: 1n, from: 1n, xid: 12345n, type: 4 }).msg).toBe("all");
  });

  it("keeps int64 ids exact at both ends of the range", async () => {
    const { chat } = setup();
    const max = 2n ** 63n - 1n;
    const min = -(2n ** 63n);
    await chat.sendmsg(PID, { mtype: 30, from: max, to: min, mid: max, msg: "edge", attrs: "" });
    const page = await chat.getp2pmsg(PID, { ...history, uid: min, ouid: max });
    expect(page.msgs[0]![1]).toBe(RECEIVED);
    expect(page.msgs[0]![3]).toBe(max);
    expect(chat.getmsg(PID, { mid: max, from: max, xid: min, type: 1 }).msg).toBe("edge");
  });

  it("stores raw bytes (a str that is not UTF-8) unchanged", async () => {
    const { chat } = setup();
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x41]);
    await chat.sendgroupmsg(PID, { mtype: 31, from: 1n, gid: 1n, mid: 1n, msg: bytes, attrs: "" });
    const got = chat.getmsg(PID, { mid: 1n, from: 1n, xid: 1n, type: 2 });
    expect(Buffer.from(got.msg as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
  });

  it("gives each message an mtime never below the previous one, even when the clock steps back", async () => {
    const { chat, clock } = setup();
    const a = await send(chat, 1, 1);
    clock.ms -= 60_000;
    const b = await send(chat, 1, 2);
    expect(b.mtime).toBe(a.mtime);
    expect(ids(await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n }))).toEqual([1n, 2n]);
  });
});

describe("refusals", () => {
  it("p2p to oneself -> 200052, also inside sendmsgs (nothing stored)", async () => {
    const { chat } = setup();
    expect(await codeOf(() => chat.sendmsg(PID, { mtype: 30, from: 1n, to: 1n, mid: 1n, msg: "", attrs: "" }))).toBe(RtmErrorCode.SendToSelf);
    expect(await codeOf(() => chat.sendmsgs(PID, { mtype: 30, from: 1n, tos: [2n, 1n], mid: 1n, msg: "", attrs: "" }))).toBe(RtmErrorCode.SendToSelf);
    expect((await chat.getp2pmsg(PID, { ...history, uid: 1n, ouid: 2n })).num).toBe(0);
  });

  it("mtype outside 1..127 -> 200005", async () => {
    const { chat } = setup();
    for (const mtype of [0, 128, -1]) expect(await codeOf(() => send(chat, 1, 1, { mtype }))).toBe(RtmErrorCode.InvalidMtype);
    expect((await send(chat, 1, 1, { mtype: 127 })).mtime).toBeTypeOf("bigint");
    expect((await send(chat, 1, 2, { mtype: 1 })).mtime).toBeTypeOf("bigint");
  });

  it("msg or attrs over the limit (in UTF-8 bytes) -> 200030; at the limit is accepted", async () => {
    const { chat } = setup({ limits: { maxMessageBytes: 8, maxAttrsBytes: 4 } });
    const base = { mtype: 30, from: 1n, gid: 1n };
    expect((await chat.sendgroupmsg(PID, { ...base, mid: 1n, msg: "12345678", attrs: "abcd" })).mtime).toBeTypeOf("bigint");
    expect(await codeOf(() => chat.sendgroupmsg(PID, { ...base, mid: 2n, msg: "123456789", attrs: "" }))).toBe(RtmErrorCode.LargeMessageOrAttrs);
    expect(await codeOf(() => chat.sendgroupmsg(PID, { ...base, mid: 3n, msg: "ééééé", attrs: "" }))).toBe(RtmErrorCode.LargeMessageOrAttrs);
    expect(await codeOf(() => chat.sendgroupmsg(PID, { ...base, mid: 4n, msg: "", attrs: "abcde" }))).toBe(RtmErrorCode.LargeMessageOrAttrs);
  });

  it("too many recipients -> 200032, none -> 200033", async () => {
    const { chat } = setup({ limits: { maxRecipients: 3 } });
    const base = { mtype: 30, from: 1n, mid: 1n, msg: "", attrs: "" };
    expect(await codeOf(() => chat.sendmsgs(PID, { ...base, tos: [2n, 3n, 4n, 5n] }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(await codeOf(() => chat.sendmsgs(PID, { ...base, tos: [] }))).toBe(RtmErrorCode.EmptyParameter);
    expect((await chat.sendmsgs(PID, { ...base, tos: [2n, 3n, 4n] })).mtime).toBeTypeOf("bigint");
  });

  // Types and int64 ranges are the generated contract's (packages/protocol/test, test/e2e/errors.test.ts); these are RTM's semantics.
  it("an unknown message category or an empty page -> 200034", async () => {
    const { chat } = setup();
    expect(await codeOf(() => chat.getmsg(PID, { mid: 1n, from: 1n, xid: 2n, type: 5 }))).toBe(RtmErrorCode.InvalidParameter);
    expect(await codeOf(() => chat.getgroupmsg(PID, { ...history, num: 0, gid: 1n, uid: 1n }))).toBe(RtmErrorCode.InvalidParameter);
  });
});

describe("history paging", () => {
  async function fill(count: number, gid = 1) {
    const env = setup();
    for (let mid = 1; mid <= count; mid++) {
      env.clock.ms = T0 + mid * 10; // message n at T0 + 10n ms
      await send(env.chat, gid, mid);
    }
    return env;
  }

  /** Walks every page, passing back lastid (and, if asked, the answer's begin/end). */
  async function walk(chat: ReturnType<typeof openChat>["chat"], query: Partial<typeof history>, followWindow: boolean) {
    type Query = typeof history & { gid: bigint; uid: bigint };
    const pages: bigint[][] = [];
    let q: Query = { ...history, ...query, gid: 1n, uid: 1n };
    for (let guard = 0; guard < 100; guard++) {
      const page = await chat.getgroupmsg(PID, q);
      expect(page.num).toBe(page.msgs.length);
      if (page.num === 0) {
        expect(page.lastid).toBe(BigInt(q.lastid));
        return pages;
      }
      pages.push(page.msgs.map((r) => r[3]));
      expect(page.lastid).toBe(page.msgs.at(-1)![0]);
      q = { ...q, lastid: page.lastid, ...(followWindow ? { begin: page.begin, end: page.end } : {}) };
    }
    throw new Error("paging did not end");
  }
  const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => BigInt(from < to ? from + i : from - i));

  it("pages ascending and descending through 45 messages in 20/20/5, then an empty page", async () => {
    const { chat } = await fill(45);
    for (const follow of [false, true]) {
      expect(await walk(chat, { desc: false }, follow)).toEqual([range(1, 20), range(21, 40), range(41, 45)]);
      expect(await walk(chat, { desc: true }, follow)).toEqual([range(45, 26), range(25, 6), range(5, 1)]);
    }
  });

  it("at an exact page boundary the next page is empty and echoes the request", async () => {
    const { chat } = await fill(40);
    expect(await walk(chat, { desc: false }, false)).toEqual([range(1, 20), range(21, 40)]);
    const after = await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n, lastid: 40n, begin: 5n, end: 6n });
    expect(after).toEqual({ num: 0, lastid: 40n, begin: 5n, end: 6n, msgs: [] });
    expect(await chat.getgroupmsg(PID, { ...history, gid: 2n, uid: 1n })).toEqual({ num: 0, lastid: 0n, begin: 0n, end: 0n, msgs: [] });
  });

  it("answers begin/end as the window left to read", async () => {
    const { chat } = await fill(30);
    const asc = await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n, end: BigInt(T0 + 250) });
    expect(asc).toMatchObject({ num: 20, lastid: 20n, begin: BigInt(T0 + 200), end: BigInt(T0 + 250) });
    const desc = await chat.getgroupmsg(PID, { ...history, desc: true, gid: 1n, uid: 1n, begin: BigInt(T0 + 50) });
    expect(desc).toMatchObject({ num: 20, lastid: 11n, begin: BigInt(T0 + 50), end: BigInt(T0 + 110) });
  });

  it("filters by an inclusive time window, both orders, with 0 = unbounded", async () => {
    const { chat } = await fill(30);
    const window = { begin: BigInt(T0 + 50), end: BigInt(T0 + 120) }; // messages 5..12
    expect(await walk(chat, { ...window, desc: false, num: 3 }, true)).toEqual([range(5, 7), range(8, 10), range(11, 12)]);
    expect(await walk(chat, { ...window, desc: true, num: 3 }, false)).toEqual([range(12, 10), range(9, 7), range(6, 5)]);
    expect(await walk(chat, { begin: BigInt(T0 + 280) }, false)).toEqual([range(28, 30)]);
    expect(await walk(chat, { end: BigInt(T0 + 20), desc: true }, false)).toEqual([range(2, 1)]);
    expect(await walk(chat, { begin: BigInt(T0 + 125), end: BigInt(T0 + 129) }, false)).toEqual([]);
  });

  it("applies the time window also when the cursor lies outside it", async () => {
    const { chat } = await fill(30);
    const window = { begin: BigInt(T0 + 50), end: BigInt(T0 + 120) }; // messages 5..12
    expect(ids(await chat.getgroupmsg(PID, { ...history, ...window, num: 3, gid: 1n, uid: 1n, lastid: 2n }))).toEqual(range(5, 7));
    expect(ids(await chat.getgroupmsg(PID, { ...history, ...window, num: 3, desc: true, gid: 1n, uid: 1n, lastid: 20n }))).toEqual(range(12, 10));
    expect(ids(await chat.getgroupmsg(PID, { ...history, ...window, num: 3, gid: 1n, uid: 1n, lastid: 11n }))).toEqual(range(12, 12));
    expect(ids(await chat.getgroupmsg(PID, { ...history, ...window, num: 3, desc: true, gid: 1n, uid: 1n, lastid: 6n }))).toEqual(range(5, 5));
  });

  it("caps num at 20", async () => {
    const { chat } = await fill(25);
    expect((await chat.getgroupmsg(PID, { ...history, num: 1000, gid: 1n, uid: 1n })).num).toBe(20);
  });

  it("filters by mtypes (empty = all)", async () => {
    const { chat } = setup();
    for (let mid = 1; mid <= 6; mid++) await send(chat, 1, mid, { mtype: mid % 2 === 0 ? 31 : 40 });
    expect(ids(await chat.getgroupmsg(PID, { ...history, mtypes: [31], gid: 1n, uid: 1n }))).toEqual([2n, 4n, 6n]);
    expect(ids(await chat.getgroupmsg(PID, { ...history, mtypes: [40, 32], gid: 1n, uid: 1n }))).toEqual([1n, 3n, 5n]);
    expect((await chat.getgroupmsg(PID, { ...history, mtypes: [], gid: 1n, uid: 1n })).num).toBe(6);
  });

  it("continues correctly from a cursor id of another conversation", async () => {
    const { chat } = setup();
    for (let mid = 1; mid <= 6; mid++) await send(chat, mid % 2 === 0 ? 1 : 2, mid); // ids 1..6 alternate groups
    expect(ids(await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n, lastid: 3n }))).toEqual([4n, 6n]);
    expect(ids(await chat.getgroupmsg(PID, { ...history, desc: true, gid: 1n, uid: 1n, lastid: 3n }))).toEqual([2n]);
    expect((await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n, lastid: 1000n })).num).toBe(0);
  });

  it("leaves deleted rows out of history; getmsg/delmsg of a deleted or unknown message -> 200070", async () => {
    const { chat } = await fill(5);
    await chat.delmsg(PID, { mid: 3n, from: 1001n, xid: 1n, type: 2 });
    expect(ids(await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n }))).toEqual([1n, 2n, 4n, 5n]);
    expect(ids(await chat.getgroupmsg(PID, { ...history, desc: true, num: 2, gid: 1n, uid: 1n, lastid: 5n }))).toEqual([4n, 2n]);
    expect(await codeOf(() => chat.getmsg(PID, { mid: 3n, from: 1001n, xid: 1n, type: 2 }))).toBe(RtmErrorCode.MessageNotFound);
    expect(await codeOf(() => chat.delmsg(PID, { mid: 3n, from: 1001n, xid: 1n, type: 2 }))).toBe(RtmErrorCode.MessageNotFound);
    expect(await codeOf(() => chat.delmsg(PID, { mid: 77n, from: 1001n, xid: 1n, type: 2 }))).toBe(RtmErrorCode.MessageNotFound);
    expect(await codeOf(() => chat.delmsg(PID, { mid: 2n, from: 1001n, xid: 1n, type: 3 }))).toBe(RtmErrorCode.MessageNotFound);
    // A resend of a deleted mid is still idempotent: nothing new appears.
    await send(chat, 1, 3);
    expect((await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n })).num).toBe(4);
  });

  it("p2p history holds both directions, each relative to the requesting uid, and nothing of other conversations", async () => {
    const { chat } = setup();
    const p2p = (from: number, to: number, mid: number) => chat.sendmsg(PID, { mtype: 30, from: BigInt(from), to: BigInt(to), mid: BigInt(mid), msg: `${from}->${to}`, attrs: "" });
    await p2p(1, 2, 1);
    await p2p(2, 1, 2);
    await p2p(1, 3, 3);
    await p2p(3, 2, 4);
    await p2p(1, 2, 5);
    const fromOne = await chat.getp2pmsg(PID, { ...history, uid: 1n, ouid: 2n });
    expect(fromOne.msgs.map((r) => [r[1], r[5]])).toEqual([
      [SENT, "1->2"],
      [RECEIVED, "2->1"],
      [SENT, "1->2"],
    ]);
    const fromTwo = await chat.getp2pmsg(PID, { ...history, desc: true, uid: 2n, ouid: 1n });
    expect(fromTwo.msgs.map((r) => [r[1], r[5]])).toEqual([
      [RECEIVED, "1->2"],
      [SENT, "2->1"],
      [RECEIVED, "1->2"],
    ]);
    expect((await chat.getp2pmsg(PID, { ...history, uid: 1n, ouid: 1n })).num).toBe(0);
    // getmsg/delmsg name the sender and the peer: the reverse direction is another message.
    expect(chat.getmsg(PID, { mid: 2n, from: 2n, xid: 1n, type: 1 }).msg).toBe("2->1");
    expect(await codeOf(() => chat.getmsg(PID, { mid: 2n, from: 1n, xid: 2n, type: 1 }))).toBe(RtmErrorCode.MessageNotFound);
  });
});
