// Every refusal of the emulator as a client sees it: auth errors, parameter errors and chat rules.
import { encodeQuest, FpnnErrorCode, packPayload } from "@rtmkit/fpnn";
import { MessageCategory, RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulator, failure, PID, rawClient, rawExchange, sdk, signed } from "./helpers.js";

const sendmsg = { mtype: 30, from: 1001, to: 1002, mid: 1, msg: "hi", attrs: "" };

describe("auth", () => {
  it("unknown pid or wrong sign -> 200002, one answer for both (pids cannot be probed)", async () => {
    const server = await emulator();
    const unknownPid = await failure(sdk(server.endpoint, { pid: 999 }).sendChat(1001n, 1002n, "x", ""));
    expect(unknownPid).toMatchObject({ code: RtmErrorCode.InvalidPidOrSign, raiser: "rtm-emulator" });
    expect(unknownPid.message).not.toContain("999");
    expect(await failure(sdk(server.endpoint, { secret: "wrong" }).sendChat(1001n, 1002n, "x", ""))).toEqual(unknownPid);
    // A sign made for another method does not verify.
    const raw = rawClient(server.endpoint);
    expect((await failure(raw.quest("sendmsg", { ...signed("sendgroupmsg"), ...sendmsg }))).code).toBe(RtmErrorCode.InvalidPidOrSign);
  });

  it("ts outside the skew window -> 200008; inside it is accepted", async () => {
    let offsetMs = 301_000;
    const server = await emulator({ now: () => Date.now() + offsetMs, tsSkewSeconds: 300 });
    const client = sdk(server.endpoint);
    const ahead = await failure(client.sendChat(1001n, 1002n, "x", ""));
    expect(ahead.code).toBe(RtmErrorCode.InvalidServerTime);
    expect(ahead.message).toMatch(/ts \d+ is more than 300 s away/);
    offsetMs = -305_000;
    expect((await failure(client.sendChat(1001n, 1002n, "x", ""))).code).toBe(RtmErrorCode.InvalidServerTime);
    offsetMs = 250_000;
    await expect(client.sendChat(1001n, 1002n, "x", "")).resolves.toMatchObject({ mtime: expect.any(BigInt) });
  });

  it("the same frame sent twice -> the replay is refused with 200006", async () => {
    const server = await emulator();
    const payload = packPayload({ ...signed("sendmsg"), ...sendmsg });
    const frame = encodeQuest("sendmsg", payload, 1);
    // Both carry seq 1; the refusal is answered at once, the accepted send after its commit.
    const answers = await rawExchange(server.endpoint, [frame, frame]);
    const accepted = answers.filter((a) => a.status === 0);
    const refused = answers.filter((a) => a.status !== 0);
    expect(accepted).toEqual([{ seq: 1, status: 0, payload: { mtime: expect.anything() } }]);
    expect(refused).toEqual([{ seq: 1, status: 1, payload: { code: RtmErrorCode.SameSign, ex: expect.stringContaining("already used"), raiser: "rtm-emulator" } }]);
    // Also on another connection: salts are per project, not per connection.
    const [third] = await rawExchange(server.endpoint, [frame]);
    expect(third!.payload).toMatchObject({ code: RtmErrorCode.SameSign });
  });

  it("missing or wrongly typed keys -> 200033 / 200034 with an ex naming the key", async () => {
    const raw = rawClient((await emulator()).endpoint);
    const cases: [string, Record<string, unknown>, number, string][] = [
      ["sendmsg", { ...sendmsg, to: undefined }, RtmErrorCode.EmptyParameter, '"to"'],
      ["sendmsg", { ...sendmsg, to: "1002" }, RtmErrorCode.InvalidParameter, '"to"'],
      ["sendmsg", { ...sendmsg, msg: 5 }, RtmErrorCode.InvalidParameter, '"msg"'],
      ["sendmsgs", { ...sendmsg, to: undefined, tos: [1002, "x"] }, RtmErrorCode.InvalidParameter, '"tos"'],
      ["getgroupmsg", { gid: 1, desc: 1, num: 10, begin: 0, end: 0, lastid: 0, mtypes: [30], uid: 1 }, RtmErrorCode.InvalidParameter, '"desc"'],
      ["getgroupmsg", { gid: 1, desc: true, num: 10, begin: 0, end: 0, lastid: 0, uid: 1 }, RtmErrorCode.EmptyParameter, '"mtypes"'],
      ["getmsg", { mid: 1, from: 1, xid: 2 }, RtmErrorCode.EmptyParameter, '"type"'],
      ["getmsgnum", { type: 2, xid: 1, mtypes: "30" }, RtmErrorCode.InvalidParameter, '"mtypes"'],
    ];
    for (const [method, params, code, key] of cases) {
      const error = await failure(raw.quest(method, { ...signed(method), ...params }));
      expect({ method, code: error.code }).toEqual({ method, code });
      expect(error.message).toContain(key);
    }
    for (const key of ["pid", "sign", "salt", "ts"]) {
      const error = await failure(raw.quest("sendmsg", { ...signed("sendmsg"), ...sendmsg, [key]: undefined }));
      expect(error.code).toBe(RtmErrorCode.EmptyParameter);
      expect(error.message).toContain(`"${key}"`);
    }
    const badSalt = await failure(raw.quest("sendmsg", { ...signed("sendmsg"), ...sendmsg, salt: "1" }));
    expect(badSalt.code).toBe(RtmErrorCode.InvalidParameter);
    expect(badSalt.message).toContain('"salt"');
  });

  it("answers *ping, and 20004 for an unknown method", async () => {
    const raw = rawClient((await emulator()).endpoint);
    expect((await raw.quest("*ping", {})).ts).toEqual(expect.anything());
    expect((await failure(raw.quest("nosuchmethod", { ...signed("nosuchmethod") }))).code).toBe(FpnnErrorCode.CoreUnknownMethod);
  });
});

