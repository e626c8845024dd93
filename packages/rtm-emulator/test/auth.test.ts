import { readFileSync } from "node:fs";
import fc from "fast-check";
import { FpnnClient, type Payload } from "@rtmkit/fpnn";
import { computeSign } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { Authenticator } from "../src/auth.js";
import { RtmErrorCode, type Refusal } from "../src/errors.js";
import { Remembered, ReplayGuard, saltKey } from "../src/replay-guard.js";
import { startEmulator, type RunningEmulator } from "../src/server/start.js";
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
    for (const call of vectors.calls) expect(await codeOf(() => auth.verify(call.method, authKeys(call)))).toBe(RtmErrorCode.SameSign);
  });

  it("refuses a sign made for another method, a tampered sign or salt, and an unknown pid with 200002", async () => {
    const { auth } = authenticator();
    const call = vectors.calls[0]!; // sendmsg
    expect(await codeOf(() => auth.verify("sendgroupmsg", authKeys(call)))).toBe(RtmErrorCode.InvalidPidOrSign);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), sign: "0".repeat(32) }))).toBe(RtmErrorCode.InvalidPidOrSign);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), sign: "short" }))).toBe(RtmErrorCode.InvalidPidOrSign);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), salt: authKeys(call).salt + 1n }))).toBe(RtmErrorCode.InvalidPidOrSign);
    expect(await codeOf(() => auth.verify(call.method, { ...authKeys(call), pid: 11000002 }))).toBe(RtmErrorCode.InvalidPidOrSign);
    // A sign with the right text but another project's secret.
    expect(await codeOf(() => auth.verify("sendmsg", signed(7, vectors.secret, "sendmsg", 1n, vectorTs)))).toBe(RtmErrorCode.InvalidPidOrSign);
    // None of those consumed the salt: the genuine quest still passes, and a lowercase sign is the same sign.
    expect(auth.verify(call.method, { ...authKeys(call), sign: authKeys(call).sign.toLowerCase() })).toBe(vectors.pid);
  });

  it("answers an unknown pid exactly like a wrong sign, so pids cannot be probed", () => {
    const { auth } = authenticator();
    const answer = (quest: ReturnType<typeof signed>) => {
      try {
        auth.verify("sendmsg", quest);
      } catch (error) {
        return { code: (error as Refusal).code, message: (error as Refusal).message };
      }
      throw new Error("expected a refusal");
    };
    const unknownPid = answer(signed(8, "any-secret", "sendmsg", 1n, vectorTs));
    const wrongSign = answer({ ...signed(7, "other-secret", "sendmsg", 1n, vectorTs), sign: "0".repeat(32) });
    expect(unknownPid).toEqual({ code: RtmErrorCode.InvalidPidOrSign, message: "invalid pid or sign" });
    expect(wrongSign).toEqual(unknownPid);
  });

  it("accepts both ends of the int64 range as salts (the contract refuses anything outside it before)", () => {
    const { auth } = authenticator();
    for (const salt of [2n ** 63n - 1n, -(2n ** 63n)]) expect(auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", salt, vectorTs))).toBe(7);
  });

  it("accepts ts within the skew window (inclusive) and refuses it outside with 200008", async () => {
    const { auth, clock } = authenticator({ skew: 300 });
    const now = vectorTs;
    let salt = 1n;
    const at = (ts: number) => () => auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", salt++, ts));
    expect(at(now - 300)()).toBe(7);
    expect(at(now + 300)()).toBe(7);
    expect(await codeOf(at(now - 301))).toBe(RtmErrorCode.InvalidServerTime);
    expect(await codeOf(at(now + 301))).toBe(RtmErrorCode.InvalidServerTime);
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
    expect(await codeOf(() => auth.verify("sendmsg", quest))).toBe(RtmErrorCode.InvalidServerTime);
    auth.verify("sendmsg", signed(7, "other-secret", "sendmsg", 6n, vectorTs + 11));
    expect(auth.rememberedSalts).toBe(1); // salt 5 expired and was dropped
  });

  it("at its cap refuses new quests with 200010 and keeps refusing replays, over far more quests than it keeps", async () => {
    const { auth } = authenticator({ maxSalts: 1000 });
    const quest = (salt: bigint) => signed(7, "other-secret", "sendmsg", salt, vectorTs);
    for (let salt = 1n; salt <= 1000n; salt++) expect(auth.verify("sendmsg", quest(salt))).toBe(7);
    for (let salt = 1001n; salt <= 5000n; salt++) expect(await codeOf(() => auth.verify("sendmsg", quest(salt)))).toBe(RtmErrorCode.FrequencyLimited);
    for (let salt = 1n; salt <= 1000n; salt++) expect(await codeOf(() => auth.verify("sendmsg", quest(salt)))).toBe(RtmErrorCode.SameSign);
    expect(auth.rememberedSalts).toBe(1000);
    // The other project has its own memory.
    const call = vectors.calls[0]!;
    expect(auth.verify(call.method, authKeys(call))).toBe(vectors.pid);
  });

  it("says in the 200010 refusal that the replay memory is full and when it frees up; expiry frees it", async () => {
    const { auth, clock } = authenticator({ maxSalts: 3, skew: 10 });
    const quest = (salt: bigint, ts = vectorTs) => signed(7, "other-secret", "sendmsg", salt, ts);
    for (let salt = 1n; salt <= 3n; salt++) auth.verify("sendmsg", quest(salt));
    clock.ms += 4000;
    const freesAt = new Date((vectorTs + 11) * 1000).toISOString();
    expect(() => auth.verify("sendmsg", quest(4n, vectorTs + 4))).toThrow(
      expect.objectContaining({
        code: RtmErrorCode.FrequencyLimited,
        message: `replay memory is full: pid 7 has 3 salts inside the 10 s ts window; it frees up in 7 s (${freesAt}), when the oldest ts leaves the window`,
      }),
    );
    clock.ms += 6000; // vectorTs + 10: the bucket of vectorTs is still inside the window
    expect(await codeOf(() => auth.verify("sendmsg", quest(4n, vectorTs + 10)))).toBe(RtmErrorCode.FrequencyLimited);
    expect(await codeOf(() => auth.verify("sendmsg", quest(1n)))).toBe(RtmErrorCode.SameSign);
    clock.ms += 1000; // vectorTs + 11: it has left, and its salts go at once
    expect(auth.verify("sendmsg", quest(4n, vectorTs + 11))).toBe(7);
    expect(auth.rememberedSalts).toBe(1);
    expect(await codeOf(() => auth.verify("sendmsg", quest(1n)))).toBe(RtmErrorCode.InvalidServerTime);
  });

});

