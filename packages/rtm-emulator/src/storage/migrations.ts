import type { Database } from "better-sqlite3";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Ordered, append-only: never edit a released migration, add the next version instead.
 *
 * messages.id is the cursor id: an INTEGER PRIMARY KEY (the rowid), so it increases in insertion order.
 * Rows are never removed (delete only sets `deleted`), so SQLite never reuses an id and AUTOINCREMENT's
 * extra bookkeeping is not needed.
 *
 * conv_lo/conv_hi name the conversation a row belongs to: for p2p the ordered pair
 * (min(from, to), max(from, to)), so both directions of (a, b) share one index range; for group and
 * room (target, 0); for broadcast (0, 0). History pages walk messages_history in (mtime, id) order,
 * which equals id order because the store never gives a row an mtime below the previous row's.
 * Since version 2 that order is kept in memory, not on the file (see history-index.ts).
 * messages_identity leads with mid: clients make mids by counting (the rtmkit SDK counts up by one
 * per process from a random start; other SDKs count from the clock), so a client's new keys land next
 * to its previous ones, one insertion point per client instead of all over the index, which keeps
 * inserts fast at millions of rows.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "messages",
    sql: `
      CREATE TABLE messages (
        id        INTEGER PRIMARY KEY,
        pid       INTEGER NOT NULL,
        category  INTEGER NOT NULL,
        from_uid  INTEGER NOT NULL,
        target    INTEGER NOT NULL,
        conv_lo   INTEGER NOT NULL,
        conv_hi   INTEGER NOT NULL,
        mid       INTEGER NOT NULL,
        mtype     INTEGER NOT NULL,
        msg       ANY NOT NULL,
        attrs     ANY NOT NULL,
        mtime     INTEGER NOT NULL,
        deleted   INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE UNIQUE INDEX messages_identity ON messages (mid, from_uid, target, category, pid);
      CREATE INDEX messages_history ON messages (pid, category, conv_lo, conv_hi, mtime);
    `,
  },
  {
    version: 2,
    name: "history index in memory",
    sql: "DROP INDEX messages_history",
  },
  {
    version: 3,
    name: "social: friends, blacks, users, data, tokens, devices",
    // Rows made only of ids and times are WITHOUT ROWID (the primary key is the table); rows with
    // strings of any length (user_info, user_data) keep a rowid so a large value does not bloat the key's B-tree.
    // Friendship is stored in both directions, so every list is one range of its primary key.
    // push_options.mtypes is a JSON array, ascending; '[]' means every message type.
    sql: `
      CREATE TABLE friends (
        pid    INTEGER NOT NULL,
        uid    INTEGER NOT NULL,
        friend INTEGER NOT NULL,
        PRIMARY KEY (pid, uid, friend)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE blacks (
        pid   INTEGER NOT NULL,
        owner INTEGER NOT NULL,
        black INTEGER NOT NULL,
        PRIMARY KEY (pid, owner, black)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE project_blacks (
        pid   INTEGER NOT NULL,
        uid   INTEGER NOT NULL,
        until INTEGER NOT NULL,
        PRIMARY KEY (pid, uid)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE user_info (
        pid   INTEGER NOT NULL,
        uid   INTEGER NOT NULL,
        oinfo TEXT NOT NULL,
        pinfo TEXT NOT NULL,
        PRIMARY KEY (pid, uid)
      ) STRICT;
      CREATE TABLE user_tokens (
        pid   INTEGER NOT NULL,
        uid   INTEGER NOT NULL,
        token TEXT NOT NULL,
        PRIMARY KEY (pid, uid)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE user_data (
        pid INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        key TEXT NOT NULL,
        val TEXT NOT NULL,
        PRIMARY KEY (pid, uid, key)
      ) STRICT;
      CREATE TABLE devices (
        pid         INTEGER NOT NULL,
        devicetoken TEXT NOT NULL,
        uid         INTEGER NOT NULL,
        apptype     TEXT NOT NULL,
        PRIMARY KEY (pid, devicetoken)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX devices_by_user ON devices (pid, uid);
      CREATE TABLE push_options (
        pid    INTEGER NOT NULL,
        uid    INTEGER NOT NULL,
        type   INTEGER NOT NULL,
        xid    INTEGER NOT NULL,
        mtypes TEXT NOT NULL CHECK (json_valid(mtypes)),
        PRIMARY KEY (pid, uid, type, xid)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: "groups, rooms, rtc",
    // WITHOUT ROWID: every lookup goes by the primary key, so the table itself is the index. `until` is ms;
    // a ban target of 0 holds in every group (room). Flags are 0/1.
    sql: `
      CREATE TABLE group_members (pid INTEGER NOT NULL, gid INTEGER NOT NULL, uid INTEGER NOT NULL, PRIMARY KEY (pid, gid, uid)) STRICT, WITHOUT ROWID;
      CREATE INDEX group_members_by_user ON group_members (pid, uid, gid);
      CREATE TABLE group_bans (pid INTEGER NOT NULL, gid INTEGER NOT NULL, uid INTEGER NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (pid, gid, uid)) STRICT, WITHOUT ROWID;
      CREATE TABLE group_info (pid INTEGER NOT NULL, gid INTEGER NOT NULL, oinfo TEXT NOT NULL, pinfo TEXT NOT NULL, PRIMARY KEY (pid, gid)) STRICT, WITHOUT ROWID;
      CREATE TABLE room_members (pid INTEGER NOT NULL, rid INTEGER NOT NULL, uid INTEGER NOT NULL, PRIMARY KEY (pid, rid, uid)) STRICT, WITHOUT ROWID;
      CREATE TABLE room_bans (pid INTEGER NOT NULL, rid INTEGER NOT NULL, uid INTEGER NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (pid, rid, uid)) STRICT, WITHOUT ROWID;
      CREATE TABLE room_info (pid INTEGER NOT NULL, rid INTEGER NOT NULL, oinfo TEXT NOT NULL, pinfo TEXT NOT NULL, PRIMARY KEY (pid, rid)) STRICT, WITHOUT ROWID;
      CREATE TABLE rtc_rooms (
        pid INTEGER NOT NULL, rid INTEGER NOT NULL, type INTEGER NOT NULL, owner INTEGER NOT NULL, mic_status INTEGER NOT NULL,
        PRIMARY KEY (pid, rid)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE rtc_members (
        pid INTEGER NOT NULL, rid INTEGER NOT NULL, uid INTEGER NOT NULL,
        administrator INTEGER NOT NULL DEFAULT 0, audio_forbidden INTEGER NOT NULL DEFAULT 0, video_forbidden INTEGER NOT NULL DEFAULT 0,
        mic_closed INTEGER NOT NULL DEFAULT 0, camera_closed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (pid, rid, uid)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE rtc_invitations (
        pid INTEGER NOT NULL, rid INTEGER NOT NULL, uid INTEGER NOT NULL, from_uid INTEGER NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (pid, rid, uid)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: "files",
    // The bytes of files sent through the file gate, content-addressed per project: file_id is the SHA-256 hex
    // of data, so the same bytes sent again are stored once. A rowid table: a large BLOB stays out of the key's B-tree.
    sql: `
      CREATE TABLE files (
        pid       INTEGER NOT NULL,
        file_id   TEXT NOT NULL,
        size      INTEGER NOT NULL,
        data      BLOB NOT NULL,
        stored_at INTEGER NOT NULL,
        PRIMARY KEY (pid, file_id)
      ) STRICT;
    `,
  },
];

const MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`;

/** Applies the migrations the database has not seen, in order, each in its own transaction. Returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): number[] {
  db.exec(MIGRATIONS_TABLE);
  const current = (db.prepare("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").get() as { v: number }).v;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this emulator knows (${latest}); refusing to open it`);
  }
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const applied: number[] = [];
  let previous = 0;
  for (const migration of migrations) {
    if (migration.version <= previous) throw new Error(`migrations out of order at version ${migration.version}`);
    previous = migration.version;
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now());
    })();
    applied.push(migration.version);
  }
  return applied;
}
