import { readFileSync } from "node:fs";
import { computeSign } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { Authenticator } from "../src/auth.js";
import { RtmCode, type RtmError } from "../src/errors.js";
import { ReplayGuard, saltKey } from "../src/replay-guard.js";
import { codeOf } from "./helpers.js";

interface WireVectors {
  pid: number;
  secret: string;
  calls: { call: string; method: string; keys: { key: string; value: unknown }[] }[];
}
const vectors = JSON.parse(readFileSync(new URL("../../../test/vectors/rtm-chat-wire.json", import.meta.url), "utf8")) as WireVectors;

/** The auth keys of one captured frame, typed as the decoder delivers them (int64 as bigint). */
function authKeys(call: WireVectors["calls"][number]) {
  const value = (key: string) => call.keys.find((k) => k.key === key)!.value;
  return { pid: value("pid") as number, sign: value("sign") as string, salt: BigInt(value("salt") as string), ts: value("ts") as number };
}
const vectorTs = authKeys(vectors.calls[0]!).ts;

function authenticator(options: { nowSeconds?: number; skew?: number; maxSalts?: number } = {}) {
  const clock = { ms: (options.nowSeconds ?? vectorTs) * 1000 };
  const auth = new Authenticator({
    projects: new Map([[vectors.pid, vectors.secret], [7, "other-secret"]]),
    now: () => clock.ms,
    tsSkewSeconds: options.skew,
    maxSaltsPerProject: options.maxSalts,
  });
  return { auth, clock };
}

function signed(pid: number, secret: string, method: string, salt: bigint, ts: number) {
  return { pid, sign: computeSign(pid, secret, salt, method, ts), salt, ts };
}

