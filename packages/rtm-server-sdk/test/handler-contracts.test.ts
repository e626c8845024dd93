import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FpnnClient, FpnnServer, StrBytes } from "@rtmkit/fpnn";
import { registerHandlers } from "@rtmkit/protocol";
import { chatEndpoints, listenPushEndpoints, type ChatHandlers, type ListenPushHandlers } from "../src/index.js";

const notUtf8 = Uint8Array.of(0x61, 0xff, 0x62);
const auth = { pid: 11000001, sign: "X", salt: 7712190559145689088n, ts: 1795634291 };

describe("the generated chat handler contract (registerHandlers)", () => {
  const server = new FpnnServer();
  let client: FpnnClient;
  const seen: unknown[] = [];
  const unused = () => {
    throw new Error("not used here");
  };
  const handlers: ChatHandlers = {
    sendmsg: (request, a) => {
      seen.push({ request, a });
      return request.msg === "wrong-answer" ? ({ mtime: "later" } as unknown as { mtime: number }) : { mtime: 5 };
    },
    sendmsgs: unused, sendgroupmsg: unused, sendroommsg: unused, broadcastmsg: unused, getgroupmsg: unused, getroommsg: unused,
    getbroadcastmsg: unused, delmsg: unused,
    // A body kept as the raw bytes of a str is StrBytes; a bin (Uint8Array) is not what the contract says.
    getmsg: (request) => ({ id: 1, mtype: 31, msg: request.mid === 1n ? new StrBytes(notUtf8) : (notUtf8 as unknown as string), attrs: "", mtime: 2 }),
    getp2pmsg: () => ({ num: 1, lastid: 1, begin: 0, end: 0, msgs: [[1, 1, 31, 7, false, new StrBytes(notUtf8), new StrBytes(new Uint8Array(0)), 2]] }),
    getmsgnum: (request) => ({ sender: request.mtypes?.length ?? 0, num: Number(request.xid) }),
  };
  beforeAll(async () => {
    registerHandlers(server, chatEndpoints, handlers, { missingCode: 200033, invalidCode: 200034, validateAnswers: true });
    const { port } = await server.listen(0, "127.0.0.1");
    client = new FpnnClient({ endpoint: `127.0.0.1:${port}`, autoReconnect: false });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it("hands the handler typed request and auth (64-bit values as bigint)", async () => {
    const answer = await client.quest("sendmsg", { ...auth, mtype: 30, from: 1001, to: 1002, mid: 2n ** 62n, msg: "hi", attrs: "" });
    expect(answer).toEqual({ mtime: 5 });
    expect(seen.at(-1)).toEqual({ request: { mtype: 30, from: 1001n, to: 1002n, mid: 2n ** 62n, msg: "hi", attrs: "" }, a: auth });
  });

  it("a missing key answers 200033 naming it; a wrongly typed key 200034", async () => {
    await expect(client.quest("sendmsg", { ...auth, mtype: 30, from: 1001, mid: 1, msg: "hi", attrs: "" })).rejects.toMatchObject({ code: 200033, message: expect.stringContaining('"to"') });
    await expect(client.quest("sendmsg", { ...auth, mtype: 30, from: 1001, to: "x", mid: 1, msg: "hi", attrs: "" })).rejects.toMatchObject({ code: 200034, message: expect.stringContaining('"to"') });
    await expect(client.quest("sendmsg", { pid: 1, sign: "X", ts: 1, mtype: 30, from: 1, to: 2, mid: 1, msg: "", attrs: "" })).rejects.toMatchObject({ code: 200033, message: expect.stringContaining('"salt"') });
  });

  it("optional keys may be absent", async () => {
    expect(await client.quest("getmsgnum", { ...auth, type: 2, xid: 2001 })).toEqual({ sender: 0, num: 2001 });
    expect(await client.quest("getmsgnum", { ...auth, type: 2, xid: 7, mtypes: [30, 31] })).toEqual({ sender: 2, num: 7 });
  });

  it("answers may carry StrBytes where the IDL says string (a str kept as its raw bytes), not a bin", async () => {
    const ref = { ...auth, from: 1, xid: 2, type: 1 };
    expect(await client.quest("getmsg", { ...ref, mid: 1 })).toMatchObject({ msg: "a\uFFFDb", attrs: "" });
    await expect(client.quest("getmsg", { ...ref, mid: 2 })).rejects.toMatchObject({ code: 20001 });
    const page = await client.quest("getp2pmsg", { ...auth, uid: 1, ouid: 2, desc: true, num: 1, begin: 0, end: 0, lastid: 0, mtypes: [] });
    expect(page.msgs).toEqual([[1, 1, 31, 7, false, "a\uFFFDb", "", 2]]);
  });

  it("in dev, an answer that breaks the contract becomes an error answer instead of going out", async () => {
    await expect(client.quest("sendmsg", { ...auth, mtype: 30, from: 1, to: 2, mid: 1, msg: "wrong-answer", attrs: "" })).rejects.toMatchObject({ code: 20001 });
  });
});

describe("registerHandlers with an IDL method the handlers lack", () => {
  const server = new FpnnServer();
  const reported: (readonly string[])[] = [];
  let client: FpnnClient;
  beforeAll(async () => {
    // What running (not type-checking) an implementation older than the IDL amounts to.
    const handlers = {
      sendmsg: () => ({ mtime: 5 }),
    } as unknown as ChatHandlers;
    registerHandlers(server, chatEndpoints, handlers, { missingCode: 200033, invalidCode: 200034, onMissing: (methods) => reported.push(methods) });
    const { port } = await server.listen(0, "127.0.0.1");
    client = new FpnnClient({ endpoint: `127.0.0.1:${port}`, autoReconnect: false });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it("registers the rest and reports the missing methods once, in IDL order", async () => {
    expect(reported).toEqual([["sendmsgs", "sendgroupmsg", "sendroommsg", "broadcastmsg", "getgroupmsg", "getroommsg", "getbroadcastmsg", "getp2pmsg", "getmsg", "delmsg", "getmsgnum"]]);
    expect(await client.quest("sendmsg", { ...auth, mtype: 30, from: 1, to: 2, mid: 1, msg: "hi", attrs: "" })).toEqual({ mtime: 5 });
  });

  it("answers a quest for a missing method 20004 (unknown method) naming it", async () => {
    const error = await client.quest("getmsgnum", { ...auth, type: 2, xid: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 20004, method: "getmsgnum", message: expect.stringContaining("getmsgnum") });
    // The connection and the server carry on.
    expect(await client.quest("sendmsg", { ...auth, mtype: 30, from: 1, to: 2, mid: 2, msg: "hi", attrs: "" })).toEqual({ mtime: 5 });
  });

  it("reports nothing when every method is implemented", () => {
    const onMissing = (): void => {
      throw new Error("nothing is missing");
    };
    const handlers = Object.fromEntries(reported[0]!.concat("sendmsg").map((m) => [m, () => ({})])) as unknown as ChatHandlers;
    registerHandlers(new FpnnServer(), chatEndpoints, handlers, { missingCode: 1, invalidCode: 2, onMissing });
  });
});

describe("a push: a quest the server sends, handled on the client", () => {
  it("registers the push contract on an FpnnClient and hands the handler the checked request, unsigned", async () => {
    const server = new FpnnServer();
    const connected = new Promise<import("@rtmkit/fpnn").ServerConnection>((resolve) => server.on("connection", resolve));
    const { port } = await server.listen(0, "127.0.0.1");
    const client = new FpnnClient({ endpoint: `127.0.0.1:${port}`, autoReconnect: false });
    const pushed: unknown[] = [];
    const ignored = (): Record<string, never> => ({});
    const handlers: ListenPushHandlers = {
      pushmsg: (request, auth) => {
        pushed.push({ request, auth });
        return {};
      },
      pushgroupmsg: ignored,
      pushroommsg: ignored,
      pushfile: ignored,
      pushgroupfile: ignored,
      pushroomfile: ignored,
      pushevent: ignored,
      ping: ignored,
    };
    registerHandlers(client, listenPushEndpoints, handlers, { missingCode: 200033, invalidCode: 200034 });
    try {
      await client.connect();
      const connection = await connected;
      const message = { from: 1001, to: 1002, mtype: 30, mid: 2n ** 62n, msg: "hi", attrs: "", mtime: 1795634291123 };
      expect(await connection.quest("pushmsg", message)).toEqual({});
      expect(pushed).toEqual([{ request: { ...message, from: 1001n, to: 1002n, mtime: 1795634291123n }, auth: undefined }]);
      await expect(connection.quest("pushmsg", { ...message, mid: "x" })).rejects.toMatchObject({ code: 200034, message: expect.stringContaining('"mid"') });
    } finally {
      await client.close();
      await server.close();
    }
  });
});
