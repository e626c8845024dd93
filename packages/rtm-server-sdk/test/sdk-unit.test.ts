import { FpnnError, FpnnErrorCode, unpackPayload } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { computeSign, historyResult, p2pHistoryResult, RTMError, RtmErrorCode, withAudioInfo, type HistoryPage } from "../src/index.js";
import { vectors } from "./helpers.js";

describe("signing", () => {
  it("reproduces the sign of every vector frame", () => {
    for (const call of vectors.calls) {
      const key = (k: string) => call.keys.find((x) => x.key === k)!.value;
      const sign = computeSign(vectors.pid, vectors.secret, BigInt(key("salt") as string), call.method, key("ts") as number);
      expect(sign, call.call).toBe(key("sign"));
    }
  });

  it("the vector frames decode to the documented payloads", () => {
    for (const call of vectors.calls) {
      const frame = Buffer.from(call.frameHex, "hex");
      const methodLength = frame[7]!;
      const payload = unpackPayload(frame.subarray(16 + methodLength));
      expect(Object.keys(payload)).toEqual(call.keys.map((k) => k.key));
    }
  });
});

describe("RTMError", () => {
  it("maps an FpnnError error answer, keeping code, message, raiser and naming the SDK method", () => {
    const e = RTMError.from(new FpnnError(200070, "message not found", { raiser: "rtm", method: "getmsg" }), "getChat");
    expect(e).toBeInstanceOf(RTMError);
    expect(e).toMatchObject({ code: RtmErrorCode.MessageNotFound, message: "message not found", raiser: "rtm", method: "getChat", isFpnnCode: false });
  });

  it("marks FPNN core codes", () => {
    const e = RTMError.from(new FpnnError(FpnnErrorCode.CoreTimeout, "timeout"), "sendChat");
    expect(e.isFpnnCode).toBe(true);
    expect(e.code).toBe(20003);
  });

  it("maps an AbortError to 20015 and anything else to 20001", () => {
    const abort = new Error("aborted");
    abort.name = "AbortError";
    expect(RTMError.from(abort, "sendChat").code).toBe(FpnnErrorCode.CoreCancelled);
    expect(RTMError.from("boom", "sendChat").code).toBe(FpnnErrorCode.CoreUnknownError);
  });

  it("instanceof works across copies (brand symbol)", () => {
    const foreign = Object.assign(new Error("x"), { code: 1, [Symbol.for("@rtmkit/rtm-server-sdk/RTMError")]: true });
    expect(foreign instanceof RTMError).toBe(true);
    expect(new Error("x") instanceof RTMError).toBe(false);
    expect(RTMError.is(foreign, 1)).toBe(true);
    expect(RTMError.is(foreign, 2)).toBe(false);
  });
});

describe("history mapping", () => {
  const page = (rows: HistoryPage["messages"]): HistoryPage => ({ count: rows.length, lastCursorId: 9n, beginMsec: 0n, endMsec: 0n, messages: rows });

  it("group rows: element 1 is the sender, toId the group", () => {
    const r = historyResult(page([[9n, 1001n, 30, 77n, false, "hi", "{}", 5n]]), 2001n);
    expect(r.messages).toEqual([{ cursorId: 9n, fromUid: 1001n, toId: 2001n, messageType: 30, messageId: 77n, message: "hi", attrs: "{}", modifiedTime: 5n }]);
    expect(r).toMatchObject({ count: 1, lastCursorId: 9n });
  });

  it("p2p rows: direction 1 = uid -> ouid, 2 = ouid -> uid; deleted rows dropped", () => {
    const r = p2pHistoryResult(
      page([
        [3n, 1n, 30, 1n, false, "a", "", 1n],
        [2n, 2n, 30, 2n, false, "b", "", 2n],
        [1n, 1n, 30, 3n, true, "c", "", 3n],
      ]),
      10n,
      20n,
    );
    expect(r.messages.map((m) => [m.fromUid, m.toId, m.message])).toEqual([
      [10n, 20n, "a"],
      [20n, 10n, "b"],
    ]);
    expect(r.count).toBe(3);
  });

  it("audio info: JSON {sl, rl, rt, du} on an audio row becomes audioInfo, rt the message", () => {
    const base = { cursorId: 1n, fromUid: 1n, toId: 2n, messageId: 3n, attrs: "", modifiedTime: 4n };
    const audio = withAudioInfo({ ...base, messageType: 31, message: '{"sl":"zh","rl":"zh-CN","rt":"ni hao","du":900}' });
    expect(audio.message).toBe("ni hao");
    expect(audio.audioInfo).toEqual({ sourceLanguage: "zh", recognizedLanguage: "zh-CN", recognizedText: "ni hao", duration: 900 });
    for (const m of [
      { ...base, messageType: 31, message: "raw audio bytes" },
      { ...base, messageType: 31, message: '{"sl":"zh"}' },
      { ...base, messageType: 30, message: '{"sl":"zh","rl":"zh","rt":"x","du":1}' },
    ]) {
      expect(withAudioInfo(m)).toEqual(m);
    }
  });
});
