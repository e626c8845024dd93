import { FpnnError, FpnnServer, type Payload } from "@rtmkit/fpnn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RTMError, RTMServerClient, RtmErrorCode, type HistoryMessage } from "../src/index.js";
import { captureServer } from "./helpers.js";

describe("calls over a real socket", () => {
  let h: Awaited<ReturnType<typeof captureServer>>;
  /** Group history of 45 messages with ids 1..45; pages descending by id. */
  const history = (p: Payload): Payload => {
    const last = Number(p.lastid) || 46;
    const ids = Array.from({ length: Math.min(Number(p.num), last - 1) }, (_, i) => last - 1 - i);
    return { num: ids.length, lastid: ids.at(-1) ?? 0, begin: 0, end: 0, msgs: ids.map((id) => [id, 1001, 30, id, false, `m${id}`, "", 1000 + id]) };
  };
  beforeAll(async () => {
    h = await captureServer(
      (m, p) => {
        if (m === "sendmsg" && p.msg === "reject") throw new FpnnError(200052, "send to self", { raiser: "rtm" });
        if (m === "sendmsg" && p.msg === "slow") return new Promise(() => {});
        if (m === "sendmsg" && p.msg === "bad-answer") return { mtime: "yesterday" };
        if (m === "getgroupmsg") return history(p);
        if (m === "getmsgnum") return { sender: 3, num: 12 };
        return { mtime: 1 };
      },
      ["sendmsg", "sendmsgs", "getgroupmsg", "getmsgnum"],
    );
  });
  afterAll(() => h.close());

  const bad: [string, () => Promise<unknown>, RegExp][] = [
    ["a float uid", () => h.client.sendChat(1001.5, 1002, "hi", ""), /sendChat: fromUid: expected an int64/],
    ["an id outside int64", () => h.client.sendChat(1001n, 2n ** 63n, "hi", ""), /sendChat: toUid: expected an int64/],
    ["an unsafe number id", () => h.client.sendChat(2 ** 60, 1002, "hi", ""), /sendChat: fromUid: expected an int64/],
    ["a non-string message", () => h.client.sendChat(1001, 1002, 42 as unknown as string, ""), /sendChat: message: expected a string/],
    ["a count over 20", () => h.client.getGroupChat(1, true, 21, 0, 0, 0, 1001), /getGroupChat: count: expected at most 20/],
    ["a bad item in a set", () => h.client.sendChats(1, [2, 3.5], "hi", ""), /sendChats: toUids.*expected an int64/],
    ["a bad mid option", () => h.client.sendChat(1, 2, "hi", "", { mid: 1.5 }), /sendChat: options.mid: expected an int64/],
    ["an unknown category", () => h.client.getChat(1, 2, 3, 9 as 1), /getChat: messageCategory: expected a MessageCategory/],
  ];
  for (const [what, call, message] of bad) {
    it(`rejects ${what}, naming the parameter, and sends nothing`, async () => {
      const before = h.received.length;
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RTMError);
      expect((error as RTMError).code).toBe(RtmErrorCode.InvalidParameter);
      expect((error as RTMError).message).toMatch(message);
      await new Promise((r) => setTimeout(r, 20));
      expect(h.received.length).toBe(before);
    });
  }

  it("rejects a signal option that is not an AbortSignal, naming it, and sends nothing", async () => {
    const before = h.received.length;
    for (const signal of [{ aborted: false }, "abort"]) {
      const error = await h.client.sendChat(1, 2, "hi", "", { signal: signal as unknown as AbortSignal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RTMError);
      expect(error).toMatchObject({ code: 20005, method: "sendChat", message: expect.stringMatching(/^options\.signal: expected an AbortSignal/) });
    }
    await h.client.sendChat(1, 2, "after", "");
    expect(h.received.slice(before).map((r) => r.payload.msg)).toEqual(["after"]);
  });

  it("accepts a Set for a set parameter and sends an array; the caller's mid goes out and comes back", async () => {
    const r = await h.client.sendChats(1, new Set([2n, 3n]), "hi", "", { mid: 2n ** 62n + 1n });
    const p = h.received.at(-1)!.payload;
    expect(p.tos).toEqual([2, 3]);
    expect(p.mid).toBe(2n ** 62n + 1n);
    expect(r).toEqual({ mtime: 1n, mid: 2n ** 62n + 1n });
  });

  it("distinct calls get distinct mids and salts", async () => {
    await Promise.all(Array.from({ length: 50 }, () => h.client.sendChat(1, 2, "x", "")));
    const last = h.received.slice(-50).map((r) => r.payload);
    expect(new Set(last.map((p) => String(p.mid))).size).toBe(50);
    expect(new Set(last.map((p) => String(p.salt))).size).toBe(50);
  });

  it("an error answer rejects with its code, ex and raiser", async () => {
    await expect(h.client.sendChat(1, 2, "reject", "")).rejects.toMatchObject({ code: 200052, message: "send to self", raiser: "rtm", method: "sendChat", isFpnnCode: false });
  });

  it("a timeout rejects with 20003, an abort with 20015", async () => {
    await expect(h.client.sendChat(1, 2, "slow", "", { timeout: 0.05 })).rejects.toMatchObject({ code: 20003, method: "sendChat", isFpnnCode: true });
    const ac = new AbortController();
    const p = h.client.sendChat(1, 2, "slow", "", { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 20015, method: "sendChat" });
  });

  it("an answer that breaks the contract rejects with 20006 naming the field", async () => {
    await expect(h.client.sendChat(1, 2, "bad-answer", "")).rejects.toMatchObject({ code: 20006, message: expect.stringMatching(/sendChat: unexpected answer: mtime/) });
  });

  it("getMessageNum (added to the IDL only) sends optional keys only when given", async () => {
    expect(await h.client.getMessageNum(2, 2001)).toEqual({ sender: 3, num: 12 });
    expect(Object.keys(h.received.at(-1)!.payload).sort()).toEqual(["pid", "salt", "sign", "ts", "type", "xid"]);
    await h.client.getMessageNum(3, 3001n, [30, 31], 10, 20);
    expect(h.received.at(-1)!.payload).toMatchObject({ type: 3, xid: 3001, mtypes: [30, 31], begin: 10, end: 20 });
  });

  it("iterateGroupChat pages through every message with the cursor", async () => {
    const seen: HistoryMessage[] = [];
    for await (const m of h.client.iterateGroupChat(2001n, { uid: 1001n, pageSize: 20 })) seen.push(m);
    expect(seen.map((m) => Number(m.cursorId))).toEqual(Array.from({ length: 45 }, (_, i) => 45 - i));
    const pages = h.received.filter((r) => r.method === "getgroupmsg").map((r) => Number(r.payload.lastid));
    expect(pages).toEqual([0, 26, 6]);
  });
});

