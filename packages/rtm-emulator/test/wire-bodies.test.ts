import { isUtf8 } from "node:buffer";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeQuest, FpnnClient, FpnnServer, FrameDecoder, FrameFlag, packPayload, StrBytes, unpackPayload, type Frame, type Payload } from "@rtmkit/fpnn";
import { registerHandlers } from "@rtmkit/protocol";
import { chatEndpoints, computeSign, P2PDirection } from "@rtmkit/rtm-server-sdk";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Authenticator } from "../src/auth.js";
import { RtmErrorCode } from "../src/errors.js";
import { createChatHandlers } from "../src/server/chat-handlers.js";
import { historyAnswer, messageAnswer, sentBody, withSentBodies } from "../src/server/wire-bodies.js";
import { MessageCategory, type HistoryPage } from "../src/storage/types.js";
import { history, openChat, PID } from "./helpers.js";

const SENT = BigInt(P2PDirection.Sent);
const NOT_UTF8 = Buffer.from("61fffe8000c32862", "hex");

/** The quest frame a peer would send, decoded as the server sees it. */
function frameOf(payload: Payload, flag: number = FrameFlag.Msgpack): Frame {
  const body = flag === FrameFlag.Json ? Buffer.from(JSON.stringify(payload)) : packPayload(payload);
  const decoder = new FrameDecoder();
  decoder.push(encodeQuest("sendmsg", body, 1, { flag }));
  return decoder.next()!;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the U+FFFD trigger", () => {
  it("msgpackr's decode of a str that is not UTF-8 always holds U+FFFD (what sentBody relies on)", () => {
    // Short strings, long ones (decoded natively), bytes biased to the UTF-8 lead and continuation ranges.
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.oneof(fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0x20, max: 0x7e })), { maxLength: 80 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(bytes, (raw) => {
        const payload = packPayload({ mid: 1n, msg: new StrBytes(raw) });
        const decoded = unpackPayload(payload).msg as string;
        if (!isUtf8(raw)) expect(decoded).toContain("\uFFFD");
        else expect(Buffer.from(decoded, "utf8").equals(Buffer.from(raw))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("sentBody", () => {
  it("text as decoded unless it holds U+FFFD and its bytes are not UTF-8; then a copy of those bytes", () => {
    expect(sentBody("plain", "msg", frameOf({ msg: "plain" }))).toBe("plain");
    const valid = "a\uFFFDb";
    expect(sentBody(valid, "msg", frameOf({ msg: valid }))).toBe(valid);
    const frame = frameOf({ from: 1n, msg: new StrBytes(NOT_UTF8), attrs: "" });
    const lossy = unpackPayload(frame.payload).msg as string;
    const body = sentBody(lossy, "msg", frame) as Buffer;
    expect(Buffer.isBuffer(body) && body.equals(NOT_UTF8)).toBe(true);
    // A copy: the frame's buffer is reused for later frames, the store writes at the end of the turn.
    frame.bytes.fill(0);
    expect(body.equals(NOT_UTF8)).toBe(true);
  });

  it("JSON quests are always text (their decoder refuses invalid UTF-8)", () => {
    const valid = "a\uFFFDb";
    expect(sentBody(valid, "msg", frameOf({ msg: valid }, FrameFlag.Json))).toBe(valid);
  });

  it("withSentBodies keeps the request object when both bodies are text as decoded", () => {
    const request = { from: 1n, msg: "hi", attrs: "" };
    expect(withSentBodies(request, frameOf(request))).toBe(request);
    const frame = frameOf({ from: 1n, msg: "hi", attrs: new StrBytes(NOT_UTF8) });
    const sent = withSentBodies({ from: 1n, ...(unpackPayload(frame.payload) as { msg: string; attrs: string }) }, frame);
    expect(sent.msg).toBe("hi");
    expect(Buffer.from(sent.attrs as Uint8Array).equals(NOT_UTF8)).toBe(true);
  });
});

describe("storage and answers", () => {
  it("text is stored as TEXT and bytes as a BLOB, and both come back as they went in", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-wire-bodies-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "chat.sqlite");
    const { storage, chat } = openChat({ path });
    await chat.sendmsg(PID, { mtype: 31, from: 1n, to: 2n, mid: 1n, msg: NOT_UTF8, attrs: "a\uFFFD" });
    storage.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT typeof(msg) AS msg, typeof(attrs) AS attrs, hex(msg) AS bytes FROM messages").get()).toEqual({
      msg: "blob",
      attrs: "text",
      bytes: NOT_UTF8.toString("hex").toUpperCase(),
    });
    db.close();
  });

  it("messageAnswer and historyAnswer wrap byte bodies in StrBytes without copying them, and leave text rows untouched", () => {
    const bytes = Buffer.from(NOT_UTF8);
    const text = { id: 1n, mtype: 30, msg: "hi", attrs: "", mtime: 5n };
    expect(messageAnswer(text)).toBe(text);
    const answer = messageAnswer({ ...text, msg: bytes });
    expect(answer.msg).toBeInstanceOf(StrBytes);
    expect((answer.msg as StrBytes).bytes).toBe(bytes);
    expect(answer.attrs).toBe("");

    const textRow: HistoryPage["msgs"][number] = [1n, SENT, 30, 1n, false, "hi", "", 5n];
    const bytesRow: HistoryPage["msgs"][number] = [2n, SENT, 31, 2n, false, bytes, "", 6n];
    const page: HistoryPage = { num: 2, lastid: 2n, begin: 0n, end: 6n, msgs: [textRow, bytesRow] };
    const wire = historyAnswer(page);
    expect(wire.msgs[0]).toBe(textRow);
    expect(wire.msgs[0]).toEqual([1n, SENT, 30, 1n, false, "hi", "", 5n]);
    expect(wire.msgs[1]![5]).toBeInstanceOf(StrBytes);
    expect((wire.msgs[1]![5] as StrBytes).bytes).toBe(bytes);
    expect(wire.msgs[1]![6]).toBe("");
  });

  it("answers with byte bodies pass the contract's answer validation (validateAnswers)", async () => {
    const { storage, chat } = openChat();
    cleanups.push(() => storage.close());
    const now = Date.now();
    const auth = new Authenticator({ projects: new Map([[PID, "secret"]]), now: () => now });
    const server = new FpnnServer();
    registerHandlers(server, chatEndpoints, createChatHandlers(auth, chat), {
      missingCode: RtmErrorCode.EmptyParameter,
      invalidCode: RtmErrorCode.InvalidParameter,
      validateAnswers: true,
    });
    const errors: Error[] = [];
    server.on("error", (error) => errors.push(error));
    const { port } = await server.listen(0, "127.0.0.1");
    cleanups.push(() => server.close());
    const client = new FpnnClient({ endpoint: `127.0.0.1:${port}`, autoReconnect: false, keepAlive: false });
    cleanups.push(() => client.close());
    let salt = 0n;
    const quest = (method: string, params: Payload) => {
      const ts = Math.floor(now / 1000);
      return client.quest(method, { pid: PID, sign: computeSign(PID, "secret", ++salt, method, ts), salt, ts, ...params });
    };
    const raw = new StrBytes(NOT_UTF8);
    await quest("sendmsg", { mtype: 31, from: 1n, to: 2n, mid: 1n, msg: raw, attrs: raw });
    await quest("sendgroupmsg", { mtype: 31, from: 1n, gid: 3n, mid: 2n, msg: raw, attrs: "" });
    const lossy = "a\uFFFD\uFFFD\uFFFD\u0000\uFFFD(b";
    expect(await quest("getmsg", { mid: 1n, from: 1n, xid: 2n, type: MessageCategory.P2PMessage })).toMatchObject({ msg: lossy, attrs: lossy });
    expect(await quest("getp2pmsg", { ...history, uid: 1n, ouid: 2n })).toMatchObject({ num: 1 });
    expect(await quest("getgroupmsg", { ...history, gid: 3n, uid: 1n })).toMatchObject({ num: 1 });
    expect(errors).toEqual([]);
  });
});
