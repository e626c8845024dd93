import { readFileSync, statSync } from "node:fs";
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

/**
 * How long opening a file waits for another holder's lock to go away. Short on purpose: a holder is
 * another running emulator, which keeps its lock until it exits; the wait only covers one that is
 * just closing the file.
 */
const LOCK_WAIT_MS = 250;

/** The database file is held by another connection: another emulator (in this or another process), or another program. */
export class DatabaseInUseError extends Error {
  override readonly name = "DatabaseInUseError";

  constructor(
    readonly path: string,
    /** The process holding the lock, when the OS says (Linux), else undefined. */
    readonly holderPid: number | undefined,
  ) {
    const holder = holderPid === undefined ? "" : holderPid === process.pid ? " (this process)" : ` (pid ${holderPid})`;
    super(`database file ${path} is in use by another emulator or program${holder}; stop it first or use another file`);
  }
}

/**
 * Opens (or creates) the emulator database, sets its pragmas and brings its schema up to date.
 *
 * A file is opened for this connection alone: the history order lives in the memory of the emulator
 * that opened the file (see history-index.ts), so a second writer would make the two diverge. SQLite's
 * exclusive locking mode keeps the write lock from the first write until the connection closes; the
 * lock is an OS file lock, released when the process dies (kill -9 leaves no stale lock behind), and
 * WAL works with it (the WAL index is then kept in heap memory instead of a -shm file; recovery after
 * a crash reads the WAL itself). Taking the lock at open means a second opener fails at once with
 * DatabaseInUseError instead of when it first writes. Other programs cannot read the file while it is
 * held either.
 */
export function openDatabase(options: OpenDatabaseOptions = {}): Database.Database {
  const path = options.path ?? ":memory:";
  const db = new Database(path, options.trace ? { verbose: options.trace } : {});
  try {
    if (path !== ":memory:" && path !== "") {
      db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
      db.pragma("locking_mode = EXCLUSIVE");
      try {
        db.pragma("journal_mode = WAL");
        db.exec("BEGIN IMMEDIATE; COMMIT"); // takes the write lock now; exclusive mode keeps it
      } catch (error) {
        if ((error as { code?: unknown }).code === "SQLITE_BUSY") throw new DatabaseInUseError(path, lockHolder(path));
        throw error;
      }
      db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
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

/**
 * The pid holding a POSIX lock on `path`, from /proc/locks (Linux; undefined elsewhere, or when it
 * cannot tell). Only reads /proc/locks and stats the file: opening and closing the file itself would
 * drop this process's own locks on it (POSIX lock semantics).
 */
function lockHolder(path: string): number | undefined {
  try {
    const { ino, dev } = statSync(path);
    const major = Number((BigInt(dev) >> 8n) & 0xfffn);
    const minor = Number((BigInt(dev) & 0xffn) | ((BigInt(dev) >> 12n) & 0xfff00n));
    const pids = new Set<number>();
    // "1: POSIX  ADVISORY  WRITE 6028 fe:00:2147288 1073741824 1073742335"
    for (const line of readFileSync("/proc/locks", "latin1").split("\n")) {
      const match = /^\d+:\s+\S+\s+\S+\s+\S+\s+(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
      if (match === null || Number(match[4]) !== ino) continue;
      if (Number.parseInt(match[2]!, 16) !== major || Number.parseInt(match[3]!, 16) !== minor) continue;
      pids.add(Number(match[1]));
    }
    return pids.size === 1 ? [...pids][0] : undefined;
  } catch {
    return undefined;
  }
}
