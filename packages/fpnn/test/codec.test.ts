import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FpnnError } from "../src/errors.js";
import { encodeAnswer, encodeQuest, FrameDecoder, FrameError, FrameFlag, FrameType, type Frame } from "../src/frame.js";
import { packJsonPayload, packPayload, packValue, unpackJsonPayload, unpackPayload } from "../src/msgpack/index.js";
import { hex } from "./helpers.js";

interface VectorKey {
  key: string;
  wire: string;
  value: unknown;
}
interface VectorCall {
  call: string;
  method: string;
  frameHex: string;
  keys: VectorKey[];
}
const vectors = JSON.parse(readFileSync(new URL("../../../test/vectors/rtm-chat-wire.json", import.meta.url), "utf8")) as { calls: VectorCall[] };
const frames = vectors.calls.map((call) => ({ call, bytes: hex(call.frameHex) }));

function decodeAll(decoder: FrameDecoder): Frame[] {
  const out: Frame[] = [];
  for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) out.push(frame);
  return out;
}

/** Vector values above 2^53 are decimal strings; everything else is JSON. */
function expectVectorValue(actual: unknown, key: VectorKey): void {
  if (key.wire === "uint64" || key.wire === "int64") {
    const asText = typeof key.value === "string" ? key.value : String(key.value);
    expect(typeof actual === "bigint" || typeof actual === "number", `${key.key} is an integer`).toBe(true);
    expect(String(actual), key.key).toBe(asText);
    if (BigInt(asText) > BigInt(Number.MAX_SAFE_INTEGER)) expect(typeof actual, `${key.key} beyond 2^53 decodes to bigint`).toBe("bigint");
    else expect(typeof actual, `${key.key} within 2^53 decodes to number`).toBe("number");
  } else {
    expect(actual, key.key).toEqual(key.value);
  }
}

function expectVectorFrame(frame: Frame, call: VectorCall): void {
  expect(frame.type).toBe(FrameType.Twoway);
  expect(frame.flag).toBe(FrameFlag.Msgpack);
  expect(frame.method).toBe(call.method);
  const payload = unpackPayload(frame.payload);
  expect(Object.keys(payload)).toEqual(call.keys.map((k) => k.key));
  for (const key of call.keys) expectVectorValue(payload[key.key], key);
}