describe("Authenticator", () => {
  it("accepts all 21 frames of the reference C++ SDK, and refuses each one replayed (200006)", async () => {
    const { auth } = authenticator();
    expect(vectors.calls).toHaveLength(21);
    for (const call of vectors.calls) expect(auth.verify(call.method, authKeys(call))).toBe(vectors.pid);
    for (const call of vectors.calls) expect(await codeOf(() => auth.verify(call.method, authKeys(call)))).toBe(RtmCode.SAME_SIGN);
  });

  it("refuses a sign made for another method, a tampered sign or salt, and an unknown pid with 200002", async () => {
    const { auth } = authenticator();
    const call = vectors.calls[0]!; // sendmsg
    expect(await codeOf(() => auth.verify("sendgroupmsg", authKeys(call)))).toBe(RtmCode.INVALID_PID_OR_SIGN);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), sign: "0".repeat(32) }))).toBe(RtmCode.INVALID_PID_OR_SIGN);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), sign: "short" }))).toBe(RtmCode.INVALID_PID_OR_SIGN);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), salt: authKeys(call).salt + 1n }))).toBe(RtmCode.INVALID_PID_OR_SIGN);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), pid: 11000002 }))).toBe(RtmCode.INVALID_PID_OR_SIGN);
    // A sign with the right text but another project's secret.
    expect(await codeOf(() => auth.verify("sendmsg", signed(7, vectors.secret, "sendmsg", 1n, vectorTs)))).toBe(RtmCode.INVALID_PID_OR_SIGN);
    // None of those consumed the salt: the genuine quest still passes, and a lowercase sign is the same sign.
    expect(auth.verify(call.method, { ...authKeys(call), sign: authKeys(call).sign.toLowerCase() })).toBe(vectors.pid);
  });

  it("answers an unknown pid exactly like a wrong sign, so pids cannot be probed", () => {
    const { auth } = authenticator();
    const answer = (quest: ReturnType<typeof signed>) => {
      try {
        auth.verify("sendmsg", quest);
      } catch (error) {
        return { code: (error as RtmError).code, message: (error as RtmError).message };
      }
      throw new Error("expected a refusal");
    };
    const unknownPid = answer(signed(8, "any-secret", "sendmsg", 1n, vectorTs));
    const wrongSign = answer({ ...signed(7, "other-secret", "sendmsg", 1n, vectorTs), sign: "0".repeat(32) });
    expect(unknownPid).toEqual({ code: RtmCode.INVALID_PID_OR_SIGN, message: "invalid pid or sign" });
    expect(wrongSign).toEqual(unknownPid);
  });

  it("refuses a salt outside int64 with 200034 naming salt, and accepts both ends of the range", () => {
    const { auth } = authenticator();
    for (const salt of [2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n) - 1n]) {
      expect(() => auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", salt, vectorTs))).toThrow(
        expect.objectContaining({ code: RtmCode.INVALID_PARAMETER, message: "salt is outside the int64 range" }),
      );
    }
    for (const salt of [2n ** 63n - 1n, -(2n ** 63n)]) expect(auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", salt, vectorTs))).toBe(7);
  });

  it("accepts ts within the skew window (inclusive) and refuses it outside with 200008", async () => {
    const { auth, clock } = authenticator({ skew: 300 });
    const now = vectorTs;
    let salt = 1n;
    const at = (ts: number) => () => auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", salt++, ts));
    expect(at(now - 300)()).toBe(7);
    expect(at(now + 300)()).toBe(7);
    expect(await codeOf(at(now - 301))).toBe(RtmCode.INVALID_SERVER_TIME);
    expect(await codeOf(at(now + 301))).toBe(RtmCode.INVALID_SERVER_TIME);
    clock.ms += 999; // still the same second
    expect(at(now + 300)()).toBe(7);
  });

  it("keeps salts per project: the same salt in two projects is not a replay", () => {
    const { auth } = authenticator();
    const call = vectors.calls[0]!;
    const salt = authKeys(call).salt;
    expect(auth.verify(call.method, authKeys(call))).toBe(vectors.pid);
    expect(auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", salt, vectorTs))).toBe(7);
  });

  it("forgets a salt once its ts has left the window, where the ts check refuses the replay anyway", async () => {
    const { auth, clock } = authenticator({ skew: 10 });
    const quest = signed(7, "other-secret", "sendmsg", 5n, vectorTs);
    auth.verify("sendmsg", quest);
    expect(auth.rememberedSalts).toBe(1);
    clock.ms += 11_000;
    expect(await codeOf(() => auth.verify("sendmsg", quest))).toBe(RtmCode.INVALID_SERVER_TIME);
    auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", 6n, vectorTs + 11));
    expect(auth.rememberedSalts).toBe(1); // salt 5 expired and was dropped
  });

  it("bounds the salt memory per project, forgetting the oldest first", async () => {
    const { auth } = authenticator({ maxSalts: 3 });
    for (let salt = 1n; salt <= 10n; salt++) auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", salt, vectorTs));
    expect(auth.rememberedSalts).toBe(3);
    expect(await codeOf(() => auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", 10n, vectorTs)))).toBe(RtmCode.SAME_SIGN);
    expect(auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", 1n, vectorTs))).toBe(7); // forgotten
    expect(auth.rememberedSalts).toBe(3);
  });

  it("refuses missing auth keys with 200033 and wrongly typed ones with 200034, naming the key", () => {
    const { auth } = authenticator();
    const good = signed(7, "other-secret", "sendmsg", 1n, vectorTs);
    const { sign: _sign, ...noSign } = good;
    expect(() => auth.verify("sendmsg", noSign)).toThrow(expect.objectContaining({ code: RtmCode.EMPTY_PARAMETER, message: "missing sign" }));
    expect(() => auth.verify("sendmsg", { ...good, salt: undefined })).toThrow(expect.objectContaining({ code: RtmCode.EMPTY_PARAMETER, message: "missing salt" }));
    expect(() => auth.verify("sendmsg", { ...good, ts: "now" })).toThrow(expect.objectContaining({ code: RtmCode.INVALID_PARAMETER, message: "ts must be an integer" }));
    expect(() => auth.verify("sendmsg", { ...good, pid: 1.5 })).toThrow(expect.objectContaining({ code: RtmCode.INVALID_PARAMETER, message: "pid must be an integer" }));
    expect(() => auth.verify("sendmsg", { ...good, sign: 5 })).toThrow(expect.objectContaining({ code: RtmCode.INVALID_PARAMETER, message: "sign must be a string" }));
  });
});

describe("ReplayGuard", () => {
  it("refuses a bad bound", () => {
    expect(() => new ReplayGuard({ maxSaltsPerProject: 0 })).toThrow(RangeError);
  });

  it("keeps a salt accepted again after it expired, when its old arrival is forgotten", () => {
    const guard = new ReplayGuard({ maxSaltsPerProject: 100 });
    expect(guard.remember(7, 5, 10, 0)).toBe(true);
    expect(guard.remember(7, 5, 10, 10)).toBe(false);
    expect(guard.remember(7, 5, 40, 11)).toBe(true); // expired at 10: accepted again
    expect(guard.remember(7, 6, 40, 12)).toBe(true); // forgets the first arrival of 5 (expired)
    expect(guard.remember(7, 5, 40, 12)).toBe(false);
    expect(guard.size).toBe(2);
  });

  it("treats a bigint salt and the same number as one salt", () => {
    const guard = new ReplayGuard({ maxSaltsPerProject: 100 });
    expect(guard.remember(7, saltKey(1795634291123001n), 10, 0)).toBe(true);
    expect(guard.remember(7, saltKey(1795634291123001), 10, 0)).toBe(false);
    expect(guard.remember(7, saltKey(2n ** 63n - 1n), 10, 0)).toBe(true);
    expect(guard.remember(7, saltKey(2n ** 63n - 1n), 10, 0)).toBe(false);
  });

  it("stays at its bound over many more salts than it keeps", () => {
    const guard = new ReplayGuard({ maxSaltsPerProject: 1000 });
    for (let salt = 1; salt <= 50_000; salt++) expect(guard.remember(7, salt, 100, 0)).toBe(true);
    expect(guard.size).toBe(1000);
    expect(guard.remember(7, 50_000, 100, 0)).toBe(false);
    expect(guard.remember(7, 49_001, 100, 0)).toBe(false);
    expect(guard.remember(7, 49_000, 100, 0)).toBe(true); // the oldest kept was 49_001
  });
});
