import { describe, expect, it } from "vitest";
import { packJsonPayload, packPayload, packValue, unpackPayload, unpackValue } from "../src/msgpack/index.js";
import { StrBytes } from "../src/msgpack/index.js";
import { StrBytes as Exported } from "../src/index.js";

/** Bytes of the given length that are not UTF-8: 0xff never occurs in UTF-8. */
const raw = (length: number) => Uint8Array.from({ length }, (_, i) => (i % 3 === 0 ? 0xff : i & 0x7f));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("StrBytes: raw bytes written as a msgpack str", () => {
  it("is exported from the package index", () => {
    expect(Exported).toBe(StrBytes);
  });

  it.each([
    [0, "a0"],
    [1, "a1"],
    [31, "bf"],
    [32, "d920"],
    [255, "d9ff"],
    [256, "da0100"],
    [65535, "daffff"],
    [65536, "db00010000"],
    [70000, "db00011170"],
  ])("%i bytes: the str header that length needs, then the bytes as they are", (length, header) => {
    const bytes = raw(length);
    expect(hex(packValue(new StrBytes(bytes)))).toBe(header + hex(bytes));
  });

  it("inside a payload: a str (not a bin) holding exactly the bytes, wherever the view starts", () => {
    const backing = Uint8Array.from([0x00, 0x61, 0xff, 0xfe, 0x80, 0x00, 0xc3, 0x28, 0x62, 0x00]);
    const view = backing.subarray(1, 9); // 61fffe8000c32862
    const payload = packPayload({ msg: new StrBytes(view), rows: [[1, new StrBytes(view)]] });
    expect(hex(payload)).toBe("82a36d7367a861fffe8000c32862a4726f7773919201a861fffe8000c32862");
    // msgpackr reads it as a str: text, with U+FFFD for the invalid sequences.
    expect(unpackPayload(payload).msg).toBe("a\uFFFD\uFFFD\uFFFD\u0000\uFFFD(b");
    expect(unpackValue(packValue(new StrBytes(new TextEncoder().encode("héllo"))))).toBe("héllo");
  });

  it("a JSON answer cannot carry raw bytes: there they are the text they decode to", () => {
    const bytes = Uint8Array.of(0x61, 0xff, 0x62);
    expect(packJsonPayload({ msg: new StrBytes(bytes), n: 1 }).toString("utf8")).toBe('{"msg":"a\uFFFDb","n":1}');
    expect(String(new StrBytes(bytes))).toBe("a\uFFFDb");
    expect(new StrBytes(bytes).byteLength).toBe(3);
  });
});
