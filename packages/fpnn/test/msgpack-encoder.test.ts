import { describe, expect, it } from "vitest";
import { ByteBuffer } from "../src/msgpack/byte-buffer.js";
import { MsgpackEncoder } from "../src/msgpack/encoder.js";
import { UnencodableValue } from "../src/msgpack/unencodable.js";
import { packJsonPayload, packPayload, packValue } from "../src/msgpack/index.js";

function unencodable(value: unknown): UnencodableValue {
  const encoder = new MsgpackEncoder();
  try {
    encoder.writeValue(new ByteBuffer(16), value);
  } catch (error) {
    expect(error).toBeInstanceOf(UnencodableValue);
    return error as UnencodableValue;
  }
  throw new Error("encoded");
}

describe("MsgpackEncoder field paths", () => {
  it("names the field of what it cannot encode, from the top value down", () => {
    const cases: [unknown, string, RegExp][] = [
      [{ tos: [1, 2, 3, 2n ** 64n] }, "tos[3]", /outside the 64-bit integer range/],
      [{ attrs: Symbol("x") }, "attrs", /^unsupported type symbol$/],
      [{ a: { b: [1, () => 1] } }, "a.b[1]", /^unsupported type function$/],
      [{ m: new Map<unknown, unknown>([["k", { when: new Date(0) }]]) }, 'm["k"].when', /^unsupported type Date$/],
      [{ m: new Map<unknown, unknown>([[7, -(2 ** 64)]]) }, "m[7]", /outside the 64-bit integer range/],
      [{ s: new Set([1, 1e30]) }, "s[1]", /^1e\+30 is outside the 64-bit integer range$/],
      [[{ x: 1 }, { y: new (class Point {})() }], "[1].y", /^unsupported type Point$/],
      [Symbol("top"), "", /^unsupported type symbol$/],
    ];
    for (const [value, path, problem] of cases) {
      const error = unencodable(value);
      expect(error.path).toBe(path);
      expect(error.problem).toMatch(problem);
      expect(error.message).toBe(path === "" ? error.problem : `${path}: ${error.problem}`);
    }
  });

  it("refuses containers nested deeper than 64 levels (a cycle) at the container that is too deep", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = unencodable(cyclic);
    expect(error.problem).toBe("nested deeper than 64 levels (a cycle?)");
    expect(error.path).toBe(Array(64).fill("self").join("."));
    let nested: unknown = Buffer.of(1);
    for (let i = 0; i < 64; i++) nested = [nested];
    expect(packValue(nested).subarray(-3)).toEqual(Buffer.of(0xc4, 1, 1)); // bytes in the deepest container allowed
  });

  it("puts the path under the name of the top value in FpnnError 20005", () => {
    expect(() => packPayload({ tos: [1, 2, 3, 2n ** 64n] })).toThrow(/^payload\.tos\[3\]: 18446744073709551616 is outside the 64-bit integer range$/);
    expect(() => packValue([1, Symbol()])).toThrow(/^value\[1\]: unsupported type symbol$/);
    expect(() => packValue(Symbol())).toThrow(/^value: unsupported type symbol$/);
    expect(() => packJsonPayload({ a: { when: new Date(0) } })).toThrow(/^payload\.a\.when: unsupported type Date$/);
  });

  it("leaves the buffer of a failed write to its caller, and encodes again afterwards", () => {
    const out = new ByteBuffer(4);
    const encoder = new MsgpackEncoder();
    expect(() => encoder.writeMap(out, { a: "x".repeat(100), b: Symbol() })).toThrow(UnencodableValue);
    out.clear();
    encoder.writeMap(out, { a: 1 });
    expect(out.copy().toString("hex")).toBe("81a16101");
  });

  it("keeps the bytes before `start` out of a grown buffer", () => {
    const out = new ByteBuffer(8);
    const encoder = new MsgpackEncoder();
    encoder.writeValue(out, "abc");
    out.start = out.length;
    encoder.writeValue(out, "x".repeat(20));
    expect(out.start).toBe(0);
    expect(out.copy()).toEqual(packValue("x".repeat(20)));
  });

  it("writes JSON answers with integers beyond 2^53 as the digits they are", () => {
    expect(packJsonPayload({ a: 2 ** 63, b: -(2n ** 63n), s: new Set([1]), gone: undefined }).toString()).toBe('{"a":9223372036854775808,"b":-9223372036854775808,"s":[1]}');
  });
});
