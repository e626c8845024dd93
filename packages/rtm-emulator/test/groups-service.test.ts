import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { GroupsService } from "../src/services/groups.js";
import { openDatabase } from "../src/storage/database.js";
import { codeOf, PID, T0 } from "./helpers.js";

let opened: Database[] = [];
function setup(path?: string) {
  const clock = { ms: T0 };
  const db = openDatabase({ path });
  opened.push(db);
  return { clock, db, groups: new GroupsService(db, { now: () => clock.ms }) };
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

const ids = (...values: number[]) => values.map(BigInt);

describe("members", () => {
  it("adds and removes members idempotently; lists them ascending without duplicates", () => {
    const { groups } = setup();
    expect(groups.addgroupmembers(PID, { gid: 1n, uids: ids(30, 10, 20, 10) })).toEqual({});
    groups.addgroupmembers(PID, { gid: 1n, uids: ids(20, 5) });
    expect(groups.getgroupmembers(PID, { gid: 1n })).toEqual({ uids: ids(5, 10, 20, 30) });
    expect(groups.isgroupmember(PID, { gid: 1n, uid: 20n })).toEqual({ ok: true });
    expect(groups.delgroupmembers(PID, { gid: 1n, uids: ids(20, 99) })).toEqual({});
    expect(groups.getgroupmembers(PID, { gid: 1n })).toEqual({ uids: ids(5, 10, 30) });
    expect(groups.isgroupmember(PID, { gid: 1n, uid: 20n })).toEqual({ ok: false });
    expect(groups.getgroupmembers(PID, { gid: 404n })).toEqual({ uids: [] });
  });

  it("an empty uids list changes nothing", () => {
    const { groups } = setup();
    groups.addgroupmembers(PID, { gid: 1n, uids: [1n] });
    groups.addgroupmembers(PID, { gid: 1n, uids: [] });
    groups.delgroupmembers(PID, { gid: 1n, uids: [] });
    expect(groups.getgroupmembers(PID, { gid: 1n }).uids).toEqual([1n]);
  });

  it("getusergroups lists the user's groups ascending", () => {
    const { groups } = setup();
    for (const gid of [7n, 3n, 5n]) groups.addgroupmembers(PID, { gid, uids: [1n, 2n] });
    groups.delgroupmembers(PID, { gid: 5n, uids: [2n] });
    expect(groups.getusergroups(PID, { uid: 1n })).toEqual({ gids: ids(3, 5, 7) });
    expect(groups.getusergroups(PID, { uid: 2n })).toEqual({ gids: ids(3, 7) });
    expect(groups.getusergroups(PID, { uid: 3n })).toEqual({ gids: [] });
  });

  it("accepts 100 uids per add or delete and refuses 101 with TooManyItemsInParameters naming uids", async () => {
    const { groups } = setup();
    const hundred = Array.from({ length: 100 }, (_, i) => BigInt(i + 1));
    groups.addgroupmembers(PID, { gid: 1n, uids: hundred });
    expect(groups.getgroupmembers(PID, { gid: 1n }).uids).toHaveLength(100);
    const over = [...hundred, 101n];
    for (const call of [() => groups.addgroupmembers(PID, { gid: 1n, uids: over }), () => groups.delgroupmembers(PID, { gid: 1n, uids: over })]) {
      expect(await codeOf(call)).toBe(RtmErrorCode.TooManyItemsInParameters);
      expect(call).toThrow(/uids .*100/);
    }
    expect(groups.getgroupmembers(PID, { gid: 1n }).uids).toHaveLength(100); // a refused call changes nothing
  });

  it("keeps int64 ids exact at both ends of the range", () => {
    const { groups } = setup();
    const max = 2n ** 63n - 1n;
    const min = -(2n ** 63n);
    groups.addgroupmembers(PID, { gid: max, uids: [max, min, 0n] });
    expect(groups.getgroupmembers(PID, { gid: max })).toEqual({ uids: [min, 0n, max] });
    expect(groups.getusergroups(PID, { uid: min })).toEqual({ gids: [max] });
  });
});

describe("delgroup", () => {
  it("removes the group's members, info and bans, and nothing of other groups or the every-group bans", () => {
    const { groups } = setup();
    for (const gid of [1n, 2n]) {
      groups.addgroupmembers(PID, { gid, uids: [10n, 11n] });
      groups.setgroupinfo(PID, { gid, oinfo: "open", pinfo: "private" });
      groups.addgroupban(PID, { gid, uid: 10n, btime: 60 });
    }
    groups.addgroupban(PID, { uid: 11n, btime: 60 });
    expect(groups.delgroup(PID, { gid: 1n })).toEqual({});
    expect(groups.getgroupmembers(PID, { gid: 1n })).toEqual({ uids: [] });
    expect(groups.getgroupinfo(PID, { gid: 1n })).toEqual({ oinfo: "", pinfo: "" });
    expect(groups.isbanofgroup(PID, { gid: 1n, uid: 10n })).toEqual({ ok: false });
    expect(groups.isbanofgroup(PID, { gid: 1n, uid: 11n })).toEqual({ ok: true }); // every-group ban
    expect(groups.getusergroups(PID, { uid: 10n })).toEqual({ gids: [2n] });
    expect(groups.getgroupmembers(PID, { gid: 2n })).toEqual({ uids: [10n, 11n] });
    expect(groups.getgroupinfo(PID, { gid: 2n })).toEqual({ oinfo: "open", pinfo: "private" });
    expect(groups.isbanofgroup(PID, { gid: 2n, uid: 10n })).toEqual({ ok: true });
  });

  it("delgroup of gid 0 keeps the every-group bans (they are stored under 0 but belong to no group)", () => {
    const { groups } = setup();
    groups.addgroupban(PID, { gid: 0n, uid: 5n, btime: 60 });
    groups.delgroup(PID, { gid: 0n });
    expect(groups.isBanned(PID, 9n, 5n)).toBe(true);
  });
});

describe("bans", () => {
  it("a ban lasts btime seconds: live until then, absent from the instant it ends", () => {
    const { groups, clock } = setup();
    expect(groups.addgroupban(PID, { gid: 1n, uid: 5n, btime: 10 })).toEqual({});
    expect(groups.isbanofgroup(PID, { gid: 1n, uid: 5n })).toEqual({ ok: true });
    expect(groups.isbanofgroup(PID, { gid: 2n, uid: 5n })).toEqual({ ok: false });
    expect(groups.isbanofgroup(PID, { gid: 1n, uid: 6n })).toEqual({ ok: false });
    clock.ms = T0 + 9_999;
    expect(groups.isBanned(PID, 1n, 5n)).toBe(true);
    clock.ms = T0 + 10_000;
    expect(groups.isBanned(PID, 1n, 5n)).toBe(false);
  });

  it("gid absent or 0 bans in every group; removing without gid lifts only that ban", () => {
    const { groups } = setup();
    groups.addgroupban(PID, { uid: 5n, btime: 60 });
    groups.addgroupban(PID, { gid: 0n, uid: 6n, btime: 60 });
    for (const gid of [1n, 2n, 12345n]) {
      expect(groups.isbanofgroup(PID, { gid, uid: 5n }).ok).toBe(true);
      expect(groups.isbanofgroup(PID, { gid, uid: 6n }).ok).toBe(true);
    }
    groups.addgroupban(PID, { gid: 3n, uid: 5n, btime: 60 });
    expect(groups.removegroupban(PID, { uid: 5n })).toEqual({});
    expect(groups.isBanned(PID, 1n, 5n)).toBe(false);
    expect(groups.isBanned(PID, 3n, 5n)).toBe(true); // the group ban stays
    groups.removegroupban(PID, { gid: 0n, uid: 6n });
    expect(groups.isBanned(PID, 1n, 6n)).toBe(false);
  });

  it("removing a group's ban leaves an every-group ban in force there", () => {
    const { groups } = setup();
    groups.addgroupban(PID, { gid: 1n, uid: 5n, btime: 60 });
    groups.addgroupban(PID, { uid: 5n, btime: 60 });
    groups.removegroupban(PID, { gid: 1n, uid: 5n });
    expect(groups.isBanned(PID, 1n, 5n)).toBe(true);
    groups.removegroupban(PID, { uid: 5n });
    expect(groups.isBanned(PID, 1n, 5n)).toBe(false);
    expect(groups.removegroupban(PID, { gid: 1n, uid: 5n })).toEqual({}); // no ban: nothing to do
  });

  it("a new ban replaces the earlier one of the same user and group, even a longer one", () => {
    const { groups, clock } = setup();
    groups.addgroupban(PID, { gid: 1n, uid: 5n, btime: 3600 });
    groups.addgroupban(PID, { gid: 1n, uid: 5n, btime: 10 });
    clock.ms = T0 + 10_000;
    expect(groups.isBanned(PID, 1n, 5n)).toBe(false);
    // an expired ban is renewed by the next one
    groups.addgroupban(PID, { gid: 1n, uid: 5n, btime: 1 });
    expect(groups.isBanned(PID, 1n, 5n)).toBe(true);
  });

  it("refuses btime <= 0 with InvalidParameter naming btime", async () => {
    const { groups } = setup();
    for (const btime of [0, -1]) {
      expect(await codeOf(() => groups.addgroupban(PID, { gid: 1n, uid: 5n, btime }))).toBe(RtmErrorCode.InvalidParameter);
      expect(() => groups.addgroupban(PID, { uid: 5n, btime })).toThrow(/btime/);
    }
    expect(groups.isBanned(PID, 1n, 5n)).toBe(false);
  });
});

describe("info", () => {
  it("answers empty strings before any set; a set changes only the fields it gives", () => {
    const { groups } = setup();
    expect(groups.getgroupinfo(PID, { gid: 1n })).toEqual({ oinfo: "", pinfo: "" });
    expect(groups.setgroupinfo(PID, { gid: 1n, oinfo: "public" })).toEqual({});
    expect(groups.getgroupinfo(PID, { gid: 1n })).toEqual({ oinfo: "public", pinfo: "" });
    groups.setgroupinfo(PID, { gid: 1n, pinfo: "secret" });
    expect(groups.getgroupinfo(PID, { gid: 1n })).toEqual({ oinfo: "public", pinfo: "secret" });
    groups.setgroupinfo(PID, { gid: 1n });
    groups.setgroupinfo(PID, { gid: 1n, oinfo: "" });
    expect(groups.getgroupinfo(PID, { gid: 1n })).toEqual({ oinfo: "", pinfo: "secret" });
    groups.setgroupinfo(PID, { gid: 1n, oinfo: "ü ✓", pinfo: "b" });
    expect(groups.getgroupinfo(PID, { gid: 1n })).toEqual({ oinfo: "ü ✓", pinfo: "b" });
  });
});

describe("projects", () => {
  it("are isolated: members, user groups, bans and info of one pid are invisible to another", () => {
    const { groups } = setup();
    const other = PID + 1;
    groups.addgroupmembers(PID, { gid: 1n, uids: [10n] });
    groups.addgroupban(PID, { gid: 1n, uid: 10n, btime: 60 });
    groups.addgroupban(PID, { uid: 11n, btime: 60 });
    groups.setgroupinfo(PID, { gid: 1n, oinfo: "o", pinfo: "p" });
    expect(groups.getgroupmembers(other, { gid: 1n })).toEqual({ uids: [] });
    expect(groups.isgroupmember(other, { gid: 1n, uid: 10n })).toEqual({ ok: false });
    expect(groups.getusergroups(other, { uid: 10n })).toEqual({ gids: [] });
    expect(groups.isbanofgroup(other, { gid: 1n, uid: 10n })).toEqual({ ok: false });
    expect(groups.isbanofgroup(other, { gid: 1n, uid: 11n })).toEqual({ ok: false });
    expect(groups.getgroupinfo(other, { gid: 1n })).toEqual({ oinfo: "", pinfo: "" });
    groups.delgroup(other, { gid: 1n });
    expect(groups.getgroupmembers(PID, { gid: 1n })).toEqual({ uids: [10n] });
    expect(groups.isBanned(PID, 1n, 10n)).toBe(true);
  });
});

describe("file database", () => {
  it("keeps members, bans and info across a close and reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-groups-test-"));
    try {
      const path = join(dir, "groups.sqlite");
      const first = setup(path);
      first.groups.addgroupmembers(PID, { gid: 1n, uids: [10n, 11n] });
      first.groups.addgroupban(PID, { gid: 1n, uid: 10n, btime: 60 });
      first.groups.addgroupban(PID, { uid: 12n, btime: 60 });
      first.groups.setgroupinfo(PID, { gid: 1n, oinfo: "o", pinfo: "p" });
      first.db.close();

      const second = setup(path);
      expect(second.groups.getgroupmembers(PID, { gid: 1n })).toEqual({ uids: [10n, 11n] });
      expect(second.groups.getusergroups(PID, { uid: 11n })).toEqual({ gids: [1n] });
      expect(second.groups.isBanned(PID, 1n, 10n)).toBe(true);
      expect(second.groups.isBanned(PID, 2n, 12n)).toBe(true);
      expect(second.groups.getgroupinfo(PID, { gid: 1n })).toEqual({ oinfo: "o", pinfo: "p" });
      second.clock.ms = T0 + 60_000; // the stored end time, not a restarted countdown
      expect(second.groups.isBanned(PID, 1n, 10n)).toBe(false);
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