describe("auth keys through the generated contract, over a socket", () => {
  const quest = async (emulator: RunningEmulator, payload: Payload) => {
    const client = new FpnnClient({ endpoint: emulator.endpoint, autoReconnect: false });
    try {
      return await client.quest("sendmsg", payload);
    } finally {
      await client.close();
    }
  };

  it("refuses missing auth keys with 200033 and wrongly typed ones (a salt outside int64 too) with 200034, naming the key; 5 and 5n are one salt", async () => {
    const emulator = await startEmulator({ projects: { 7: "other-secret" }, now: () => vectorTs * 1000 });
    try {
      const message = { from: 1, to: 2, mtype: 30, mid: 1, msg: "hi", attrs: "" };
      const good = { ...signed(7, "other-secret", "sendmsg", 5n, vectorTs), ...message };
      const { sign: _sign, ...noSign } = good;
      const refused = (payload: Payload) => quest(emulator, payload).then(() => undefined, (error: { code: number; message: string }) => ({ code: error.code, message: error.message }));
      expect(await refused(noSign)).toEqual({ code: RtmErrorCode.EmptyParameter, message: 'sendmsg: missing parameter "sign"' });
      expect(await refused({ ...good, ts: "now" })).toMatchObject({ code: RtmErrorCode.InvalidParameter, message: expect.stringContaining('"ts"') });
      expect(await refused({ ...good, pid: 1.5 })).toMatchObject({ code: RtmErrorCode.InvalidParameter, message: expect.stringContaining('"pid"') });
      expect(await refused({ ...good, sign: 5 })).toMatchObject({ code: RtmErrorCode.InvalidParameter, message: expect.stringContaining('"sign"') });
      for (const salt of [2n ** 63n, 2n ** 64n - 1n]) {
        expect(await refused({ ...good, ...signed(7, "other-secret", "sendmsg", salt, vectorTs) })).toMatchObject({ code: RtmErrorCode.InvalidParameter, message: expect.stringContaining('"salt"') });
      }
      expect(await refused({ ...good, salt: 5 })).toBeUndefined();
      expect(await refused({ ...good, salt: 5n, mid: 2 })).toMatchObject({ code: RtmErrorCode.SameSign });
    } finally {
      await emulator.close();
    }
  });
});