describe("client lifecycle", () => {
  it("close() rejects pending calls with 20002", async () => {
    const h = await captureServer(() => new Promise(() => {}), ["sendmsg"]);
    const p = h.client.sendChat(1, 2, "x", "").catch((e: unknown) => Promise.reject(e));
    const settled = p.then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 30));
    await h.client.close();
    expect(await settled).toBeInstanceOf(RTMError);
    await expect(p).rejects.toMatchObject({ code: 20002, method: "sendChat", isFpnnCode: true });
    await h.server.close();
  });

  it("a first call on an endpoint where nothing listens rejects at once with 20012, the OS error as cause", async () => {
    const gone = new FpnnServer();
    const { port } = await gone.listen(0, "127.0.0.1");
    await gone.close();
    const client = new RTMServerClient({ pid: 11000001, secret: "s", endpoint: `127.0.0.1:${port}` });
    try {
      const started = performance.now();
      const error = (await client.sendChat(1001n, 1002n, "hello", "").catch((e: unknown) => e)) as RTMError;
      expect(performance.now() - started).toBeLessThan(3000);
      expect(error).toBeInstanceOf(RTMError);
      expect(error).toMatchObject({ code: 20012, method: "sendChat", isFpnnCode: true });
      expect(error.message).toBe(`cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
      expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    } finally {
      await client.close();
    }
  });

  it("a first call to a host that does not resolve rejects with 20012, the resolver's error as cause", async () => {
    const client = new RTMServerClient({ pid: 11000001, secret: "s", endpoint: "nonexistent.invalid:1" });
    try {
      const error = (await client.sendChat(1001n, 1002n, "hello", "").catch((e: unknown) => e)) as RTMError;
      expect(error).toMatchObject({ code: 20012, method: "sendChat" });
      expect(error.message).toMatch(/^cannot connect to nonexistent\.invalid:1: getaddrinfo (ENOTFOUND|EAI_AGAIN) nonexistent\.invalid$/);
      expect((error.cause as NodeJS.ErrnoException).code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
    } finally {
      await client.close();
    }
  });

  it("rejects bad constructor options naming the field", async () => {
    const { RTMServerClient } = await import("../src/index.js");
    expect(() => new RTMServerClient({ pid: 1.5, secret: "s", endpoint: "127.0.0.1:1" })).toThrow(/options.pid/);
    expect(() => new RTMServerClient({ pid: 1, secret: "", endpoint: "127.0.0.1:1" })).toThrow(/options.secret/);
  });
});
