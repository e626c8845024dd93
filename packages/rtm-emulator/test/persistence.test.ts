import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/storage/database.js";
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
    await first.chat.delmsg(PID, { mid: 2, from: 1001, xid: 1, type: 2 });
    first.clock.ms = T0 + 50_000;
    const last = await send(first.chat, 1, 4);
    first.storage.close();

    const second = openChat({ path }); // its clock starts at T0 again, behind the stored messages
    const page = second.chat.getgroupmsg(PID, { ...history, gid: 1, uid: 1 });
    expect(page.msgs.map((r) => r[3])).toEqual([1n, 3n, 4n]);
    const next = await send(second.chat, 1, 5);
    expect(next.mtime).toBe(last.mtime); // never below what is stored
    expect((await send(second.chat, 1, 1)).mtime).toBe(page.msgs[0]![7]); // idempotency survives too
    const after = second.chat.getgroupmsg(PID, { ...history, gid: 1, uid: 1, lastid: page.lastid });
    expect(after.msgs.map((r) => [r[0], r[3]])).toEqual([[5n, 5n]]);
    second.storage.close();
  });

  it("uses WAL with the chosen synchronous level", () => {
    const normal = openDatabase({ path: join(dir, "a.sqlite") });
    expect(normal.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(normal.pragma("synchronous", { simple: true })).toBe(1);
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
    expect(migrate(again, [...MIGRATIONS, { version: 2, name: "extra", sql: "CREATE TABLE extra (x INTEGER)" }])).toEqual([2]);
    again.close();
    expect(() => openDatabase({ path })).toThrow(/schema version 2 is newer/);
  });

  it("answers history pages from the history index", () => {
    const db = openDatabase();
    for (const sql of [SQL.HISTORY_ASC, SQL.HISTORY_DESC]) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, 2, 1, 0, 0, 0, 0, null, null, 20) as { detail: string }[]).map((p) => p.detail);
      expect(plan[0]).toMatch(/^SEARCH messages USING INDEX messages_history \(pid=\? AND category=\? AND conv_lo=\? AND conv_hi=\? AND mtime/);
      expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN messages/);
    }
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
