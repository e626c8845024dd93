import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { DevicesService, PushOptionType } from "../src/services/devices.js";
import { openDatabase } from "../src/storage/database.js";
import { codeOf, PID } from "./helpers.js";

let opened: Database[] = [];
function setup(path?: string) {
  const db = openDatabase({ path });
  opened.push(db);
  return { db, devices: new DevicesService(db) };
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

const P2P = PushOptionType.P2P;
const GROUP = PushOptionType.Group;

describe("devices", () => {
  it("adddevice registers a device; devicesOf lists a user's devices by token", () => {
    const { devices } = setup();
    expect(devices.adddevice(PID, { uid: 1n, apptype: "fcm", devicetoken: "tok-b" })).toEqual({});
    devices.adddevice(PID, { uid: 1n, apptype: "apns", devicetoken: "tok-a" });
    expect(devices.devicesOf(PID, 1n)).toEqual([
      { apptype: "apns", devicetoken: "tok-a" },
      { apptype: "fcm", devicetoken: "tok-b" },
    ]);
    expect(devices.devicesOf(PID, 2n)).toEqual([]);
  });

  it("re-adding a token updates its apptype and moves it to the new user (one row per token)", () => {
    const { devices } = setup();
    devices.adddevice(PID, { uid: 1n, apptype: "apns", devicetoken: "tok" });
    devices.adddevice(PID, { uid: 1n, apptype: "fcm", devicetoken: "tok" });
    expect(devices.devicesOf(PID, 1n)).toEqual([{ apptype: "fcm", devicetoken: "tok" }]);
    devices.adddevice(PID, { uid: 2n, apptype: "fcm", devicetoken: "tok" });
    expect(devices.devicesOf(PID, 1n)).toEqual([]);
    expect(devices.devicesOf(PID, 2n)).toEqual([{ apptype: "fcm", devicetoken: "tok" }]);
  });

  it("removedevice removes uid's own device only", () => {
    const { devices } = setup();
    devices.adddevice(PID, { uid: 1n, apptype: "apns", devicetoken: "a" });
    devices.adddevice(PID, { uid: 1n, apptype: "apns", devicetoken: "b" });
    expect(devices.removedevice(PID, { uid: 2n, devicetoken: "a" })).toEqual({});
    expect(devices.devicesOf(PID, 1n)).toHaveLength(2);
    expect(devices.removedevice(PID, { uid: 1n, devicetoken: "a" })).toEqual({});
    expect(devices.devicesOf(PID, 1n)).toEqual([{ apptype: "apns", devicetoken: "b" }]);
    expect(devices.removedevice(PID, { uid: 1n, devicetoken: "absent" })).toEqual({});
  });

  it("an apptype other than apns or fcm -> 200034 naming apptype; an empty devicetoken -> 200033", async () => {
    const { devices } = setup();
    for (const apptype of ["pcm", "APNS", ""]) {
      expect(await codeOf(() => devices.adddevice(PID, { uid: 1n, apptype, devicetoken: "t" }))).toBe(RtmErrorCode.InvalidParameter);
    }
    expect(() => devices.adddevice(PID, { uid: 1n, apptype: "pcm", devicetoken: "t" })).toThrow('apptype must be "apns" or "fcm", got "pcm"');
    expect(await codeOf(() => devices.adddevice(PID, { uid: 1n, apptype: "fcm", devicetoken: "" }))).toBe(RtmErrorCode.EmptyParameter);
    expect(() => devices.adddevice(PID, { uid: 1n, apptype: "fcm", devicetoken: "" })).toThrow("devicetoken is empty");
    expect(await codeOf(() => devices.removedevice(PID, { uid: 1n, devicetoken: "" }))).toBe(RtmErrorCode.EmptyParameter);
    expect(devices.devicesOf(PID, 1n)).toEqual([]);
  });
});

describe("push options", () => {
  it("getoption answers p2p and group entries keyed by xid, mtypes ascending, [] for every type", () => {
    const { devices } = setup();
    expect(devices.getoption(PID, { uid: 1n })).toEqual({ p2p: {}, group: {} });
    expect(devices.addoption(PID, { uid: 1n, type: P2P, xid: 2n, mtype: [40, 30, 30] })).toEqual({});
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 3n });
    devices.addoption(PID, { uid: 1n, type: GROUP, xid: 2n, mtype: [] });
    const max = 2n ** 63n - 1n;
    devices.addoption(PID, { uid: 1n, type: GROUP, xid: max, mtype: [51] });
    expect(devices.getoption(PID, { uid: 1n })).toEqual({
      p2p: { "2": [30, 40], "3": [] },
      group: { "2": [], "9223372036854775807": [51] },
    });
    expect(devices.getoption(PID, { uid: 2n })).toEqual({ p2p: {}, group: {} });
  });

  it("adding specific mtypes unions them; adding all replaces with all; adding specific to all stays all", () => {
    const { devices } = setup();
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 2n, mtype: [50, 30] });
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 2n, mtype: [40, 30] });
    expect(devices.getoption(PID, { uid: 1n }).p2p).toEqual({ "2": [30, 40, 50] });
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 2n, mtype: [] });
    expect(devices.getoption(PID, { uid: 1n }).p2p).toEqual({ "2": [] });
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 2n, mtype: [60] });
    expect(devices.getoption(PID, { uid: 1n }).p2p).toEqual({ "2": [] });
  });

  it("removeoption without mtypes removes the entry; with mtypes removes those types, and the entry with the last one", () => {
    const { devices } = setup();
    devices.addoption(PID, { uid: 1n, type: GROUP, xid: 7n, mtype: [30, 40, 50] });
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 7n, mtype: [30] });
    expect(devices.removeoption(PID, { uid: 1n, type: GROUP, xid: 7n, mtype: [40, 99] })).toEqual({});
    expect(devices.getoption(PID, { uid: 1n })).toEqual({ p2p: { "7": [30] }, group: { "7": [30, 50] } });
    devices.removeoption(PID, { uid: 1n, type: GROUP, xid: 7n, mtype: [30, 50] });
    expect(devices.getoption(PID, { uid: 1n })).toEqual({ p2p: { "7": [30] }, group: {} });
    devices.removeoption(PID, { uid: 1n, type: P2P, xid: 7n, mtype: [] });
    expect(devices.getoption(PID, { uid: 1n })).toEqual({ p2p: {}, group: {} });
    expect(devices.removeoption(PID, { uid: 1n, type: P2P, xid: 8n })).toEqual({}); // absent: nothing to do
  });

  it("removing specific mtypes from an all entry leaves it all; removing without mtypes removes it", () => {
    const { devices } = setup();
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 2n });
    devices.removeoption(PID, { uid: 1n, type: P2P, xid: 2n, mtype: [30] });
    expect(devices.getoption(PID, { uid: 1n }).p2p).toEqual({ "2": [] });
    devices.removeoption(PID, { uid: 1n, type: P2P, xid: 2n });
    expect(devices.getoption(PID, { uid: 1n }).p2p).toEqual({});
  });

  it("a type other than 0 (p2p) or 1 (group) -> 200034 naming type", async () => {
    const { devices } = setup();
    for (const type of [2, -1, 3]) {
      expect(await codeOf(() => devices.addoption(PID, { uid: 1n, type, xid: 2n }))).toBe(RtmErrorCode.InvalidParameter);
      expect(await codeOf(() => devices.removeoption(PID, { uid: 1n, type, xid: 2n }))).toBe(RtmErrorCode.InvalidParameter);
    }
    expect(() => devices.addoption(PID, { uid: 1n, type: 2, xid: 2n })).toThrow("type must be 0 (p2p) or 1 (group), got 2");
    expect(devices.getoption(PID, { uid: 1n })).toEqual({ p2p: {}, group: {} });
  });
});