describe("rtm-chat-wire vectors", () => {
  it.each(frames.map((f) => [f.call.call, f] as const))("%s decodes to its documented keys and values", (_name, { call, bytes }) => {
    const decoder = new FrameDecoder();
    decoder.push(bytes);
    const decoded = decodeAll(decoder);
    expect(decoded).toHaveLength(1);
    expectVectorFrame(decoded[0]!, call);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("decodes every vector frame split at every byte boundary", () => {
    for (const { call, bytes } of frames) {
      for (let cut = 1; cut < bytes.length; cut++) {
        const decoder = new FrameDecoder();
        decoder.push(bytes.subarray(0, cut));
        expect(decoder.next()).toBeUndefined();
        decoder.push(bytes.subarray(cut));
        const decoded = decodeAll(decoder);
        expect(decoded, `${call.call} cut at ${cut}`).toHaveLength(1);
        expectVectorFrame(decoded[0]!, call);
      }
    }
  });

  it("decodes all vector frames from one chunk, and byte by byte", () => {
    const all = Buffer.concat(frames.map((f) => f.bytes));
    const oneChunk = new FrameDecoder();
    oneChunk.push(all);
    const decoded = decodeAll(oneChunk);
    expect(decoded).toHaveLength(frames.length);
    decoded.forEach((frame, i) => expectVectorFrame(frame, frames[i]!.call));

    const byteByByte = new FrameDecoder();
    const seen: Frame[] = [];
    for (const byte of all) {
      byteByByte.push(Uint8Array.of(byte));
      seen.push(...decodeAll(byteByByte));
    }
    expect(seen.map((f) => f.seq)).toEqual(decoded.map((f) => f.seq));
  });

  it("re-encodes each vector payload to a payload that decodes the same", () => {
    for (const { bytes } of frames) {
      const decoder = new FrameDecoder();
      decoder.push(bytes);
      const frame = decoder.next()!;
      const payload = unpackPayload(frame.payload);
      const again = encodeQuest(frame.method, packPayload(payload), frame.seq);
      const redecoder = new FrameDecoder();
      redecoder.push(again);
      const reframe = redecoder.next()!;
      expect(reframe.method).toBe(frame.method);
      expect(reframe.seq).toBe(frame.seq);
      expect(unpackPayload(reframe.payload)).toEqual(payload);
    }
  });
});

describe("frame encoding", () => {
  it("writes the FPNN header of a two-way quest, one-way quest and answer", () => {
    const body = packPayload({});
    expect(body).toEqual(Buffer.of(0x80));
    expect(encodeQuest("*ping", body, 7).toString("hex")).toBe("46504e4e01800105" + "01000000" + "07000000" + Buffer.from("*ping").toString("hex") + "80");
    expect(encodeQuest("ev", body, 0, { oneway: true }).toString("hex")).toBe("46504e4e01800002" + "01000000" + "6576" + "80");
    expect(encodeAnswer(0x01020304, body, { status: 1 }).toString("hex")).toBe("46504e4e01800201" + "01000000" + "04030201" + "80");
  });

  it("round-trips quests, one-way quests and answers with many frames per chunk", () => {
    const chunk = Buffer.concat([
      encodeQuest("a", packPayload({ x: 1 }), 1),
      encodeQuest("bb", packPayload({ y: "two" }), 0, { oneway: true }),
      encodeAnswer(1, packPayload({ z: [1, 2] })),
      encodeAnswer(2, packPayload({ code: 20004, ex: "unknown" }), { status: 1 }),
    ]);
    const decoder = new FrameDecoder();
    decoder.push(chunk);
    const decoded = decodeAll(decoder);
    expect(decoded.map((f) => [f.type, f.method, f.seq, f.status])).toEqual([
      [FrameType.Twoway, "a", 1, 0],
      [FrameType.Oneway, "bb", 0, 0],
      [FrameType.Answer, "", 1, 0],
      [FrameType.Answer, "", 2, 1],
    ]);
    expect(unpackPayload(decoded[3]!.payload)).toEqual({ code: 20004, ex: "unknown" });
  });

  it("takeRemaining hands back the undecoded rest of a chunk", () => {
    const first = encodeQuest("*key", packPayload({ k: 1 }), 1);
    const rest = Buffer.from("opaque encrypted bytes");
    const decoder = new FrameDecoder();
    decoder.push(Buffer.concat([first, rest.subarray(0, 5)]));
    decoder.push(rest.subarray(5));
    expect(decoder.next()?.method).toBe("*key");
    expect(Buffer.from(decoder.takeRemaining())).toEqual(rest);
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.next()).toBeUndefined();
  });
});

describe("frame decoding errors", () => {
  const good = encodeQuest("m", packPayload({ a: 1 }), 1);
  const cases: [string, Buffer, string][] = [
    ["bad magic", Buffer.concat([Buffer.from("FPNX"), good.subarray(4)]), "bad-magic"],
    ["bad flag", Buffer.from(good).fill(0x20, 5, 6), "bad-flag"],
    ["both flags", Buffer.from(good).fill(0xc0, 5, 6), "bad-flag"],
    ["bad type", Buffer.from(good).fill(3, 6, 7), "bad-type"],
    ["empty method", encodeAnswer(1, Buffer.of(0x80)).fill(1, 6, 7).fill(0, 7, 8), "empty-method"],
    ["zero-length payload", encodeAnswer(1, Buffer.alloc(0)), "empty-payload"],
    ["non-map payload", encodeQuest("m", packValue([1, 2]), 1), "not-a-map"],
    ["non-object JSON payload", encodeQuest("m", Buffer.from("[1]"), 1, { flag: FrameFlag.Json }), "not-a-map"],
  ];
  it.each(cases)("%s is a FrameError", (_name, bytes, reason) => {
    const decoder = new FrameDecoder();
    decoder.push(bytes);
    expect(() => decoder.next()).toThrow(FrameError);
    try {
      decoder.next();
    } catch (error) {
      expect((error as FrameError).reason).toBe(reason);
    }
  });

  it("rejects an oversize frame from its header, before its body arrives", () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024 });
    const header = encodeQuest("m", Buffer.alloc(2000, 0x80), 1).subarray(0, 20);
    decoder.push(header);
    expect(() => decoder.next()).toThrowError(/exceeds the limit of 1024/);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("accepts a frame of exactly the limit", () => {
    const payload = packPayload({ s: "x".repeat(100) });
    const frame = encodeQuest("m", payload, 1);
    const decoder = new FrameDecoder({ maxFrameSize: frame.length });
    decoder.push(frame);
    expect(decoder.next()?.method).toBe("m");
  });
});

