import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatabaseInUseError, openDatabase } from "../src/storage/database.js";
import { migrate, MIGRATIONS } from "../src/storage/migrations.js";
import * as SQL from "../src/storage/sql.js";
import { history, openChat, PID, send, T0 } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rtm-emulator-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("file database", () => {
  it("keeps messages, deletions and the cursor sequence across a reopen", async () => {
    const path = join(dir, "chat.sqlite");
    const first = openChat({ path });
    for (let mid = 1; mid <= 3; mid++) await send(first.chat, 1, mid);
    await first.chat.delmsg(PID, { mid: 2n, from: 1001n, xid: 1n, type: 2 });
    first.clock.ms = T0 + 50_000;
    const last = await send(first.chat, 1, 4);
    first.storage.close();

    const second = openChat({ path }); // its clock starts at T0 again, behind the stored messages
    const page = await second.chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n });
    expect(page.msgs.map((r) => r[3])).toEqual([1n, 3n, 4n]);
    const next = await send(second.chat, 1, 5);
    expect(next.mtime).toBe(last.mtime); // never below what is stored
    expect((await send(second.chat, 1, 1)).mtime).toBe(page.msgs[0]![7]); // idempotency survives too
    const after = await second.chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n, lastid: page.lastid });
    expect(after.msgs.map((r) => [r[0], r[3]])).toEqual([[5n, 5n]]);
    second.storage.close();
  });

  it("upgrades a version 1 file: the on-disk history index goes, history is answered from memory", async () => {
    const path = join(dir, "v1.sqlite");
    const first = openChat({ path });
    for (let mid = 1; mid <= 3; mid++) await send(first.chat, 1, mid);
    first.storage.close();
    const v1 = new Database(path);
    v1.exec("CREATE INDEX messages_history ON messages (pid, category, conv_lo, conv_hi, mtime); DELETE FROM schema_migrations WHERE version > 1");
    // back to version 1: the tables of every later migration gone
    for (const table of v1.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('messages', 'schema_migrations')").pluck().all()) {
      v1.exec(`DROP TABLE ${String(table)}`);
    }
    v1.close();

    const second = openChat({ path });
    expect((await second.chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n })).msgs.map((r) => r[3])).toEqual([1n, 2n, 3n]);
    await send(second.chat, 1, 4);
    expect((await second.chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n, desc: true, num: 1 })).msgs.map((r) => r[3])).toEqual([4n]);
    second.storage.close();
    const upgraded = new Database(path, { readonly: true });
    expect(upgraded.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages' ORDER BY name").pluck().all()).toEqual(["messages_identity"]);
    upgraded.close();
  });

  it("uses WAL with the chosen synchronous level, holding the file exclusively", () => {
    const normal = openDatabase({ path: join(dir, "a.sqlite") });
    expect(normal.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(normal.pragma("synchronous", { simple: true })).toBe(1);
    expect(normal.pragma("locking_mode", { simple: true })).toBe("exclusive");
    expect(existsSync(join(dir, "a.sqlite-shm"))).toBe(false); // the WAL index is in heap memory, not shared
    expect(() => openDatabase({ path: join(dir, "a.sqlite") })).toThrow(DatabaseInUseError);
    normal.close();
    const full = openDatabase({ path: join(dir, "b.sqlite"), durability: "full" });
    expect(full.pragma("synchronous", { simple: true })).toBe(2);
    full.close();
  });

  it("applies migrations once; reopening applies none; a newer schema is refused", () => {
    const path = join(dir, "m.sqlite");
    const db = openDatabase({ path });
    expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(migrate(db)).toEqual([]);
    db.close();
    const again = openDatabase({ path });
    expect((again.prepare("SELECT count(*) AS n FROM schema_migrations").get() as { n: number }).n).toBe(MIGRATIONS.length);
    const next = MIGRATIONS.at(-1)!.version + 1;
    expect(migrate(again, [...MIGRATIONS, { version: next, name: "extra", sql: "CREATE TABLE extra (x INTEGER)" }])).toEqual([next]);
    again.close();
    expect(() => openDatabase({ path })).toThrow(new RegExp(`schema version ${next} is newer`));
  });

  it("reads history, filter and count rows by rowid and identities through the identity index; no history index on the file", () => {
    const db = openDatabase();
    const rowPlan = (db.prepare(`EXPLAIN QUERY PLAN ${SQL.HISTORY_ROW}`).all(1) as { detail: string }[]).map((p) => p.detail);
    expect(rowPlan).toEqual(["SEARCH messages USING INTEGER PRIMARY KEY (rowid=?)"]);
    for (const sql of [SQL.COUNT_BY_SENDER, SQL.LIVE_IDS]) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all("[1]", null, null) as { detail: string }[]).map((p) => p.detail);
      expect(plan.join("\n")).toMatch(/SEARCH messages USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(plan.join("\n")).not.toMatch(/SCAN messages/);
    }
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages'").pluck().all()).toEqual(["messages_identity"]);
    for (const sql of [SQL.SELECT_MESSAGE, SQL.MARK_DELETED, SQL.SELECT_MTIME]) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, 1, 1, 1, 1) as { detail: string }[]).map((p) => p.detail);
      expect(plan.join("\n")).toMatch(/USING INDEX messages_identity/);
    }
    db.close();
  });

  it("every acknowledged message survives kill -9 of the writing process", async () => {
    const path = join(dir, "kill.sqlite");
    const writer = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url)), path], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acked: bigint[] = [];
    const lines = createInterface({ input: writer.stdout! });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => writer.on("exit", (_code, signal) => resolve(signal)));
    for await (const line of lines) {
      acked.push(BigInt(line));
      if (acked.length === 2000) writer.kill("SIGKILL"); // mid-stream: the writer never stops by itself
    }
    expect(await exited).toBe("SIGKILL");
    expect(acked.length).toBeGreaterThanOrEqual(2000);

    const after = openDatabase({ path });
    const stored = new Set((after.prepare("SELECT mid FROM messages").pluck().safeIntegers().all() as bigint[]));
    after.close();
    const missing = acked.filter((mid) => !stored.has(mid));
    expect(missing).toEqual([]);
  });
});
