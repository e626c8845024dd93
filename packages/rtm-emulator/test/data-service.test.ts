import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { DataService } from "../src/services/data.js";
import { openDatabase } from "../src/storage/database.js";
import { codeOf, PID } from "./helpers.js";

let opened: Database[] = [];
function setup(path?: string) {
  const db = openDatabase({ path });
  opened.push(db);
  return { db, data: new DataService(db) };
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

describe("data", () => {
  it("dataset stores, overwrites; dataget reads; datadel removes", () => {
    const { data } = setup();
    expect(data.dataset(PID, { uid: 1n, key: "k", val: "v1" })).toEqual({});
    expect(data.dataget(PID, { uid: 1n, key: "k" })).toEqual({ val: "v1" });
    data.dataset(PID, { uid: 1n, key: "k", val: "v2" });
    expect(data.dataget(PID, { uid: 1n, key: "k" })).toEqual({ val: "v2" });
    expect(data.datadel(PID, { uid: 1n, key: "k" })).toEqual({});
    expect(data.dataget(PID, { uid: 1n, key: "k" })).toEqual({});
    expect(data.datadel(PID, { uid: 1n, key: "k" })).toEqual({}); // absent: nothing to do
  });

  it("an absent key answers {} without val; an empty val is stored and answered", () => {
    const { data } = setup();
    expect(data.dataget(PID, { uid: 1n, key: "nothing" })).toEqual({});
    expect("val" in data.dataget(PID, { uid: 1n, key: "nothing" })).toBe(false);
    data.dataset(PID, { uid: 1n, key: "empty", val: "" });
    expect(data.dataget(PID, { uid: 1n, key: "empty" })).toEqual({ val: "" });
  });

  it("keys are per user", () => {
    const { data } = setup();
    data.dataset(PID, { uid: 1n, key: "k", val: "one" });
    data.dataset(PID, { uid: 2n, key: "k", val: "two" });
    data.datadel(PID, { uid: 2n, key: "k" });
    expect(data.dataget(PID, { uid: 1n, key: "k" })).toEqual({ val: "one" });
    expect(data.dataget(PID, { uid: 2n, key: "k" })).toEqual({});
  });
});

describe("limits", () => {
  it("key over 128 UTF-8 bytes -> 200034 naming key; 128 is accepted", async () => {
    const { data } = setup();
    const at = "k".repeat(126) + "é"; // 128 bytes
    const over = "k".repeat(127) + "é"; // 129 bytes, 128 characters
    data.dataset(PID, { uid: 1n, key: at, val: "v" });
    expect(data.dataget(PID, { uid: 1n, key: at })).toEqual({ val: "v" });
    expect(await codeOf(() => data.dataset(PID, { uid: 1n, key: over, val: "v" }))).toBe(RtmErrorCode.InvalidParameter);
    expect(() => data.dataset(PID, { uid: 1n, key: over, val: "v" })).toThrow("key is 129 bytes, the limit is 128");
  });

  it("val over 65535 UTF-8 bytes -> 200034 naming val, nothing stored; 65535 is accepted", async () => {
    const { data } = setup();
    const at = "v".repeat(65533) + "é";
    const over = "v".repeat(65534) + "é";
    data.dataset(PID, { uid: 1n, key: "k", val: at });
    expect(data.dataget(PID, { uid: 1n, key: "k" }).val).toBe(at);
    expect(await codeOf(() => data.dataset(PID, { uid: 1n, key: "k", val: over }))).toBe(RtmErrorCode.InvalidParameter);
    expect(() => data.dataset(PID, { uid: 1n, key: "k", val: over })).toThrow("val is 65536 bytes, the limit is 65535");
    expect(data.dataget(PID, { uid: 1n, key: "k" }).val).toBe(at);
  });

  it("an empty key -> 200033; an invalid key is refused by dataget and datadel too", async () => {
    const { data } = setup();
    const long = "k".repeat(129);
    for (const call of [
      () => data.dataset(PID, { uid: 1n, key: "", val: "v" }),
      () => data.dataget(PID, { uid: 1n, key: "" }),
      () => data.datadel(PID, { uid: 1n, key: "" }),
    ]) {
      expect(await codeOf(call)).toBe(RtmErrorCode.EmptyParameter);
      expect(call).toThrow("key is empty");
    }
    expect(await codeOf(() => data.dataget(PID, { uid: 1n, key: long }))).toBe(RtmErrorCode.InvalidParameter);
    expect(await codeOf(() => data.datadel(PID, { uid: 1n, key: long }))).toBe(RtmErrorCode.InvalidParameter);
  });
});

describe("projects", () => {
  it("are isolated from each other", () => {
    const { data } = setup();
    data.dataset(PID, { uid: 1n, key: "k", val: "mine" });
    expect(data.dataget(PID + 1, { uid: 1n, key: "k" })).toEqual({});
    data.dataset(PID + 1, { uid: 1n, key: "k", val: "theirs" });
    data.datadel(PID + 1, { uid: 1n, key: "k" });
    expect(data.dataget(PID, { uid: 1n, key: "k" })).toEqual({ val: "mine" });
  });
});

describe("durability", () => {
  it("values survive closing and reopening the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-data-"));
    try {
      const path = join(dir, "social.sqlite");
      const first = setup(path);
      first.data.dataset(PID, { uid: 1n, key: "k", val: "kept" });
      first.data.dataset(PID, { uid: 1n, key: "gone", val: "x" });
      first.data.datadel(PID, { uid: 1n, key: "gone" });
      first.db.close();
      const second = setup(path);
      expect(second.data.dataget(PID, { uid: 1n, key: "k" })).toEqual({ val: "kept" });
      expect(second.data.dataget(PID, { uid: 1n, key: "gone" })).toEqual({});
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