describe("chat rules", () => {
  it("p2p to oneself -> 200052 (sendmsg and sendmsgs)", async () => {
    const client = sdk((await emulator()).endpoint);
    expect(await failure(client.sendChat(1001n, 1001n, "me", ""))).toMatchObject({ code: RtmErrorCode.SendToSelf });
    expect((await failure(client.sendChats(1001n, [1002n, 1001n], "me", ""))).code).toBe(RtmErrorCode.SendToSelf);
    expect((await client.getP2PChat(1001n, 1002n, true, 20, 0, 0, 0)).count).toBe(0); // nothing of the refused send was stored
  });

  it("msg or attrs over the limits -> 200030; at the limit is accepted", async () => {
    const client = sdk((await emulator({ limits: { maxMessageBytes: 100, maxAttrsBytes: 10 } })).endpoint);
    await client.sendGroupChat(1n, 2n, "x".repeat(100), "a".repeat(10));
    const big = await failure(client.sendGroupChat(1n, 2n, "x".repeat(101), ""));
    expect(big.code).toBe(RtmErrorCode.LargeMessageOrAttrs);
    expect(big.message).toContain("msg is 101 bytes");
    expect((await failure(client.sendGroupChat(1n, 2n, "é".repeat(51), ""))).code).toBe(RtmErrorCode.LargeMessageOrAttrs); // 102 UTF-8 bytes
    expect((await failure(client.broadcastChat(1n, "x", "a".repeat(11)))).message).toContain("attrs is 11 bytes");
  });

  it("too many recipients -> 200032; an empty list -> 200033", async () => {
    const client = sdk((await emulator({ limits: { maxRecipients: 3 } })).endpoint);
    await client.sendChats(1n, [2n, 3n, 4n], "three", "");
    const error = await failure(client.sendChats(1n, [2n, 3n, 4n, 5n], "four", ""));
    expect(error.code).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(error.message).toContain("tos");
    const raw = rawClient(client.fpnn.endpoint);
    expect((await failure(raw.quest("sendmsgs", { ...signed("sendmsgs"), ...sendmsg, tos: [] }))).code).toBe(RtmErrorCode.EmptyParameter);
  });

  it("mtype outside 1..127 -> 200005", async () => {
    const client = sdk((await emulator()).endpoint);
    for (const mtype of [0, -1]) {
      const error = await failure(client.sendMessage(1n, 2n, mtype, "x", ""));
      expect(error.code).toBe(RtmErrorCode.InvalidMtype);
      expect(error.message).toContain("mtype");
    }
    expect((await failure(client.sendGroupMessage(1n, 2n, 0, "x", ""))).code).toBe(RtmErrorCode.InvalidMtype);
    await client.sendMessage(1n, 2n, 127, "x", "");
  });

  it("unknown or deleted message -> 200070 on get and delete", async () => {
    const client = sdk((await emulator()).endpoint);
    expect((await failure(client.getChat(42n, 1n, 2n, MessageCategory.P2PMessage))).code).toBe(RtmErrorCode.MessageNotFound);
    expect((await failure(client.deleteChat(42n, 1n, 2n, MessageCategory.GroupMessage))).code).toBe(RtmErrorCode.MessageNotFound);
    const raw = rawClient(client.fpnn.endpoint);
    expect((await failure(raw.quest("getmsg", { ...signed("getmsg"), mid: 1, from: 1, xid: 2, type: 9 }))).code).toBe(RtmErrorCode.InvalidParameter);
    expect(PID).toBe(11000001);
  });
});
