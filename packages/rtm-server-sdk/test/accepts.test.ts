import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { chat, computeSign, type MethodDescriptor } from "../src/index.js";
import { Signer } from "../src/signing.js";

/** Values around every boundary the IDL's input types have, and values of every wrong type. */
const pool: unknown[] = [
  0, 1, -1, 2, 3, 4, 5, 20, 21, 30, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53,
  -(2 ** 53), 1.5, -0, NaN, Infinity, 0n, 1n, -1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, "", "x", "1", true, false, null,
  undefined, [], [1], [1n, 2], [30, 31, 32], [1.5], [200], ["1"], [2n ** 63n], [, 1], new Set(), new Set([1n, 2]), new Set([30]), new Set([300]),
  new Set(["x"]), {}, { length: 0 }, new Uint8Array(1), () => 1, Symbol("x"),
];

const descriptors = Object.values(chat.chatMethods) as unknown as MethodDescriptor[];

function items(d: MethodDescriptor): z.ZodType[] {
  return (d.input as unknown as z.ZodTuple).def.items as unknown as z.ZodType[];
}

describe("generated fast argument checks (accepts)", () => {
  it("every chat method has one", () => {
    expect(descriptors.filter((d) => d.accepts === undefined).map((d) => d.name)).toEqual([]);
  });

  it("agree with the zod input schema for every parameter and every value of the pool", () => {
    let compared = 0;
    for (const d of descriptors) {
      const schemas = items(d);
      const base = schemas.map((s, i): unknown => {
        const valid = pool.find((v) => v !== undefined && s.safeParse(v).success);
        if (valid === undefined) throw new Error(`${d.name}: no valid pool value for parameter ${i}`);
        return valid;
      });
      expect(d.accepts!(base), d.name).toBe(true);
      expect(d.input.safeParse(base).success, d.name).toBe(true);
      for (let i = 0; i < base.length; i++) {
        for (const v of pool) {
          const args = base.slice();
          args[i] = v;
          expect(d.accepts!(args), `${d.name}(${d.params[i]} = ${String(v)})`).toBe(d.input.safeParse(args).success);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(descriptors.length * pool.length * 3);
  });
});

describe("Signer", () => {
  it("signs like computeSign", () => {
    const signer = new Signer(11000001, "s3cret:é");
    for (const salt of [1, 1700000000000001, 2n ** 62n]) {
      expect(signer.sign(salt, "sendmsg", 1700000000)).toBe(computeSign(11000001, "s3cret:é", salt, "sendmsg", 1700000000));
    }
  });
});
