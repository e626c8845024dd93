import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { FriendsService } from "../src/services/friends.js";
import { openDatabase } from "../src/storage/database.js";
import { codeOf, PID } from "./helpers.js";

let opened: Database[] = [];
function setup(path?: string) {
  const db = openDatabase({ path });
  opened.push(db);
  return { db, friends: new FriendsService(db) };
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => BigInt(from + i));

describe("friends", () => {
  it("are mutual: adding b to a's friends makes a one of b's; lists are ascending and distinct", () => {
    const { friends } = setup();
    expect(friends.addfriends(PID, { uid: 1n, friends: [30n, 2n, 30n, 2n] })).toEqual({});
    expect(friends.getfriends(PID, { uid: 1n })).toEqual({ uids: [2n, 30n] });
    expect(friends.getfriends(PID, { uid: 30n })).toEqual({ uids: [1n] });
    expect(friends.isfriend(PID, { uid: 2n, fuid: 1n })).toEqual({ ok: true });
    expect(friends.isfriend(PID, { uid: 2n, fuid: 30n })).toEqual({ ok: false });
    // adding again changes nothing
    friends.addfriends(PID, { uid: 2n, friends: [1n] });
    expect(friends.getfriends(PID, { uid: 1n })).toEqual({ uids: [2n, 30n] });
  });

  it("skip uid itself", () => {
    const { friends } = setup();
    friends.addfriends(PID, { uid: 1n, friends: [1n, 2n] });
    expect(friends.getfriends(PID, { uid: 1n })).toEqual({ uids: [2n] });
    expect(friends.isfriend(PID, { uid: 1n, fuid: 1n })).toEqual({ ok: false });
  });

  it("delfriends removes both directions and leaves other friendships", () => {
    const { friends } = setup();
    friends.addfriends(PID, { uid: 1n, friends: [2n, 3n] });
    friends.addfriends(PID, { uid: 2n, friends: [3n] });
    expect(friends.delfriends(PID, { uid: 2n, friends: [1n, 99n] })).toEqual({});
    expect(friends.getfriends(PID, { uid: 1n })).toEqual({ uids: [3n] });
    expect(friends.getfriends(PID, { uid: 2n })).toEqual({ uids: [3n] });
    expect(friends.getfriends(PID, { uid: 3n })).toEqual({ uids: [1n, 2n] });
  });

  it("isfriends answers the distinct friends among fuids, ascending", () => {
    const { friends } = setup();
    friends.addfriends(PID, { uid: 1n, friends: [5n, 3n] });
    expect(friends.isfriends(PID, { uid: 1n, fuids: [9n, 5n, 3n, 5n, 1n] })).toEqual({ fuids: [3n, 5n] });
    expect(friends.isfriends(PID, { uid: 1n, fuids: [] })).toEqual({ fuids: [] });
  });

  it("empty lists are no-ops", () => {
    const { friends } = setup();
    expect(friends.addfriends(PID, { uid: 1n, friends: [] })).toEqual({});
    expect(friends.delfriends(PID, { uid: 1n, friends: [] })).toEqual({});
    expect(friends.addblacks(PID, { uid: 1n, blacks: [] })).toEqual({});
    expect(friends.delblacks(PID, { uid: 1n, blacks: [] })).toEqual({});
    expect(friends.isblacks(PID, { uid: 1n, buids: [] })).toEqual({ buids: [] });
    expect(friends.getfriends(PID, { uid: 1n })).toEqual({ uids: [] });
    expect(friends.getblacks(PID, { uid: 1n })).toEqual({ uids: [] });
  });

  it("keeps int64 ids exact at both ends of the range", () => {
    const { friends } = setup();
    const max = 2n ** 63n - 1n;
    const min = -(2n ** 63n);
    friends.addfriends(PID, { uid: max, friends: [min, 0n] });
    expect(friends.getfriends(PID, { uid: max })).toEqual({ uids: [min, 0n] });
    expect(friends.getfriends(PID, { uid: min })).toEqual({ uids: [max] });
    friends.addblacks(PID, { uid: min, blacks: [max] });
    expect(friends.getblacks(PID, { uid: min })).toEqual({ uids: [max] });
    expect(friends.isblacks(PID, { uid: max, buids: [min, 0n] })).toEqual({ buids: [min] });
  });
});

