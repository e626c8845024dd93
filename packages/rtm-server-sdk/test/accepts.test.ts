import { argsSchema, CallPlan, inputSchema, type AnyMethod } from "@rtmkit/protocol";
import { describe, expect, it } from "vitest";
import { chat, computeSign, Signer } from "../src/index.js";
import { clientHooks } from "../src/hooks.js";
import { idGenerators } from "../src/ids.js";

/** Values around every boundary the IDL's input types have, and values of every wrong type. */
const pool: unknown[] = [
  0, 1, -1, 2, 3, 4, 5, 20, 21, 30, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53,
  -(2 ** 53), 1.5, -0, NaN, Infinity, 0n, 1n, -1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, "", "x", "1", true, false, null,
  undefined, [], [1], [1n, 2], [30, 31, 32], [1.5], [200], ["1"], [2n ** 63n], [, 1], new Set(), new Set([1n, 2]), new Set([30]), new Set([300]),
  new Set(["x"]), {}, { length: 0 }, new Uint8Array(1), () => 1, Symbol("x"),
];

const descriptors = Object.values(chat.chatMethods) as AnyMethod[];

describe("the plain argument checks of the chat tables", () => {
  it("agree with the zod input schema for every parameter and every value of the pool", () => {
    let compared = 0;
    for (const d of descriptors) {
      const plan = new CallPlan(d, { hooks: clientHooks, ids: idGenerators });
      const input = argsSchema(d);
      const accepts = (args: unknown[]): boolean => plan.argumentIssue(args) === undefined;
      const schemas = d.params.map((p) => inputSchema(p.type, p.bounds));
      const base = schemas.map((s, i): unknown => {
        const valid = pool.find((v) => v !== undefined && s.safeParse(v).success);
        if (valid === undefined) throw new Error(`${d.name}: no valid pool value for parameter ${i}`);
        return valid;
      });
      expect(accepts(base), d.name).toBe(true);
      expect(input.safeParse(base).success, d.name).toBe(true);
      for (let i = 0; i < base.length; i++) {
        for (const v of pool) {
          const args = base.slice();
          args[i] = v;
          expect(accepts(args), `${d.name}(${d.params[i]!.name} = ${String(v)})`).toBe(input.safeParse(args).success);
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