describe("ReplayGuard", () => {
  const T = 1_700_000_000;

  it("refuses a bad bound or window", () => {
    expect(() => new ReplayGuard({ maxSaltsPerProject: 0, windowSeconds: 300 })).toThrow(RangeError);
    expect(() => new ReplayGuard({ maxSaltsPerProject: 10, windowSeconds: -1 })).toThrow(RangeError);
  });

  it("finds a replay after far more other salts than the old count cap (262,144) kept", () => {
    const guard = new ReplayGuard({ maxSaltsPerProject: 1_000_000, windowSeconds: 300 });
    const sdkSalt = (i: number) => (T * 1000 + Math.floor(i / 1000)) * 1000 + (i % 1000); // ms * 1000 + sequence, like the SDK
    expect(guard.remember(7, sdkSalt(0), T, T)).toBe(Remembered.New);
    for (let i = 1; i <= 600_000; i++) guard.remember(7, sdkSalt(i), T + Math.floor(i / 40_000), T + Math.floor(i / 40_000));
    expect(guard.size).toBe(600_001);
    expect(guard.remember(7, sdkSalt(0), T, T + 300)).toBe(Remembered.Replay);
    expect(guard.remember(7, sdkSalt(300_000), T + 7, T + 300)).toBe(Remembered.Replay);
  });

  it("keys salts by ts second: the same salt with another ts is another quest (its sign differs)", () => {
    const guard = new ReplayGuard({ maxSaltsPerProject: 100, windowSeconds: 300 });
    expect(guard.remember(7, 5, T, T)).toBe(Remembered.New);
    expect(guard.remember(7, 5, T + 1, T)).toBe(Remembered.New);
    expect(guard.remember(7, 5, T, T)).toBe(Remembered.Replay);
    expect(guard.remember(8, 5, T, T)).toBe(Remembered.New); // another project
  });

  it("drops a whole bucket once its ts has left the window, and not a second earlier", () => {
    const guard = new ReplayGuard({ maxSaltsPerProject: 100_000, windowSeconds: 300 });
    for (let salt = 1; salt <= 50_000; salt++) guard.remember(7, salt, T, T);
    guard.remember(7, 1, T + 100, T + 100);
    const bytes = guard.tableBytes;
    expect(guard.size).toBe(50_001);
    expect(guard.freesAt(7)).toBe(T + 301);
    expect(guard.remember(7, 50_000, T, T + 300)).toBe(Remembered.Replay);
    expect(guard.remember(7, 50_001, T + 100, T + 301)).toBe(Remembered.New);
    expect(guard.size).toBe(2);
    expect(guard.tableBytes).toBeLessThan(bytes / 100);
    expect(guard.freesAt(7)).toBe(T + 401);
    expect(guard.freesAt(8)).toBeUndefined();
  });

  it("treats a bigint salt and the same number as one salt, across the int64 range", () => {
    const guard = new ReplayGuard({ maxSaltsPerProject: 100, windowSeconds: 10 });
    for (const salt of [0n, 5n, -5n, 1795634291123001n, 2n ** 53n - 1n, -(2n ** 53n) + 1n]) {
      expect(guard.remember(7, saltKey(salt), T, T)).toBe(Remembered.New);
      expect(guard.remember(7, saltKey(Number(salt)), T, T)).toBe(Remembered.Replay);
    }
    for (const salt of [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, 2n ** 32n, -(2n ** 32n)]) {
      expect(guard.remember(7, saltKey(salt), T, T)).toBe(Remembered.New);
      expect(guard.remember(7, saltKey(salt), T, T)).toBe(Remembered.Replay);
    }
  });

  it("remembers exactly the salts a Set of bigints would, whatever the salts", () => {
    const salt = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -3n, max: 3n }),
      fc.bigInt({ min: 0n, max: 40n }).map((hi) => hi << 32n), // only the high half differs (numbers)
      fc.bigInt({ min: 0n, max: 40n }).map((hi) => (hi << 32n) - 2n ** 62n), // ... (bigints)
      fc.bigInt({ min: 0n, max: 40n }).map((lo) => lo + 2n ** 62n), // only the low half differs (bigints)
      fc.integer({ min: 0, max: 40 }).map((lo) => BigInt(lo)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(salt, fc.integer({ min: 0, max: 2 })), { maxLength: 400 }), (quests) => {
        const guard = new ReplayGuard({ maxSaltsPerProject: 10_000, windowSeconds: 10 });
        const model = new Set<string>();
        for (const [s, dt] of quests) {
          const key = `${T + dt}:${s}`;
          expect(guard.remember(7, saltKey(s), T + dt, T)).toBe(model.has(key) ? Remembered.Replay : Remembered.New);
          model.add(key);
        }
        expect(guard.size).toBe(model.size);
      }),
      { numRuns: 300 },
    );
  });
});
