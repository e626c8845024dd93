import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/storage/database.js";
import { FileStore, fileIdOf } from "../src/storage/file-store.js";
import { PID } from "./helpers.js";

const bytes = Buffer.from("89504e470d0a1a0a00fffe", "hex");

describe("the files table", () => {
  it("stores bytes once per content and project, keyed by their SHA-256, and keeps them across a reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-files-"));
    try {
      const path = join(dir, "db.sqlite");
      const db = openDatabase({ path });
      const files = new FileStore(db, { now: () => 1234 });
      const id = files.put(PID, bytes);
      expect(id).toBe(fileIdOf(bytes));
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      expect(files.put(PID, Uint8Array.from(bytes))).toBe(id);
      expect(files.put(PID + 1, bytes)).toBe(id);
      expect(db.prepare("SELECT pid, size, stored_at FROM files ORDER BY pid").all()).toEqual([
        { pid: PID, size: bytes.length, stored_at: 1234 },
        { pid: PID + 1, size: bytes.length, stored_at: 1234 },
      ]);
      db.close();

      const reopened = openDatabase({ path });
      const again = new FileStore(reopened);
      expect(Buffer.from(again.get(PID, id)!)).toEqual(bytes);
      expect(again.get(PID + 2, id)).toBeUndefined();
      expect(again.get(PID, fileIdOf(Buffer.from("other")))).toBeUndefined();
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stores a view of a larger buffer as exactly its own bytes", () => {
    const db = openDatabase();
    const files = new FileStore(db);
    const backing = Buffer.from("xxxxhelloyyyy");
    const id = files.put(PID, backing.subarray(4, 9));
    expect(Buffer.from(files.get(PID, id)!).toString()).toBe("hello");
    db.close();
  });
});
