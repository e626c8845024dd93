// Message bodies that are msgpack str but not UTF-8 (a C++ peer's std::string: audio, files), over a
// real socket: the emulator keeps them byte for byte and answers the same str. Asserted on the raw
// answer frames: msgpackr would decode such a str lossily (U+FFFD), hiding the very thing under test.
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeQuest, FrameDecoder, FrameType, packPayload, StrBytes, unpackPayload, type Payload } from "@rtmkit/fpnn";
import { MessageCategory, RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emulator, sdk, signed } from "./helpers.js";

/** a ff fe 80 00 c3 ( b: four invalid sequences around an ASCII NUL. */
const NOT_UTF8 = Buffer.from("61fffe8000c32862", "hex");
/** Those bytes as a fixstr: header a8, then the bytes. */
const STR = `a8${NOT_UTF8.toString("hex")}`;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

interface RawAnswer {
  readonly status: number;
  /** The answer payload exactly as it came off the socket. */
  readonly bytes: Buffer;
  /** The same, decoded (strings lossily: only for the fields that are not under test). */
  readonly payload: Payload;
}

/** Sends signed quests as raw frames on one fresh socket and answers their raw answer payloads, in quest order. */
function questRaw(endpoint: string, quests: readonly [method: string, params: Payload][]): Promise<RawAnswer[]> {
  const port = Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
  const frames = quests.map(([method, params], i) => encodeQuest(method, packPayload({ ...signed(method), ...params }), i + 1));
  return new Promise((resolve, reject) => {
    const socket = connect(port, endpoint.slice(0, endpoint.lastIndexOf(":")));
    const decoder = new FrameDecoder();
    const answers: RawAnswer[] = [];
    let received = 0;
    const timer = setTimeout(() => done(new Error(`${received} of ${frames.length} answers after 5 s`)), 5000);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answers);
    };
    socket.on("connect", () => {
      // One at a time, so that a read is answered after the send before it has committed.
      socket.write(frames[0]!);
    });
    socket.on("data", (chunk) => {
      decoder.push(chunk);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        if (frame.type !== FrameType.Answer) continue;
        const bytes = Buffer.from(frame.payload); // a copy: the decoder reuses its buffer
        answers[frame.seq - 1] = { status: frame.status, bytes, payload: unpackPayload(bytes) };
        if (++received === frames.length) done();
        else socket.write(frames[received]!);
      }
    });
    socket.on("error", (error) => done(error));
    socket.on("close", () => done(new Error(`socket closed after ${received} of ${frames.length} answers`)));
  });
}

const FROM = 1001;
const TO = 1002;
const p2p = { mtype: 31, from: FROM, to: TO, mid: 7, msg: new StrBytes(NOT_UTF8), attrs: new StrBytes(NOT_UTF8) };
const getmsg = { mid: 7, from: FROM, xid: TO, type: MessageCategory.P2PMessage };
const getp2pmsg = { uid: TO, ouid: FROM, desc: true, num: 10, begin: 0, end: 0, lastid: 0, mtypes: [] };

/** getmsg's answer holds msg and attrs as the same str, with exactly the bytes sent. */
function expectGetmsgBytes(answer: RawAnswer): void {
  expect(answer.status).toBe(0);
  expect(hex(answer.bytes)).toContain(`a36d7367${STR}`); // "msg": str
  expect(hex(answer.bytes)).toContain(`a56174747273${STR}`); // "attrs": str
  const { id, mtype, mtime } = answer.payload;
  expect(mtype).toBe(31);
  // Byte for byte what a str of those bytes encodes to, and nothing else.
  expect(hex(answer.bytes)).toBe(hex(packPayload({ id, mtype, msg: new StrBytes(NOT_UTF8), attrs: new StrBytes(NOT_UTF8), mtime })));
}

/** getp2pmsg's one row: [id, direction, mtype, mid, deleted=false, msg, attrs, mtime] with msg and attrs the same str. */
function expectHistoryBytes(answer: RawAnswer): void {
  expect(answer.status).toBe(0);
  expect(answer.payload).toMatchObject({ num: 1 });
  expect(hex(answer.bytes)).toContain(`c2${STR}${STR}`); // deleted false, then msg and attrs
  const [[id, direction, mtype, mid, , , , mtime]] = answer.payload.msgs as unknown[][] as [unknown[]];
  expect([direction, mtype, mid]).toEqual([2, 31, 7]);
  const { num, lastid, begin, end } = answer.payload;
  const row = [id, direction, mtype, mid, false, new StrBytes(NOT_UTF8), new StrBytes(NOT_UTF8), mtime];
  expect(hex(answer.bytes)).toBe(hex(packPayload({ num, lastid, begin, end, msgs: [row] })));
}

