import { describe, expect, it } from "vitest";
import { code, loopUntil, moduleBytes, op, signedLeb, unsignedLeb, valueType } from "../src/encryption/wasm-binary.js";

const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: {
    validate(bytes: Uint8Array): boolean;
    Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
    Instance: new (module: object, imports: object) => { exports: Record<string, (...args: number[]) => number> };
    Module: new (bytes: Uint8Array) => object;
  };
};

describe("WebAssembly binary writer", () => {
  it("writes LEB128 numbers as the format defines them", () => {
    expect(unsignedLeb(0)).toEqual([0x00]);
    expect(unsignedLeb(127)).toEqual([0x7f]);
    expect(unsignedLeb(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(signedLeb(0)).toEqual([0x00]);
    expect(signedLeb(63)).toEqual([0x3f]);
    expect(signedLeb(64)).toEqual([0xc0, 0x00]); // bit 6 set would read as negative in one byte
    expect(signedLeb(-1)).toEqual([0x7f]);
    expect(signedLeb(-16)).toEqual([0x70]);
    expect(signedLeb(-64)).toEqual([0x40]);
    expect(signedLeb(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb(0x7fffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
  });

  it("writes a module that validates and runs: a sum over memory with a loop", () => {
    const { i32 } = valueType;
    const [from, end, sum] = [0, 1, 2];
    const sumBytes = {
      name: "sum",
      params: [i32, i32],
      results: [i32],
      locals: [i32],
      body: code(
        loopUntil(code(op.get(from), op.get(end), op.i32GeU), code(
          op.get(sum), op.get(from), op.i32Load8(), op.i32Add, op.set(sum),
          op.get(from), op.i32(1), op.i32Add, op.set(from),
        )),
        op.get(sum),
      ),
    };
    const bytes = moduleBytes([sumBytes]);
    expect(wasm.validate(bytes)).toBe(true);
    const memory = new wasm.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).set([1, 2, 3, 250, 7], 100);
    const { exports } = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    expect(exports.sum!(100, 105)).toBe(263);
    expect(exports.sum!(103, 103)).toBe(0);
  });
});
