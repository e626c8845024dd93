import type { Payload } from "@rtmkit/fpnn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyMethod } from "@rtmkit/protocol";
import { chat, computeSign } from "../src/index.js";
import { captureServer, vectors } from "./helpers.js";

/** SDK parameter names that the vectors' sampleArgs spell differently. */
const sampleName: Record<string, string> = { userId: "uid", toId: "toUid" };
const variable = new Set(["sign", "salt", "ts", "mid"]);
const MTIME = 1_795_634_291_123;

const historyAnswer = {
  num: 2,
  lastid: 41,
  begin: 0,
  end: 0,
  msgs: [
    [42, 1001, 30, 2n ** 62n, false, "hello", "{}", MTIME],
    [41, 2, 31, 7, false, '{"sl":"en","rl":"en","rt":"hi there","du":1500}', "", MTIME - 1],
  ],
};

function answerFor(method: string): Payload {
  if (method.startsWith("send") || method === "broadcastmsg") return { mtime: MTIME };
  if (method === "getp2pmsg") return { ...historyAnswer, msgs: [[42, 1, ...historyAnswer.msgs[0]!.slice(2)], historyAnswer.msgs[1]!] };
  if (method.startsWith("get") && method !== "getmsg") return historyAnswer;
  if (method === "getmsg") return { id: 5, mtype: 30, msg: "hello", attrs: "{}", mtime: MTIME };
  return {};
}

function argsOf(d: AnyMethod): unknown[] {
  return d.params.map(({ name: p }) => {
    const v = vectors.sampleArgs[sampleName[p] ?? p];
    if (v === undefined) throw new Error(`no sample for ${p}`);
    return v;
  });
}

/** Vector values: numbers above 2^53 are decimal strings. */
function expected(value: unknown): unknown {
  return typeof value === "string" && /^\d{16,}$/.test(value) ? BigInt(value) : value;
}

function isInt64(v: unknown): boolean {
  return (typeof v === "bigint" && v > 0n && v < 2n ** 63n) || (typeof v === "number" && Number.isSafeInteger(v) && v > 0);
}

describe("every chat call against the wire vectors", () => {
  let h: Awaited<ReturnType<typeof captureServer>>;
  const methods = [...new Set(vectors.calls.map((c) => c.method))];
  beforeAll(async () => {
    h = await captureServer((m) => answerFor(m), methods);
  });
  afterAll(() => h.close());

  it("covers the 21 calls", () => {
    expect(vectors.calls).toHaveLength(21);
    for (const v of vectors.calls) expect(chat.chatMethods).toHaveProperty(v.call);
  });

  for (const v of vectors.calls) {
    it(`${v.call} sends exactly the vector's keys and maps the answer`, async () => {
      const d = (chat.chatMethods as Record<string, AnyMethod>)[v.call]!;
      expect(d.fpnn).toBe(v.method);
      const before = h.received.length;
      const call = (h.client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[v.call]!.bind(h.client);
      const result = await call(...argsOf(d));
      expect(h.received.length).toBe(before + 1);
      const { method, payload } = h.received[before]!;
      expect(method).toBe(v.method);
      expect(Object.keys(payload).sort()).toEqual(v.keys.map((k) => k.key).sort());
      for (const k of v.keys) {
        if (!variable.has(k.key)) expect(payload[k.key], k.key).toEqual(expected(k.value));
      }
      expect(payload.pid).toBe(vectors.pid);
      expect(isInt64(payload.salt)).toBe(true);
      const ts = payload.ts as number;
      expect(Number.isInteger(ts) && Math.abs(ts - Date.now() / 1000) < 60).toBe(true);
      expect(payload.sign).toBe(computeSign(vectors.pid, vectors.secret, BigInt(payload.salt as number), v.method, ts));
      if ("mid" in payload && v.keys.some((k) => k.key === "mid" && k.wire === "uint64")) expect(isInt64(payload.mid)).toBe(true);

      if (v.method.startsWith("send") || v.method === "broadcastmsg") {
        expect(result).toEqual({ mtime: BigInt(MTIME), mid: BigInt(payload.mid as number) });
      } else if (v.method === "getmsg") {
        expect(result).toEqual({ cursorId: 5n, messageType: 30, message: "hello", attrs: "{}", modifiedTime: BigInt(MTIME) });
      } else if (v.method === "delmsg") {
        expect(result).toBeUndefined();
      } else {
        const page = result as { count: number; lastCursorId: bigint; messages: Record<string, unknown>[] };
        expect(page.count).toBe(2);
        expect(page.lastCursorId).toBe(41n);
        expect(page.messages).toHaveLength(2);
        expect(page.messages[0]).toMatchObject({ cursorId: 42n, messageType: 30, messageId: 2n ** 62n, message: "hello", modifiedTime: BigInt(MTIME) });
        expect(page.messages[1]).toMatchObject({
          cursorId: 41n,
          messageType: 31,
          message: "hi there",
          audioInfo: { sourceLanguage: "en", recognizedLanguage: "en", recognizedText: "hi there", duration: 1500 },
        });
        if (v.method === "getp2pmsg") {
          // direction 1 = sent by uid to ouid; 2 = sent by ouid to uid
          expect(page.messages[0]).toMatchObject({ fromUid: 1001n, toId: 1002n });
          expect(page.messages[1]).toMatchObject({ fromUid: 1002n, toId: 1001n });
        } else {
          const toId = v.method === "getgroupmsg" ? 2001n : v.method === "getroommsg" ? 3001n : 0n;
          expect(page.messages[0]).toMatchObject({ fromUid: 1001n, toId });
        }
      }
    });
  }
});
