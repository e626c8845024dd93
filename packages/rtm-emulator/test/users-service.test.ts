import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { UsersService } from "../src/services/users.js";
import { openDatabase } from "../src/storage/database.js";
import { codeOf, PID, T0 } from "./helpers.js";

let opened: Database[] = [];
function setup(path?: string) {
  const db = openDatabase({ path });
  opened.push(db);
  const clock = { ms: T0 };
  return { db, clock, users: new UsersService(db, { now: () => clock.ms }) };
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => BigInt(from + i));

describe("online presence", () => {
  it("getonlineusers answers the distinct online uids among those asked, ascending", () => {
    const { users } = setup();
    expect(users.getonlineusers(PID, { uids: [1n, 2n] })).toEqual({ uids: [] });
    users.setOnline(PID, 5n, true);
    users.setOnline(PID, 2n, true);
    users.setOnline(PID, 9n, true);
    expect(users.getonlineusers(PID, { uids: [5n, 1n, 2n, 5n] })).toEqual({ uids: [2n, 5n] });
    users.setOnline(PID, 5n, false);
    expect(users.getonlineusers(PID, { uids: [5n, 2n] })).toEqual({ uids: [2n] });
    expect(users.getonlineusers(PID, { uids: [] })).toEqual({ uids: [] });
  });

  it("kickout takes the user offline, ce or not", () => {
    const { users } = setup();
    users.setOnline(PID, 1n, true);
    users.setOnline(PID, 2n, true);
    expect(users.kickout(PID, { uid: 1n })).toEqual({});
    expect(users.kickout(PID, { uid: 2n, ce: "10.0.0.1:13321" })).toEqual({});
    expect(users.kickout(PID, { uid: 3n })).toEqual({}); // offline already: nothing to do
    expect(users.getonlineusers(PID, { uids: [1n, 2n, 3n] })).toEqual({ uids: [] });
  });

  it("is not persisted: a new service over the same file starts with nobody online", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-users-"));
    try {
      const path = join(dir, "social.sqlite");
      const first = setup(path);
      first.users.setOnline(PID, 1n, true);
      first.db.close();
      expect(setup(path).users.getonlineusers(PID, { uids: [1n] })).toEqual({ uids: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("more than 200 uids, counted as sent -> 200032 naming uids; 200 is accepted", async () => {
    const { users } = setup();
    users.setOnline(PID, 200n, true);
    expect(await codeOf(() => users.getonlineusers(PID, { uids: ids(201) }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(() => users.getonlineusers(PID, { uids: ids(201) })).toThrow("uids has 201 ids, the limit is 200");
    expect(users.getonlineusers(PID, { uids: ids(200) })).toEqual({ uids: [200n] });
    expect(await codeOf(() => users.getonlineusers(PID, { uids: Array<bigint>(201).fill(200n) }))).toBe(RtmErrorCode.TooManyItemsInParameters);
  });
});

describe("project blacklist", () => {
  it("lasts btime seconds, then counts as absent", () => {
    const { users, clock } = setup();
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: false });
    expect(users.addprojectblack(PID, { uid: 1n, btime: 60 })).toEqual({});
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: true });
    clock.ms = T0 + 59_999;
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: true });
    clock.ms = T0 + 60_000;
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: false });
  });

  it("a repeat replaces the end, also with a shorter btime", () => {
    const { users, clock } = setup();
    users.addprojectblack(PID, { uid: 1n, btime: 3600 });
    users.addprojectblack(PID, { uid: 1n, btime: 10 });
    clock.ms = T0 + 10_000;
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: false });
    users.addprojectblack(PID, { uid: 1n, btime: 10 }); // after expiry: counts from now again
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: true });
  });

  it("removeprojectblack ends it at once; removing an absent one is fine", () => {
    const { users } = setup();
    users.addprojectblack(PID, { uid: 1n, btime: 60 });
    expect(users.removeprojectblack(PID, { uid: 1n })).toEqual({});
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: false });
    expect(users.removeprojectblack(PID, { uid: 2n })).toEqual({});
  });

  it("takes the user offline", () => {
    const { users } = setup();
    users.setOnline(PID, 1n, true);
    users.addprojectblack(PID, { uid: 1n, btime: 60 });
    expect(users.getonlineusers(PID, { uids: [1n] })).toEqual({ uids: [] });
  });

  it("btime <= 0 -> 200034 naming btime, nothing stored", async () => {
    const { users } = setup();
    for (const btime of [0, -1]) {
      expect(await codeOf(() => users.addprojectblack(PID, { uid: 1n, btime }))).toBe(RtmErrorCode.InvalidParameter);
      expect(() => users.addprojectblack(PID, { uid: 1n, btime })).toThrow(/btime/);
    }
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: false });
  });
});

