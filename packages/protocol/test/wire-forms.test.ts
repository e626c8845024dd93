import { FpnnClient, FpnnServer, StrBytes, type Payload } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { alternatives, ANSWER_MISMATCH, bool, bytes, CallPlan, endpoints, int32, int64, mapOf, method, registerHandlers, service, setOf, string, type FileTokenAuth } from "../src/index.js";

const listen = service("listen", "signed");
const byIds = method(listen, "setListen", "setlisten", "By ids.", {
  params: { groupIds: ["gids", setOf(int64), { optional: true, omitEmpty: true }], events: ["events", setOf(string), { optional: true, omitEmpty: true }] },
});
const forAll = method(listen, "setListenAll", "setlisten", "For all.", { params: { allGroup: ["group", bool], allP2P: ["p2p", bool] } });
const ban = method(listen, "addBan", "addban", "Ban.", { params: { groupId: ["gid", int64, { omitEmpty: true }], userId: ["uid", int64] } });
const counts = method(listen, "getCounts", "getcounts", "Counts.", { params: {}, answer: { cn: ["counts", mapOf(int32, "int64")], info: mapOf(string) } });
const roomCount = method(listen, "getRoomCount", "getroomcount", "Counts.", { params: { roomIds: ["rids", setOf(int64), { alias: "rid" }] } });
const files = service("files", "fileToken");
const upload = method(files, "sendFile", "sendfile", "Send a file.", { params: { file: ["file", bytes], name: ["name", string] } });
const parts = { hooks: {}, ids: {} };

function filled(plan: CallPlan, args: unknown[]): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  plan.fill(payload, args, undefined);
  return payload;
}

describe("wire forms of the tables", () => {
  it("omitEmpty leaves out an empty set, and 0 for an id; anything else is sent", () => {
    expect(filled(new CallPlan(byIds, parts), [new Set(), ["login"]])).toEqual({ events: ["login"] });
    expect(filled(new CallPlan(byIds, parts), [[], undefined])).toEqual({});
    expect(filled(new CallPlan(ban, parts), [0, 7n])).toEqual({ uid: 7n });
    expect(filled(new CallPlan(ban, parts), [0n, 7n])).toEqual({ uid: 7n });
    expect(filled(new CallPlan(ban, parts), [3, 7n])).toEqual({ gid: 3, uid: 7n });
  });

  it("bytes travel as a str holding them (as RTM's C++ SDK sends them); a string travels as text", () => {
    const plan = new CallPlan(upload, parts);
    const sent = filled(plan, [Uint8Array.of(0xff, 0x00, 0x41), "a"]);
    expect(sent.file).toBeInstanceOf(StrBytes);
    expect([...(sent.file as StrBytes).bytes]).toEqual([0xff, 0x00, 0x41]);
    expect(filled(plan, ["https://x/y", "a"]).file).toBe("https://x/y");
    expect(plan.argumentIssue([42, "a"])).toEqual({ path: "file", message: "expected a Uint8Array or a string" });
  });

  it("a map keyed by int64 is read into a Map with bigint keys; a key that is not a decimal int64 is refused", () => {
    const plan = new CallPlan(counts, parts);
    expect(plan.result({ cn: { "3001": 2, "9223372036854775807": 0 }, info: { a: "b" } }, [], {})).toEqual({
      counts: new Map([
        [3001n, 2],
        [2n ** 63n - 1n, 0],
      ]),
      info: { a: "b" },
    });
    expect(plan.result({ cn: { "30x": 2 }, info: {} }, [], {})).toBe(ANSWER_MISMATCH);
    expect(plan.answerIssue({ cn: { "30x": 2 }, info: {} })).toMatch(/cn\.30x.*decimal text of an int64/);
    expect(plan.answerIssue({ cn: { "9223372036854775808": 2 }, info: {} })).toMatch(/decimal text of an int64/);
  });

  it("alternatives: one endpoint takes the keys of both forms, each optional", () => {
    const endpoint = alternatives(byIds, forAll);
    expect(endpoint.fpnn).toBe("setlisten");
    expect(endpoint.params.map((p) => [p.wire, p.optional])).toEqual([
      ["gids", true],
      ["events", true],
      ["group", true],
      ["p2p", true],
    ]);
    expect(() => alternatives(byIds, ban as never)).toThrow(/setListen sends setlisten, addBan sends addban/);
  });

  it("a server reads a key from its alias when it is absent; a single value there is a list of one", async () => {
    const server = new FpnnServer();
    const seen: unknown[] = [];
    registerHandlers(server, endpoints({ getroomcount: roomCount }), { getroomcount: (request) => (seen.push(request), {}) }, { missingCode: 200033, invalidCode: 200034 });
    const { port } = await server.listen(0, "127.0.0.1");
    const client = new FpnnClient({ endpoint: `127.0.0.1:${port}` });
    try {
      const signedKeys: Payload = { pid: 1, sign: "S", salt: 1, ts: 1 };
      await client.quest("getroomcount", { ...signedKeys, rid: 3001 });
      await client.quest("getroomcount", { ...signedKeys, rids: [1, 2], rid: 9 });
      await expect(client.quest("getroomcount", signedKeys)).rejects.toMatchObject({ code: 200033 });
      expect(seen).toEqual([{ rids: [3001n] }, { rids: [1n, 2n] }]);
      expect(filled(new CallPlan(roomCount, parts), [[5n]])).toEqual({ rids: [5n] });
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("a server reads both forms of an alternative endpoint, omitEmpty keys as optional, and bytes sent as a non-UTF-8 str raw", async () => {
    const server = new FpnnServer();
    const seen: unknown[] = [];
    const codes = { missingCode: 200033, invalidCode: 200034 };
    registerHandlers(server, endpoints({ setlisten: alternatives(byIds, forAll), addban: ban }), {
      setlisten: (request) => (seen.push(request), {}),
      addban: (request) => (seen.push(request), {}),
    }, codes);
    registerHandlers(server, endpoints({ sendfile: upload }), { sendfile: (request, auth: FileTokenAuth) => (seen.push({ request, auth }), {}) }, codes);
    const { port } = await server.listen(0, "127.0.0.1");
    const client = new FpnnClient({ endpoint: `127.0.0.1:${port}` });
    try {
      const signedKeys: Payload = { pid: 1, sign: "S", salt: 1, ts: 1 };
      await client.quest("setlisten", { ...signedKeys, gids: [1] });
      await client.quest("setlisten", { ...signedKeys, group: true, p2p: false });
      await client.quest("addban", { ...signedKeys, uid: 5 });
      await client.quest("sendfile", { token: "t", attrs: "{}", file: new StrBytes(Uint8Array.of(0xc3, 0x28, 0xff)), name: "n" });
      await expect(client.quest("sendfile", { attrs: "{}", file: "x", name: "n" })).rejects.toMatchObject({ code: 200033, message: 'sendfile: missing parameter "token"' });
      expect(seen).toEqual([
        { gids: [1n] },
        { group: true, p2p: false },
        { uid: 5n },
        { request: { file: Uint8Array.of(0xc3, 0x28, 0xff), name: "n" }, auth: { token: "t", attrs: "{}" } },
      ]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