describe("msg and attrs sent as a str that is not UTF-8", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rtm-raw-bytes-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("sendmsg is acknowledged; getmsg and getp2pmsg answer a str with exactly the bytes sent", async () => {
    const server = await emulator();
    const [sent, got, page] = await questRaw(server.endpoint, [
      ["sendmsg", p2p],
      ["getmsg", getmsg],
      ["getp2pmsg", getp2pmsg],
    ]);
    expect(sent!.status).toBe(0);
    expect(sent!.payload).toEqual({ mtime: expect.any(Number) });
    expectGetmsgBytes(got!);
    expectHistoryBytes(page!);
  });

  it("the quest carried them as a str (not a bin), byte for byte", () => {
    expect(hex(packPayload({ msg: p2p.msg }))).toBe(`81a36d7367${STR}`);
  });

  it("the bytes survive a restart on a file database", async () => {
    const db = join(dir, "chat.sqlite");
    const first = await emulator({ db });
    const [sent] = await questRaw(first.endpoint, [["sendmsg", p2p]]);
    expect(sent!.status).toBe(0);
    await first.close();

    const second = await emulator({ db });
    const [got, page] = await questRaw(second.endpoint, [
      ["getmsg", getmsg],
      ["getp2pmsg", getp2pmsg],
    ]);
    expectGetmsgBytes(got!);
    expectHistoryBytes(page!);
  });

  it("every send method keeps them, and each history answers them", async () => {
    const server = await emulator();
    const common = { mtype: 31, from: FROM, msg: new StrBytes(NOT_UTF8), attrs: new StrBytes(NOT_UTF8) };
    const history = { desc: false, num: 20, begin: 0, end: 0, lastid: 0, mtypes: [31] };
    const answers = await questRaw(server.endpoint, [
      ["sendmsgs", { ...common, tos: [2001, 2002], mid: 1 }],
      ["sendgroupmsg", { ...common, gid: 3001, mid: 2 }],
      ["sendroommsg", { ...common, rid: 4001, mid: 3 }],
      ["broadcastmsg", { ...common, mid: 4 }],
      ["getp2pmsg", { ...history, uid: 2002, ouid: FROM }],
      ["getgroupmsg", { ...history, gid: 3001, uid: FROM }],
      ["getroommsg", { ...history, rid: 4001, uid: FROM }],
      ["getbroadcastmsg", { ...history, uid: FROM }],
      ["getmsg", { mid: 2, from: FROM, xid: 3001, type: MessageCategory.GroupMessage }],
      ["getmsg", { mid: 3, from: FROM, xid: 4001, type: MessageCategory.RoomMessage }],
      ["getmsg", { mid: 4, from: FROM, xid: 0, type: MessageCategory.BroadcastMessage }],
    ]);
    for (const answer of answers.slice(0, 4)) expect(answer.status).toBe(0);
    for (const page of answers.slice(4, 8)) {
      expect(page.payload).toMatchObject({ num: 1 });
      expect(hex(page.bytes)).toContain(`c2${STR}${STR}`);
    }
    for (const got of answers.slice(8)) {
      expect(got.status).toBe(0);
      expect(hex(got.bytes)).toContain(`a36d7367${STR}a56174747273${STR}`);
    }
  });

  it("the size limits count their bytes, not the longer text a lossy decode makes of them", async () => {
    // 8 bytes as sent; decoded lossily they would be 16 bytes of UTF-8 (four U+FFFD of 3 bytes each).
    const server = await emulator({ limits: { maxMessageBytes: 8, maxAttrsBytes: 8 } });
    const nine = new StrBytes(Buffer.concat([NOT_UTF8, Buffer.of(0xff)]));
    const [atLimit, msgOver, attrsOver] = await questRaw(server.endpoint, [
      ["sendmsg", p2p],
      ["sendmsg", { ...p2p, mid: 8, msg: nine }],
      ["sendmsg", { ...p2p, mid: 9, attrs: nine }],
    ]);
    expect(atLimit!.status).toBe(0);
    expect(msgOver!.payload).toMatchObject({ code: RtmErrorCode.LargeMessageOrAttrs, ex: "msg is 9 bytes, the limit is 8" });
    expect(attrsOver!.payload).toMatchObject({ code: RtmErrorCode.LargeMessageOrAttrs, ex: "attrs is 9 bytes, the limit is 8" });
  });

  it("a valid UTF-8 msg that holds U+FFFD itself stays that text, through raw frames and the SDK", async () => {
    const server = await emulator();
    const text = "ok \uFFFD \u00e9\uFFFD";
    const [sent, got] = await questRaw(server.endpoint, [
      ["sendmsg", { ...p2p, msg: text, attrs: "\uFFFD" }],
      ["getmsg", getmsg],
    ]);
    expect(sent!.status).toBe(0);
    expect(got!.payload).toMatchObject({ msg: text, attrs: "\uFFFD" });
    expect(hex(got!.bytes)).toContain(`a36d7367${hex(packPayload({ m: text })).slice(6)}`);

    const client = sdk(server.endpoint);
    const { mid } = await client.sendChat(5001n, 5002n, text, "\uFFFD");
    expect(await client.getChat(mid, 5001n, 5002n, MessageCategory.P2PMessage)).toMatchObject({ message: text, attrs: "\uFFFD" });
  });
});