describe("user info", () => {
  it("is empty strings until set; setuserinfo changes only the fields given", () => {
    const { users } = setup();
    expect(users.getuserinfo(PID, { uid: 1n })).toEqual({ oinfo: "", pinfo: "" });
    users.setuserinfo(PID, { uid: 1n, oinfo: "open" });
    expect(users.getuserinfo(PID, { uid: 1n })).toEqual({ oinfo: "open", pinfo: "" });
    users.setuserinfo(PID, { uid: 1n, pinfo: "private" });
    expect(users.getuserinfo(PID, { uid: 1n })).toEqual({ oinfo: "open", pinfo: "private" });
    users.setuserinfo(PID, { uid: 1n, oinfo: "", pinfo: undefined });
    expect(users.getuserinfo(PID, { uid: 1n })).toEqual({ oinfo: "", pinfo: "private" });
    users.setuserinfo(PID, { uid: 1n });
    expect(users.getuserinfo(PID, { uid: 1n })).toEqual({ oinfo: "", pinfo: "private" });
  });

  it("getuseropeninfo answers every requested uid, with its oinfo or an empty string, never pinfo", () => {
    const { users } = setup();
    users.setuserinfo(PID, { uid: 1n, oinfo: "one", pinfo: "secret" });
    users.setuserinfo(PID, { uid: 3n, pinfo: "secret" });
    const max = 2n ** 63n - 1n;
    users.setuserinfo(PID, { uid: max, oinfo: "max" });
    expect(users.getuseropeninfo(PID, { uids: [3n, 1n, 2n, 1n, max] })).toEqual({ info: { "1": "one", "2": "", "3": "", "9223372036854775807": "max" } });
    expect(users.getuseropeninfo(PID, { uids: [] })).toEqual({ info: {} });
  });

  it("getuseropeninfo with more than 100 uids -> 200032 naming uids", async () => {
    const { users } = setup();
    expect(await codeOf(() => users.getuseropeninfo(PID, { uids: ids(101) }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(() => users.getuseropeninfo(PID, { uids: ids(101) })).toThrow("uids has 101 ids, the limit is 100");
    expect(Object.keys(users.getuseropeninfo(PID, { uids: ids(100) }).info)).toHaveLength(100);
  });
});

describe("tokens", () => {
  it("gettoken makes 32 hex characters on the first call and answers the same until removetoken", () => {
    const { users } = setup();
    const { token } = users.gettoken(PID, { uid: 1n });
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(users.gettoken(PID, { uid: 1n })).toEqual({ token });
    const other = users.gettoken(PID, { uid: 2n }).token;
    expect(other).not.toBe(token);
    expect(users.removetoken(PID, { uid: 1n })).toEqual({});
    const next = users.gettoken(PID, { uid: 1n }).token;
    expect(next).toMatch(/^[0-9a-f]{32}$/);
    expect(next).not.toBe(token);
    expect(users.gettoken(PID, { uid: 2n }).token).toBe(other);
    expect(users.removetoken(PID, { uid: 3n })).toEqual({});
  });
});

describe("projects", () => {
  it("are isolated from each other", () => {
    const { users } = setup();
    users.setOnline(PID, 1n, true);
    users.addprojectblack(PID, { uid: 1n, btime: 60 });
    users.setuserinfo(PID, { uid: 1n, oinfo: "o", pinfo: "p" });
    const token = users.gettoken(PID, { uid: 1n }).token;
    users.setOnline(PID + 1, 1n, true);
    expect(users.getonlineusers(PID, { uids: [1n] })).toEqual({ uids: [] });
    expect(users.getonlineusers(PID + 1, { uids: [1n] })).toEqual({ uids: [1n] });
    users.setOnline(PID, 2n, true);
    users.kickout(PID + 1, { uid: 2n });
    expect(users.getonlineusers(PID, { uids: [2n] })).toEqual({ uids: [2n] });
    expect(users.isprojectblack(PID + 1, { uid: 1n })).toEqual({ ok: false });
    expect(users.getuserinfo(PID + 1, { uid: 1n })).toEqual({ oinfo: "", pinfo: "" });
    expect(users.getuseropeninfo(PID + 1, { uids: [1n] })).toEqual({ info: { "1": "" } });
    expect(users.gettoken(PID + 1, { uid: 1n }).token).not.toBe(token);
    users.removetoken(PID + 1, { uid: 1n });
    users.removeprojectblack(PID + 1, { uid: 1n });
    expect(users.gettoken(PID, { uid: 1n }).token).toBe(token);
    expect(users.isprojectblack(PID, { uid: 1n })).toEqual({ ok: true });
  });
});

describe("durability", () => {
  it("info, project blacks and tokens survive closing and reopening the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-users-"));
    try {
      const path = join(dir, "social.sqlite");
      const first = setup(path);
      first.users.setuserinfo(PID, { uid: 1n, oinfo: "o", pinfo: "p" });
      first.users.addprojectblack(PID, { uid: 2n, btime: 60 });
      const { token } = first.users.gettoken(PID, { uid: 1n });
      first.db.close();
      const second = setup(path);
      expect(second.users.getuserinfo(PID, { uid: 1n })).toEqual({ oinfo: "o", pinfo: "p" });
      expect(second.users.isprojectblack(PID, { uid: 2n })).toEqual({ ok: true });
      expect(second.users.gettoken(PID, { uid: 1n })).toEqual({ token });
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