describe("blacks", () => {
  it("are directed: uid blacks others, getblacks lists uid's own blacklist", () => {
    const { friends } = setup();
    expect(friends.addblacks(PID, { uid: 1n, blacks: [3n, 2n, 3n, 1n] })).toEqual({});
    expect(friends.getblacks(PID, { uid: 1n })).toEqual({ uids: [2n, 3n] }); // itself skipped
    expect(friends.getblacks(PID, { uid: 2n })).toEqual({ uids: [] });
    expect(friends.blocks(PID, 1n, 2n)).toBe(true);
    expect(friends.blocks(PID, 2n, 1n)).toBe(false);
    expect(friends.blocks(PID, 1n, 1n)).toBe(false);
  });

  it("isblack(uid, buid) asks whether uid is on buid's blacklist; isblacks answers those buids", () => {
    const { friends } = setup();
    friends.addblacks(PID, { uid: 10n, blacks: [1n] }); // 10 blocks 1
    friends.addblacks(PID, { uid: 30n, blacks: [1n] }); // 30 blocks 1
    friends.addblacks(PID, { uid: 1n, blacks: [20n] }); // 1 blocks 20: not the question
    expect(friends.isblack(PID, { uid: 1n, buid: 10n })).toEqual({ ok: true });
    expect(friends.isblack(PID, { uid: 10n, buid: 1n })).toEqual({ ok: false });
    expect(friends.isblack(PID, { uid: 1n, buid: 20n })).toEqual({ ok: false });
    expect(friends.isblacks(PID, { uid: 1n, buids: [30n, 20n, 10n, 30n] })).toEqual({ buids: [10n, 30n] });
  });

  it("delblacks removes only from uid's own blacklist", () => {
    const { friends } = setup();
    friends.addblacks(PID, { uid: 1n, blacks: [2n, 3n] });
    friends.addblacks(PID, { uid: 2n, blacks: [1n] });
    expect(friends.delblacks(PID, { uid: 1n, blacks: [2n, 4n] })).toEqual({});
    expect(friends.getblacks(PID, { uid: 1n })).toEqual({ uids: [3n] });
    expect(friends.getblacks(PID, { uid: 2n })).toEqual({ uids: [1n] });
  });

  it("are independent of friendship: blacking a friend keeps the friendship, unfriending keeps the black", () => {
    const { friends } = setup();
    friends.addfriends(PID, { uid: 1n, friends: [2n] });
    friends.addblacks(PID, { uid: 1n, blacks: [2n] });
    expect(friends.isfriend(PID, { uid: 1n, fuid: 2n })).toEqual({ ok: true });
    friends.delfriends(PID, { uid: 1n, friends: [2n] });
    expect(friends.blocks(PID, 1n, 2n)).toBe(true);
  });
});

describe("limits", () => {
  it("more than 100 ids -> 200032 naming the key, nothing stored; 100 is accepted", async () => {
    const { friends } = setup();
    const over = ids(101, 2);
    expect(await codeOf(() => friends.addfriends(PID, { uid: 1n, friends: over }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(await codeOf(() => friends.delfriends(PID, { uid: 1n, friends: over }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(await codeOf(() => friends.addblacks(PID, { uid: 1n, blacks: over }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(await codeOf(() => friends.delblacks(PID, { uid: 1n, blacks: over }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(await codeOf(() => friends.isblacks(PID, { uid: 1n, buids: over }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(() => friends.addfriends(PID, { uid: 1n, friends: over })).toThrow("friends has 101 ids, the limit is 100");
    expect(() => friends.addblacks(PID, { uid: 1n, blacks: over })).toThrow("blacks has 101 ids, the limit is 100");
    expect(() => friends.isblacks(PID, { uid: 1n, buids: over })).toThrow("buids has 101 ids, the limit is 100");
    expect(friends.getfriends(PID, { uid: 1n })).toEqual({ uids: [] });
    expect(friends.getblacks(PID, { uid: 1n })).toEqual({ uids: [] });

    friends.addfriends(PID, { uid: 1n, friends: ids(100, 2) });
    friends.addblacks(PID, { uid: 1n, blacks: ids(100, 2) });
    expect(friends.getfriends(PID, { uid: 1n }).uids).toHaveLength(100);
    expect(friends.isblacks(PID, { uid: 1n, buids: ids(100, 2) })).toEqual({ buids: [] });
  });

  it("counts ids as sent: 101 entries of one id are over the limit", async () => {
    const { friends } = setup();
    expect(await codeOf(() => friends.addfriends(PID, { uid: 1n, friends: Array<bigint>(101).fill(2n) }))).toBe(RtmErrorCode.TooManyItemsInParameters);
  });

  it("isfriends has no documented cap", () => {
    const { friends } = setup();
    friends.addfriends(PID, { uid: 1n, friends: [500n] });
    expect(friends.isfriends(PID, { uid: 1n, fuids: ids(1000) })).toEqual({ fuids: [500n] });
  });
});

describe("projects", () => {
  it("are isolated from each other", () => {
    const { friends } = setup();
    friends.addfriends(PID, { uid: 1n, friends: [2n] });
    friends.addblacks(PID, { uid: 1n, blacks: [3n] });
    expect(friends.getfriends(PID + 1, { uid: 1n })).toEqual({ uids: [] });
    expect(friends.isfriend(PID + 1, { uid: 1n, fuid: 2n })).toEqual({ ok: false });
    expect(friends.getblacks(PID + 1, { uid: 1n })).toEqual({ uids: [] });
    expect(friends.blocks(PID + 1, 1n, 3n)).toBe(false);
    friends.addfriends(PID + 1, { uid: 1n, friends: [4n] });
    friends.delfriends(PID + 1, { uid: 1n, friends: [2n] });
    friends.delblacks(PID + 1, { uid: 1n, blacks: [3n] });
    expect(friends.getfriends(PID, { uid: 1n })).toEqual({ uids: [2n] });
    expect(friends.getblacks(PID, { uid: 1n })).toEqual({ uids: [3n] });
  });
});

describe("durability", () => {
  it("friends and blacks survive closing and reopening the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-friends-"));
    try {
      const path = join(dir, "social.sqlite");
      const first = setup(path);
      first.friends.addfriends(PID, { uid: 1n, friends: [2n] });
      first.friends.addblacks(PID, { uid: 2n, blacks: [3n] });
      first.db.close();
      const second = setup(path);
      expect(second.friends.getfriends(PID, { uid: 2n })).toEqual({ uids: [1n] });
      expect(second.friends.isblack(PID, { uid: 3n, buid: 2n })).toEqual({ ok: true });
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