describe("projects", () => {
  it("are isolated from each other", () => {
    const { devices } = setup();
    devices.adddevice(PID, { uid: 1n, apptype: "apns", devicetoken: "tok" });
    devices.addoption(PID, { uid: 1n, type: P2P, xid: 2n, mtype: [30] });
    expect(devices.devicesOf(PID + 1, 1n)).toEqual([]);
    expect(devices.getoption(PID + 1, { uid: 1n })).toEqual({ p2p: {}, group: {} });
    // the same token in another project is another device
    devices.adddevice(PID + 1, { uid: 9n, apptype: "fcm", devicetoken: "tok" });
    devices.removedevice(PID + 1, { uid: 1n, devicetoken: "tok" });
    devices.addoption(PID + 1, { uid: 1n, type: P2P, xid: 2n });
    devices.removeoption(PID + 1, { uid: 1n, type: P2P, xid: 2n });
    expect(devices.devicesOf(PID, 1n)).toEqual([{ apptype: "apns", devicetoken: "tok" }]);
    expect(devices.devicesOf(PID + 1, 9n)).toEqual([{ apptype: "fcm", devicetoken: "tok" }]);
    expect(devices.getoption(PID, { uid: 1n })).toEqual({ p2p: { "2": [30] }, group: {} });
  });
});

describe("durability", () => {
  it("devices and push options survive closing and reopening the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-devices-"));
    try {
      const path = join(dir, "social.sqlite");
      const first = setup(path);
      first.devices.adddevice(PID, { uid: 1n, apptype: "fcm", devicetoken: "tok" });
      first.devices.addoption(PID, { uid: 1n, type: GROUP, xid: 5n, mtype: [31, 30] });
      first.db.close();
      const second = setup(path);
      expect(second.devices.devicesOf(PID, 1n)).toEqual([{ apptype: "fcm", devicetoken: "tok" }]);
      expect(second.devices.getoption(PID, { uid: 1n })).toEqual({ p2p: {}, group: { "5": [30, 31] } });
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