describe("msgpack payloads", () => {
  it("packs integral numbers beyond 32 bits as msgpack integers, never float64", () => {
    expect(packValue(2 ** 40).toString("hex")).toBe("cf0000010000000000");
    expect(packValue(-(2 ** 40)).toString("hex")).toBe("d3ffffff0000000000");
    expect(packValue(0xffffffff).toString("hex")).toBe("ceffffffff");
    expect(packValue(-0x80000000).toString("hex")).toBe("d280000000");
    expect(packValue(Number.MAX_SAFE_INTEGER).toString("hex")).toBe("cf001fffffffffffff");
    expect(packValue(1.5).toString("hex")).toBe("cb3ff8000000000000");
    expect(packPayload({ nested: { list: [2 ** 33] } }).toString("hex")).toContain("cf0000000200000000");
  });

  it("packs every integer, number or bigint, in its smallest encoding (as the C++ SDK does)", () => {
    const cases: [number | bigint, string][] = [
      [0, "00"], [127, "7f"], [128, "cc80"], [255, "ccff"], [256, "cd0100"], [65535, "cdffff"], [65536, "ce00010000"],
      [-1, "ff"], [-32, "e0"], [-33, "d0df"], [-128, "d080"], [-129, "d1ff7f"], [-32768, "d18000"], [-32769, "d2ffff7fff"],
      [5n, "05"], [-5n, "fb"], [70000n, "ce00011170"], [2n ** 32n, "cf0000000100000000"], [-(2n ** 31n) - 1n, "d3ffffffff7fffffff"],
      [2n ** 63n, "cf8000000000000000"], [2n ** 64n - 1n, "cfffffffffffffffff"], [-(2n ** 63n), "d38000000000000000"],
    ];
    for (const [value, hexText] of cases) expect(packValue(value).toString("hex"), String(value)).toBe(hexText);
  });

  it("re-encodes every vector payload byte for byte", () => {
    for (const { call, bytes } of frames) {
      const decoder = new FrameDecoder();
      decoder.push(bytes);
      const frame = decoder.next()!;
      expect(packPayload(unpackPayload(frame.payload)).toString("hex"), call.call).toBe(Buffer.from(frame.payload).toString("hex"));
    }
  });

  it("encodes strings of every header size, ASCII or not", () => {
    for (const text of ["", "a", "é", "x".repeat(31), "x".repeat(32), "é".repeat(20), "€".repeat(100), "y".repeat(300), "z".repeat(70000), "😀 emoji"]) {
      expect(unpackPayload(packPayload({ text }))).toEqual({ text });
    }
    expect(packValue("é".repeat(20)).subarray(0, 2).toString("hex")).toBe("d928");
  });

  it("encodes maps and arrays of 16+ entries with wider headers", () => {
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const packed = packPayload({ wide, list: Array.from({ length: 70000 }, (_, i) => i % 3) });
    expect(unpackPayload(packed)).toEqual({ wide, list: Array.from({ length: 70000 }, (_, i) => i % 3) });
    expect(packPayload(wide)[0]).toBe(0xde);
  });

  it("decodes 64-bit integers to number while exact and to bigint beyond 2^53", () => {
    expect(unpackPayload(hex("81a178cf0000000000000005"))).toEqual({ x: 5 });
    expect(unpackPayload(hex("81a178cf001fffffffffffff"))).toEqual({ x: Number.MAX_SAFE_INTEGER });
    expect(unpackPayload(hex("81a178cf0020000000000001"))).toEqual({ x: 2n ** 53n + 1n });
    expect(unpackPayload(hex("81a178cfffffffffffffffff"))).toEqual({ x: 2n ** 64n - 1n });
    expect(unpackPayload(hex("81a178d38000000000000000"))).toEqual({ x: -(2n ** 63n) });
    expect(unpackPayload(hex("81a178d3ffffffffffffffff"))).toEqual({ x: -1 });
  });

  it("accepts bytes as bin and as str", () => {
    expect(unpackPayload(hex("81a16bc4026162"))).toEqual({ k: Buffer.from("ab") });
    expect(unpackPayload(hex("81a16ba26162"))).toEqual({ k: "ab" });
  });

  it("leaves undefined map values out and writes the empty map as 0x80", () => {
    expect(packPayload({ a: undefined }).toString("hex")).toBe("80");
    expect(packPayload({ a: 1, b: undefined }).toString("hex")).toBe("81a16101");
  });

  it("does not modify the caller's payload", () => {
    const payload = { big: 2 ** 40, gone: undefined };
    packPayload(payload);
    expect(payload).toEqual({ big: 2 ** 40, gone: undefined });
  });

  it("rejects values plain msgpack cannot carry, naming the field", () => {
    expect(() => packPayload({ when: new Date(0) })).toThrowError(/payload\.when: unsupported type Date/);
    expect(() => packPayload({ a: { b: [1, () => 1] } })).toThrowError(/payload\.a\.b\[1\]: unsupported type function/);
    expect(() => packPayload({ n: 2n ** 64n })).toThrowError(/payload\.n: .* outside the 64-bit integer range/);
    expect(() => packPayload({ n: 1e30 })).toThrowError(/payload\.n/);
    expect(() => packPayload([] as never)).toThrowError(/payload: must be a plain object/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => packPayload(cyclic)).toThrowError(/nested deeper/);
    try {
      packPayload({ when: new Date(0) });
    } catch (error) {
      expect(FpnnError.is(error, 20005)).toBe(true);
    }
  });

  it("rejects a payload that is not exactly one map with 20006", () => {
    for (const bytes of [hex("91 01"), hex("80 01"), hex("82 a1 61"), Buffer.alloc(0)]) {
      expect(() => unpackPayload(bytes)).toThrow(FpnnError);
    }
  });

  it("reads and writes JSON payloads with exact 64-bit integers", () => {
    expect(unpackJsonPayload(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(packJsonPayload({ id: 2n ** 63n, n: 1 }).toString()).toBe('{"id":9223372036854775808,"n":1}');
    expect(() => unpackJsonPayload(Buffer.from("[1]"))).toThrow(FpnnError);
  });
});
