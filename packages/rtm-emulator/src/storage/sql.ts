// Every statement of the message store, in one place (tests check their query plans).

const IDENTITY = "pid = ? AND from_uid = ? AND category = ? AND target = ? AND mid = ?";

export const INSERT_MESSAGE = `
  INSERT INTO messages (pid, from_uid, category, target, mid, conv_lo, conv_hi, mtype, msg, attrs, mtime)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (mid, from_uid, target, category, pid) DO NOTHING`;

export const SELECT_MTIME = `SELECT mtime FROM messages WHERE ${IDENTITY}`;

export const SELECT_MESSAGE = `SELECT id, mtype, msg, attrs, mtime FROM messages WHERE ${IDENTITY} AND deleted = 0`;

export const MARK_DELETED = `UPDATE messages SET deleted = 1 WHERE ${IDENTITY} AND deleted = 0`;

/**
 * Where an ascending page goes on from a cursor id: the cursor row's own mtime, or for an id without a row the
 * mtime of the first row after it, of any conversation. The row's own mtime keeps paging right after an import
 * that appended rows older than the rows before them (admin/state-transfer.ts). Params: the id, twice.
 */
export const MTIME_AFTER_ID = "SELECT coalesce((SELECT mtime FROM messages WHERE id = ?), (SELECT mtime FROM messages WHERE id > ? ORDER BY id LIMIT 1))";

/** Where a descending page goes on from a cursor id: the cursor row's own mtime, else the mtime of the last row before it. */
export const MTIME_BEFORE_ID = "SELECT coalesce((SELECT mtime FROM messages WHERE id = ?), (SELECT mtime FROM messages WHERE id < ? ORDER BY id DESC LIMIT 1))";

/** One history row by id: id, from, mtype, mid, msg, attrs, mtime, deleted (HistoryIndex says which ids to read). */
export const HISTORY_ROW = "SELECT id, from_uid, mtype, mid, msg, attrs, mtime, deleted FROM messages WHERE id = ?";

/**
 * Live messages per sender among a JSON array of ids (HistoryIndex gives them), optionally only of some mtypes.
 * Params: ids, mtypes, mtypes (null for every mtype, else a JSON array). Answers [from, count] rows.
 */
export const COUNT_BY_SENDER = `
  SELECT from_uid, count(*) FROM messages
  WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0 AND (? IS NULL OR mtype IN (SELECT value FROM json_each(?)))
  GROUP BY from_uid`;

/**
 * The live ids, optionally only of some mtypes, among a JSON array of ids (a slice of a history walk).
 * Params: ids, mtypes, mtypes (null for every mtype, else a JSON array). Answers ids.
 */
export const LIVE_IDS = `
  SELECT id FROM messages
  WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0 AND (? IS NULL OR mtype IN (SELECT value FROM json_each(?)))`;
