import { describe, expect, it } from "vitest";
import { ANSWER_MISMATCH, CallPlan, endpoints, int8, int16, int64, method, returns, service, setOf, string, variant } from "../src/index.js";

const store = service("store", "signed");
const id = { type: int64, generate: "id", option: "id", returned: true } as const;
const put = method(store, "putMessage", "put", "Put a message.", {
  params: { owner: ["o", int64], kind: ["k", int8], tags: ["t", setOf(int64), { optional: true }], limit: ["n", int16, { max: 20 }] },
  filled: { id },
  answer: { at: int64, n: ["count", int16, { optional: true }] },
  hook: { name: "stamp", args: { who: "owner" } },
  result: returns<{ at: bigint; id: bigint; who: unknown }>(),
});
const putRed = variant(put, "putRed", { kind: 1 });
let next = 100;
const parts = { hooks: { stamp: (result: Record<string, unknown>, args: Record<string, unknown>) => ({ ...result, who: args.who }) }, ids: { id: () => next++ } };

describe("method tables", () => {
  it("a variant is its base without the fixed parameters, which travel as fixed fields", () => {
    expect(putRed.params.map((p) => p.name)).toEqual(["owner", "tags", "limit"]);
    expect(putRed.fixed).toEqual([["k", 1]]);
    expect(putRed.base).toBe(put);
    expect(putRed.fpnn).toBe("put");
    expect(() => variant(put, "putBad", { colour: 1 } as never)).toThrow(/putBad: fixes colour, which putMessage does not have/);
  });

  it("endpoints are keyed by their FPNN method", () => {
    expect(endpoints({ put })).toEqual({ put });
    expect(() => endpoints({ get: put })).toThrow(/endpoint get holds putMessage, whose FPNN method is put/);
  });
});

describe("CallPlan", () => {
  const plan = new CallPlan(putRed, parts);

  it("fills fixed fields, arguments (a Set as an array, undefined optional left out) and filled fields, in that order", () => {
    const payload: Record<string, unknown> = {};
    plan.fill(payload, [7n, new Set([1n, 2n]), 5], undefined);
    expect(Object.entries(payload)).toEqual([["k", 1], ["o", 7n], ["t", [1n, 2n]], ["n", 5], ["id", 100]]);
    const given: Record<string, unknown> = {};
    plan.fill(given, [7n, undefined, 5], { id: 9n });
    expect(given).toEqual({ k: 1, o: 7n, n: 5, id: 9n });
  });

  it("names the refused argument or option", () => {
    expect(plan.argumentIssue([7n, undefined, 5])).toBeUndefined();
    expect(plan.argumentIssue([7n, [1n, "x"], 5])).toEqual({ path: "tags[1]", message: expect.stringContaining("int64") });
    expect(plan.argumentIssue([7n, undefined, 21])).toEqual({ path: "limit", message: "expected at most 20" });
    expect(plan.argumentIssue([7n, undefined, 5, "extra"])).toEqual({ path: "arguments", message: "expected at most 3 arguments" });
    expect(plan.optionIssue({ id: 1.5 })).toEqual({ path: "options.id", message: expect.stringContaining("int64") });
    expect(plan.optionIssue({ id: 2n })).toBeUndefined();
  });

  it("reads the answer into the result (64-bit as bigint, renamed fields), adds the returned filled field, runs the hook", () => {
    const payload = { id: 100 };
    expect(plan.result({ at: 5, n: 2, extra: "ignored" }, [7n], payload)).toEqual({ at: 5n, count: 2, id: 100n, who: 7n });
    expect(plan.result({ at: 5 }, [7n], payload)).toEqual({ at: 5n, id: 100n, who: 7n });
    expect(plan.result({ at: "x" }, [7n], payload)).toBe(ANSWER_MISMATCH);
    expect(plan.answerIssue({ at: "x" })).toMatch(/^at: /);
    expect(plan.result([1], [7n], payload)).toBe(ANSWER_MISMATCH);
  });

  it("refuses, when it is built, a table naming a hook or id generator the client lacks", () => {
    expect(() => new CallPlan(put, { hooks: {}, ids: parts.ids })).toThrow(/putMessage: the IDL names hook "stamp"/);
    expect(() => new CallPlan(put, { hooks: parts.hooks, ids: {} })).toThrow(/putMessage: the IDL names id generator "id"/);
  });

  it("a method without answer, filled field or hook resolves to undefined", () => {
    const ping = method(store, "ping", "ping", "Ping.", { params: { note: ["x", string] }, answer: {} });
    expect(new CallPlan(ping, parts).result({}, ["hi"], {})).toBeUndefined();
  });
});
