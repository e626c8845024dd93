import type { Payload } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { type CallOptions, chat, computeSign, Invoker, type QuestTransport } from "../src/index.js";
import { Signer } from "../src/index.js";

describe("Signer salt text", () => {
  it("signs exactly as computeSign for number salts of every shape, and for bigints", () => {
    const signer = new Signer(11000001, "secret");
    const ms = 1_764_108_000_123;
    const salts: (number | bigint)[] = [0, 7, 999, 1000, 1001, 123_456, ms * 1000, ms * 1000 + 5, ms * 1000 + 999, ms * 1000 + 1000, ms * 1000 + 40_007, Number.MAX_SAFE_INTEGER, 2n ** 62n, 42n];
    // A run as the id sequence makes it: consecutive salts from a random start, across thousands.
    const run = Array.from({ length: 2100 }, (_, i) => 3_141_592_653_589_000 + i);
    for (const salt of [...salts, ...salts.slice().reverse(), ...run]) {
      expect(signer.sign(salt, "sendmsg", 1_764_108_000)).toBe(computeSign(11000001, "secret", salt, "sendmsg", 1_764_108_000));
    }
  });
});

describe("int64-only answers (checked without zod)", () => {
  const invoker = (answer: unknown): Invoker => {
    const transport: QuestTransport = { quest: () => Promise.resolve(answer as Payload) };
    return new Invoker(transport, { pid: 1, secret: "s" });
  };
  const send = (answer: unknown) => invoker(answer).invoke(chat.sendChat, [1, 2, "hi", ""], { mid: 77 } as CallOptions);

  it("maps number and bigint fields to bigint, and returns the mid", async () => {
    await expect(send({ mtime: 123 })).resolves.toEqual({ mtime: 123n, mid: 77n });
    await expect(send({ mtime: 2n ** 62n, extra: "ignored" })).resolves.toEqual({ mtime: 2n ** 62n, mid: 77n });
  });

  for (const [what, answer] of [
    ["a missing field", {}],
    ["a float", { mtime: 1.5 }],
    ["an unsafe number", { mtime: 2 ** 60 }],
    ["a string", { mtime: "1" }],
  ] as const) {
    it(`rejects ${what} with 20006 naming the field`, async () => {
      await expect(send(answer)).rejects.toMatchObject({ code: 20006, message: expect.stringMatching(/^sendChat: unexpected answer: mtime/) });
    });
  }

  it("rejects an answer that is not a map", async () => {
    await expect(send([1])).rejects.toMatchObject({ code: 20006, message: expect.stringMatching(/^sendChat: unexpected answer/) });
    await expect(send(null)).rejects.toMatchObject({ code: 20006 });
  });
});
