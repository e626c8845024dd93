import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { GroupsService } from "../src/services/groups.js";
import { RoomsService } from "../src/services/rooms.js";
import { openDatabase } from "../src/storage/database.js";
import { codeOf, PID, T0 } from "./helpers.js";

let opened: Database[] = [];
function setup(path?: string) {
  const clock = { ms: T0 };
  const db = openDatabase({ path });
  opened.push(db);
  return { clock, db, rooms: new RoomsService(db, { now: () => clock.ms }) };
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

describe("members", () => {
  it("adds and removes one member at a time, idempotently; lists them ascending", () => {
    const { rooms } = setup();
    for (const uid of [30n, 10n, 20n, 10n]) expect(rooms.addroommember(PID, { rid: 1n, uid })).toEqual({});
    expect(rooms.getroommembers(PID, { rid: 1n })).toEqual({ uids: [10n, 20n, 30n] });
    expect(rooms.delroommember(PID, { rid: 1n, uid: 20n })).toEqual({});
    expect(rooms.delroommember(PID, { rid: 1n, uid: 99n })).toEqual({});
    expect(rooms.getroommembers(PID, { rid: 1n })).toEqual({ uids: [10n, 30n] });
    expect(rooms.getroommembers(PID, { rid: 2n })).toEqual({ uids: [] });
  });

  it("getroomcount answers the member count of each requested room by decimal rid, 0 for an empty or unknown room", () => {
    const { rooms } = setup();
    for (const uid of [1n, 2n, 3n]) rooms.addroommember(PID, { rid: 7n, uid });
    rooms.addroommember(PID, { rid: 8n, uid: 1n });
    rooms.delroommember(PID, { rid: 8n, uid: 1n });
    const big = 2n ** 63n - 1n;
    rooms.addroommember(PID, { rid: big, uid: 1n });
    expect(rooms.getroomcount(PID, { rids: [7n, 8n, 9n, 7n, big] })).toEqual({ cn: { "7": 3, "8": 0, "9": 0, [big.toString()]: 1 } });
    expect(rooms.getroomcount(PID, { rids: [] })).toEqual({ cn: {} });
  });
});

describe("bans", () => {
  it("a ban lasts btime seconds in its room only", () => {
    const { rooms, clock } = setup();
    expect(rooms.addroomban(PID, { rid: 1n, uid: 5n, btime: 2 })).toEqual({});
    expect(rooms.isbanofroom(PID, { rid: 1n, uid: 5n })).toEqual({ ok: true });
    expect(rooms.isbanofroom(PID, { rid: 2n, uid: 5n })).toEqual({ ok: false });
    clock.ms = T0 + 1_999;
    expect(rooms.isBanned(PID, 1n, 5n)).toBe(true);
    clock.ms = T0 + 2_000;
    expect(rooms.isBanned(PID, 1n, 5n)).toBe(false);
  });

  it("rid absent or 0 bans in every room; removing without rid lifts only that ban; a room's removal leaves it", () => {
    const { rooms } = setup();
    rooms.addroomban(PID, { uid: 5n, btime: 60 });
    rooms.addroomban(PID, { rid: 0n, uid: 6n, btime: 60 });
    rooms.addroomban(PID, { rid: 3n, uid: 5n, btime: 60 });
    expect(rooms.isbanofroom(PID, { rid: 42n, uid: 5n }).ok).toBe(true);
    expect(rooms.isbanofroom(PID, { rid: 42n, uid: 6n }).ok).toBe(true);
    expect(rooms.removeroomban(PID, { rid: 3n, uid: 5n })).toEqual({});
    expect(rooms.isBanned(PID, 3n, 5n)).toBe(true); // the every-room ban still holds there
    rooms.addroomban(PID, { rid: 3n, uid: 5n, btime: 60 });
    expect(rooms.removeroomban(PID, { uid: 5n })).toEqual({});
    expect(rooms.isBanned(PID, 42n, 5n)).toBe(false);
    expect(rooms.isBanned(PID, 3n, 5n)).toBe(true);
    rooms.removeroomban(PID, { rid: 0n, uid: 6n });
    expect(rooms.isBanned(PID, 42n, 6n)).toBe(false);
  });

  it("a new ban replaces the earlier one, even a longer one", () => {
    const { rooms, clock } = setup();
    rooms.addroomban(PID, { rid: 1n, uid: 5n, btime: 3600 });
    rooms.addroomban(PID, { rid: 1n, uid: 5n, btime: 1 });
    clock.ms = T0 + 1_000;
    expect(rooms.isBanned(PID, 1n, 5n)).toBe(false);
  });

  it("refuses btime <= 0 with InvalidParameter naming btime", async () => {
    const { rooms } = setup();
    expect(await codeOf(() => rooms.addroomban(PID, { rid: 1n, uid: 5n, btime: 0 }))).toBe(RtmErrorCode.InvalidParameter);
    expect(() => rooms.addroomban(PID, { uid: 5n, btime: -3 })).toThrow(/btime/);
    expect(rooms.isBanned(PID, 1n, 5n)).toBe(false);
  });

  it("room bans and group bans are separate", () => {
    const { rooms, db } = setup();
    const groups = new GroupsService(db, { now: () => T0 });
    rooms.addroomban(PID, { uid: 5n, btime: 60 });
    groups.addgroupban(PID, { gid: 1n, uid: 6n, btime: 60 });
    expect(groups.isBanned(PID, 1n, 5n)).toBe(false);
    expect(rooms.isBanned(PID, 1n, 6n)).toBe(false);
  });
});

describe("info", () => {
  it("answers empty strings before any set; a set changes only the fields it gives", () => {
    const { rooms } = setup();
    expect(rooms.getroominfo(PID, { rid: 1n })).toEqual({ oinfo: "", pinfo: "" });
    expect(rooms.setroominfo(PID, { rid: 1n, pinfo: "p" })).toEqual({});
    expect(rooms.getroominfo(PID, { rid: 1n })).toEqual({ oinfo: "", pinfo: "p" });
    rooms.setroominfo(PID, { rid: 1n, oinfo: "o" });
    expect(rooms.getroominfo(PID, { rid: 1n })).toEqual({ oinfo: "o", pinfo: "p" });
    expect(rooms.getroominfo(PID, { rid: 2n })).toEqual({ oinfo: "", pinfo: "" });
  });
});

describe("projects", () => {
  it("are isolated: members, counts, bans and info of one pid are invisible to another", () => {
    const { rooms } = setup();
    const other = PID + 1;
    rooms.addroommember(PID, { rid: 1n, uid: 10n });
    rooms.addroomban(PID, { rid: 1n, uid: 10n, btime: 60 });
    rooms.addroomban(PID, { uid: 11n, btime: 60 });
    rooms.setroominfo(PID, { rid: 1n, oinfo: "o", pinfo: "p" });
    expect(rooms.getroommembers(other, { rid: 1n })).toEqual({ uids: [] });
    expect(rooms.getroomcount(other, { rids: [1n] })).toEqual({ cn: { "1": 0 } });
    expect(rooms.isbanofroom(other, { rid: 1n, uid: 10n })).toEqual({ ok: false });
    expect(rooms.isbanofroom(other, { rid: 1n, uid: 11n })).toEqual({ ok: false });
    expect(rooms.getroominfo(other, { rid: 1n })).toEqual({ oinfo: "", pinfo: "" });
    rooms.delroommember(other, { rid: 1n, uid: 10n });
    rooms.removeroomban(other, { uid: 11n });
    expect(rooms.getroomcount(PID, { rids: [1n] })).toEqual({ cn: { "1": 1 } });
    expect(rooms.isBanned(PID, 1n, 11n)).toBe(true);
  });
});

describe("file database", () => {
  it("keeps members, bans and info across a close and reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-rooms-test-"));
    try {
      const path = join(dir, "rooms.sqlite");
      const first = setup(path);
      first.rooms.addroommember(PID, { rid: 1n, uid: 10n });
      first.rooms.addroomban(PID, { rid: 1n, uid: 11n, btime: 60 });
      first.rooms.setroominfo(PID, { rid: 1n, oinfo: "o" });
      first.db.close();

      const second = setup(path);
      expect(second.rooms.getroommembers(PID, { rid: 1n })).toEqual({ uids: [10n] });
      expect(second.rooms.isBanned(PID, 1n, 11n)).toBe(true);
      expect(second.rooms.getroominfo(PID, { rid: 1n })).toEqual({ oinfo: "o", pinfo: "" });
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
