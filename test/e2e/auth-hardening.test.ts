// Auth refusals that must hold over the wire, whatever a hostile client sends.
import { RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { encodeQuest, packPayload } from "@rtmkit/fpnn";
import { emulator, failure, rawClient, rawExchange, sdk, signed } from "./helpers.js";

const sendmsg = { mtype: 30, from: 1001, to: 1002, mid: 1, msg: "hi", attrs: "" };

describe("auth over the wire", () => {
  it("refuses a salt that is a uint64 above int64 (msgpack 0xcf) with 200034 naming salt", async () => {
    const server = await emulator();
    const raw = rawClient(server.endpoint);
    const refused = await failure(raw.quest("sendmsg", { ...signed("sendmsg", { salt: 2n ** 64n - 1n }), ...sendmsg }));
    expect(refused).toMatchObject({ code: RtmErrorCode.InvalidParameter, message: 'sendmsg: invalid parameter "salt": expected an int64' });
    await expect(raw.quest("sendmsg", { ...signed("sendmsg", { salt: 2n ** 63n - 1n }), ...sendmsg })).resolves.toMatchObject({ mtime: expect.anything() });
  });

  it("at --max-salts refuses new quests with 200010 and still refuses the replay of an early frame with 200006", async () => {
    const server = await emulator({ maxSaltsPerProject: 50 });
    const first = encodeQuest("sendmsg", packPayload({ ...signed("sendmsg"), ...sendmsg }), 1);
    expect((await rawExchange(server.endpoint, [first]))[0]!.status).toBe(0);
    const client = sdk(server.endpoint);
    for (let i = 1; i < 50; i++) await client.sendChat(1001n, 1002n, `m${i}`, "");
    const full = await failure(client.sendChat(1001n, 1002n, "one too many", ""));
    expect(full.code).toBe(RtmErrorCode.FrequencyLimited);
    expect(full.message).toMatch(/replay memory is full: pid \d+ has 50 salts inside the 300 s ts window; it frees up in \d+ s \(.+\), when the oldest ts leaves the window/);
    const [replay] = await rawExchange(server.endpoint, [first]);
    expect(replay!.payload).toMatchObject({ code: RtmErrorCode.SameSign });
  });
});
