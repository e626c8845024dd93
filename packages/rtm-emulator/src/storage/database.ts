import Database from "better-sqlite3";
import { migrate } from "./migrations.js";

/**
 * How hard a commit waits for the disk (file databases only).
 *
 * - "normal" (default): WAL + synchronous=NORMAL. A commit has written its WAL frames to the OS before
 *   it returns, so an acknowledged message survives a crash or kill -9 of the emulator; only an OS
 *   crash or power loss can take the last transactions away (fsync happens at checkpoints).
 * - "full": WAL + synchronous=FULL. Each commit (one per batch, see WriteBatcher) is fsynced, so
 *   acknowledged messages also survive power loss, at the cost of one fsync per batch.
 */
export type Durability = "normal" | "full";

export interface OpenDatabaseOptions {
  /** A file path; absent or ":memory:" keeps everything in memory. */
  readonly path?: string | undefined;
  readonly durability?: Durability | undefined;
  /** Called with the SQL text of every statement executed (better-sqlite3's `verbose`); for tracing and tests. */
  readonly trace?: ((sql: unknown) => void) | undefined;
}

/** Opens (or creates) the emulator database, sets its pragmas and brings its schema up to date. */
export function openDatabase(options: OpenDatabaseOptions = {}): Database.Database {
  const path = options.path ?? ":memory:";
  const db = new Database(path, options.trace ? { verbose: options.trace } : {});
  try {
    if (path !== ":memory:" && path !== "") {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
      db.pragma("busy_timeout = 5000");
    }
    db.pragma("cache_size = -65536"); // 64 MiB of page cache keeps the identity index hot at 1M+ rows
    db.pragma("temp_store = MEMORY");
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
