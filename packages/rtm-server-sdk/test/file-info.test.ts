import { describe, expect, it } from "vitest";
import { historyResult, parseFileInfo, type HistoryPage } from "../src/index.js";

/** The flat attrs RTM's C++ SDK f459 wrote for sendFile(..., "photo.jpg") (test/vectors/rtm-server-wire.json). */
const capturedAttrs = '{"sign":"66b7175852f2524517ef49aa31655cdb","filename":"photo.jpg","ext":"jpg"}';

describe("fileInfo of file messages", () => {
  const msg = JSON.stringify({ url: "https://files/x", size: 21, surl: "https://files/x.small" });

  it("reads the nested attrs form, including a voice message's fields", () => {
    const attrs = JSON.stringify({ rtm: { type: "audiomsg", lang: "en", duration: 3000, filename: "v.amr", ext: "amr", sign: "s" }, custom: { k: "v" } });
    expect(parseFileInfo(msg, attrs)).toEqual({
      url: "https://files/x",
      size: 21n,
      surl: "https://files/x.small",
      fileName: "v.amr",
      fileExtension: "amr",
      isRTMAudio: true,
      language: "en",
      duration: 3000,
    });
  });

  it("reads the flat attrs form of the reference SDK, and survives attrs that are not JSON", () => {
    expect(parseFileInfo(msg, capturedAttrs)).toEqual({ url: "https://files/x", size: 21n, surl: "https://files/x.small", fileName: "photo.jpg", fileExtension: "jpg", isRTMAudio: false });
    expect(parseFileInfo(msg, "not json")).toEqual({ url: "https://files/x", size: 21n, surl: "https://files/x.small", isRTMAudio: false });
  });

  it("is absent when msg is not {url, size}", () => {
    expect(parseFileInfo("plain text", "{}")).toBeUndefined();
    expect(parseFileInfo(JSON.stringify({ url: "u" }), "{}")).toBeUndefined();
    expect(parseFileInfo(JSON.stringify({ url: "u", size: -1 }), "{}")).toBeUndefined();
  });

  it("is added to history rows of mtype 40..50 only; message and attrs stay as received, audio rows keep their audio info", () => {
    const audio = JSON.stringify({ sl: "en", rl: "en", rt: "hello", du: 3 });
    const page: HistoryPage = {
      count: 4,
      lastCursorId: 4n,
      beginMsec: 0n,
      endMsec: 0n,
      messages: [
        [1n, 7n, 40, 11n, false, msg, capturedAttrs, 100n],
        [2n, 7n, 39, 12n, false, msg, capturedAttrs, 101n],
        [3n, 7n, 51, 13n, false, msg, capturedAttrs, 102n],
        [4n, 7n, 31, 14n, false, audio, "", 103n],
      ],
    };
    const [file, below, above, voice] = historyResult(page, 9n).messages;
    expect(file).toMatchObject({ message: msg, attrs: capturedAttrs, fileInfo: { url: "https://files/x", size: 21n } });
    expect(below!.fileInfo).toBeUndefined();
    expect(above!.fileInfo).toBeUndefined();
    expect(voice).toMatchObject({ message: "hello", audioInfo: { recognizedText: "hello" } });
  });
});
