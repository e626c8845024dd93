// Runtime faults per method (EmulatorAdmin.setMethodFault): the next SDK call fails with the chosen code, times
// out when its answer is dropped, is delayed; clearing restores; the static FaultOptions still apply around them.
import { RTMError } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { INJECTED_FAULT, MAX_FAULT_DELAY_MS } from "../src/admin/method-faults.js";
import { NOT_ANSWERED } from "../src/admin/traffic-tap.js";
import type { TrafficEvent } from "../src/admin/types.js";
import { emulatorForTest, failure, PID, sdk, until } from "./admin-helpers.js";

const TIMEOUT = 20003;

async function timed<T>(call: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await call;
  return [value, performance.now() - started];
}

describe("runtime faults per method", () => {
  it("errorCode: answered with that code, raiser rtm-emulator, without running the handler; other methods unaffected; counted as an error", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    emulator.admin.setMethodFault("sendmsg", { errorCode: 200020 });
    let error: unknown;
    await client.sendChat(1001n, 1002n, "refused", "").catch((caught: unknown) => (error = caught));
    expect(RTMError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 200020, raiser: "rtm-emulator", message: expect.stringContaining(INJECTED_FAULT) });
    expect(emulator.admin.conversations(PID, "p2p")).toEqual([]); // not stored
    await client.sendGroupChat(1001n, 5n, "fine", ""); // another method
    expect(emulator.admin.conversations(PID, "group")).toHaveLength(1);
    expect(emulator.admin.overview(PID).errors.total).toBe(1);
    expect(emulator.admin.overview(PID).recentErrors[0]).toMatchObject({ method: "sendmsg", error: { code: 200020, message: INJECTED_FAULT } });
  });

  it("dropAnswer: the handler runs, the answer never comes (the call times out); delayMs delays the answer", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator, PID, 1);
    emulator.admin.setMethodFault("sendmsg", { dropAnswer: true });
    expect(await failure(client.sendChat(1001n, 1002n, "stored, not answered", ""))).toBe(TIMEOUT);
    expect(emulator.admin.messages(PID, "p2p", "1001", "1002", null, 10).messages.map((m) => m.message)).toEqual(["stored, not answered"]);

    emulator.admin.setMethodFault("getuserinfo", { delayMs: 300 });
    const [, ms] = await timed(client.getUserInfo(1n));
    expect(ms).toBeGreaterThanOrEqual(280);
    const [, fast] = await timed(client.getGroupInfo(1n));
    expect(fast).toBeLessThan(280);
    // An errorCode after a delay: the error comes late.
    emulator.admin.setMethodFault("getgroupinfo", { delayMs: 200, errorCode: 200022 });
    const started = performance.now();
    expect(await failure(client.getGroupInfo(1n))).toBe(200022);
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
  });

  it("a dropped answer shows in the feed once its connection closes, as not answered", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator, PID, 30);
    const events: TrafficEvent[] = [];
    emulator.admin.subscribe((event) => events.push(event));
    emulator.admin.setMethodFault("getuserinfo", { dropAnswer: true });
    const call = client.getUserInfo(1n).catch(() => "failed");
    await until(() => events.length === 1, 5000, "the quest event");
    await client.close();
    expect(await call).toBe("failed");
    await until(() => events.length === 2, 5000, "the answer event");
    expect(events[1]).toMatchObject({ kind: "answer", method: "getuserinfo", error: null, summary: NOT_ANSWERED });
  });

  it("setting null clears one method, clearMethodFaults all; methodFaults() says what is set", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    emulator.admin.setMethodFault("getuserinfo", { errorCode: 200020 });
    emulator.admin.setMethodFault("getgroupinfo", { errorCode: 200021, delayMs: 10 });
    emulator.admin.setMethodFault("getgroupinfo", { errorCode: 200022 }); // replaces
    expect(emulator.admin.methodFaults()).toEqual({ getuserinfo: { errorCode: 200020 }, getgroupinfo: { errorCode: 200022 } });
    expect(await failure(client.getGroupInfo(1n))).toBe(200022);
    emulator.admin.setMethodFault("getgroupinfo", null);
    expect(await client.getGroupInfo(1n)).toBeDefined();
    expect(await failure(client.getUserInfo(1n))).toBe(200020);
    emulator.admin.clearMethodFaults();
    expect(emulator.admin.methodFaults()).toEqual({});
    expect(await client.getUserInfo(1n)).toBeDefined();
    // The returned record is a copy.
    emulator.admin.setMethodFault("getuserinfo", { delayMs: 1 });
    emulator.admin.methodFaults().getuserinfo!.delayMs = 99;
    expect(emulator.admin.methodFaults()).toEqual({ getuserinfo: { delayMs: 1 } });
  });

  it("works with the static FaultOptions: their latency adds to a runtime delay; an errorCode answers before them", async () => {
    const emulator = await emulatorForTest({ faults: { latencyMs: 150 } });
    const client = sdk(emulator);
    const [, plain] = await timed(client.getGroupInfo(1n));
    expect(plain).toBeGreaterThanOrEqual(140);
    emulator.admin.setMethodFault("getuserinfo", { delayMs: 150 });
    const [, both] = await timed(client.getUserInfo(1n));
    expect(both).toBeGreaterThanOrEqual(290);
    emulator.admin.setMethodFault("getgroupinfo", { errorCode: 200020 });
    const started = performance.now();
    expect(await failure(client.getGroupInfo(1n))).toBe(200020);
    expect(performance.now() - started).toBeLessThan(140);
  });

  it("closing the emulator does not wait for dropped answers or long delays", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator, PID, 30);
    emulator.admin.setMethodFault("getuserinfo", { delayMs: MAX_FAULT_DELAY_MS });
    emulator.admin.setMethodFault("getgroupinfo", { dropAnswer: true });
    const delayed = client.getUserInfo(1n).catch(() => "failed");
    const dropped = client.getGroupInfo(1n).catch(() => "failed");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await dropped).toBe("failed");
    await delayed;
  });

  it("refuses a method it does not serve and a fault that is not one, naming what is wrong", async () => {
    const emulator = await emulatorForTest();
    const set = (method: unknown, fault: unknown) => () => emulator.admin.setMethodFault(method as string, fault as null);
    expect(set("nosuchmethod", { dropAnswer: true })).toThrow(new TypeError('method: "nosuchmethod" is not a method this emulator serves'));
    expect(set(5, null)).toThrow("method: 5 is not a method");
    expect(set("*ping", { dropAnswer: true })).toThrow("method:");
    expect(set("sendmsg", "drop")).toThrow('fault: expected an object or null, got "drop"');
    expect(set("sendmsg", [])).toThrow("fault: expected an object or null, got an array");
    expect(set("sendmsg", { drop: true })).toThrow("fault.drop: not a fault (dropAnswer, delayMs, errorCode)");
    expect(set("sendmsg", { dropAnswer: 1 })).toThrow("fault.dropAnswer: expected a boolean, got 1");
    expect(set("sendmsg", { delayMs: -1 })).toThrow(`fault.delayMs: expected an integer in 0..${MAX_FAULT_DELAY_MS}, got -1`);
    expect(set("sendmsg", { delayMs: 1.5 })).toThrow("fault.delayMs:");
    expect(set("sendmsg", { delayMs: MAX_FAULT_DELAY_MS + 1 })).toThrow("fault.delayMs:");
    expect(set("sendmsg", { errorCode: 0 })).toThrow("fault.errorCode: expected a positive integer");
    expect(set("sendmsg", { errorCode: "200020" })).toThrow("fault.errorCode:");
    expect(set("sendmsg", {})).toThrow("fault: does nothing");
    expect(set("sendmsg", { dropAnswer: false, delayMs: 0 })).toThrow("fault: does nothing");
    expect(emulator.admin.methodFaults()).toEqual({});
    expect(emulator.admin.methods()).toContain("sendmsg");
    expect(emulator.admin.methods()).toEqual([...emulator.admin.methods()].sort());
    expect(emulator.admin.methods()).not.toContain("*ping");
  });
});
