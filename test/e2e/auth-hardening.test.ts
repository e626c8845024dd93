// Auth refusals that must hold over the wire, whatever a hostile client sends.
import { RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulator, failure, rawClient, signed } from "./helpers.js";

const sendmsg = { mtype: 30, from: 1001, to: 1002, mid: 1, msg: "hi", attrs: "" };

describe("auth over the wire", () => {
  it("refuses a salt that is a uint64 above int64 (msgpack 0xcf) with 200034 naming salt", async () => {
    const server = await emulator();
    const raw = rawClient(server.endpoint);
    const refused = await failure(raw.quest("sendmsg", { ...signed("sendmsg", { salt: 2n ** 64n - 1n }), ...sendmsg }));
    expect(refused).toMatchObject({ code: RtmErrorCode.InvalidParameter, message: "salt is outside the int64 range" });
    await expect(raw.quest("sendmsg", { ...signed("sendmsg", { salt: 2n ** 63n - 1n }), ...sendmsg })).resolves.toMatchObject({ mtime: expect.anything() });
  });
});
