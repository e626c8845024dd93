// Every statement of the message store, in one place (tests check their query plans).

const IDENTITY = "pid = ? AND from_uid = ? AND category = ? AND target = ? AND mid = ?";

export const INSERT_MESSAGE = `
  INSERT INTO messages (pid, from_uid, category, target, mid, conv_lo, conv_hi, mtype, msg, attrs, mtime)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (mid, from_uid, target, category, pid) DO NOTHING`;

export const SELECT_MTIME = `SELECT mtime FROM messages WHERE ${IDENTITY}`;

export const SELECT_MESSAGE = `SELECT id, mtype, msg, attrs, mtime FROM messages WHERE ${IDENTITY} AND deleted = 0`;

export const MARK_DELETED = `UPDATE messages SET deleted = 1 WHERE ${IDENTITY} AND deleted = 0`;

/** mtime of the first row after a cursor id, of any conversation. */
export const MTIME_AFTER_ID = "SELECT mtime FROM messages WHERE id > ? ORDER BY id LIMIT 1";

/** mtime of the last row before a cursor id, of any conversation. */
export const MTIME_BEFORE_ID = "SELECT mtime FROM messages WHERE id < ? ORDER BY id DESC LIMIT 1";

export const NEWEST_MTIME = "SELECT mtime FROM messages ORDER BY id DESC LIMIT 1";

const HISTORY_COLUMNS = "id, from_uid, mtype, mid, msg, attrs, mtime";
const CONVERSATION = "pid = ? AND category = ? AND conv_lo = ? AND conv_hi = ?";
// Bound twice: null for no mtype filter, else a JSON array of mtypes.
const MTYPE_FILTER = "(? IS NULL OR mtype IN (SELECT value FROM json_each(?)))";

/** Params: pid, category, conv_lo, conv_hi, after mtime, after id, max mtime, mtypes, mtypes, limit. */
export const HISTORY_ASC = `
  SELECT ${HISTORY_COLUMNS} FROM messages
  WHERE ${CONVERSATION} AND (mtime, id) > (?, ?) AND mtime <= ? AND deleted = 0 AND ${MTYPE_FILTER}
  ORDER BY mtime, id LIMIT ?`;

/** Params: pid, category, conv_lo, conv_hi, before mtime, before id, min mtime, mtypes, mtypes, limit. */
export const HISTORY_DESC = `
  SELECT ${HISTORY_COLUMNS} FROM messages
  WHERE ${CONVERSATION} AND (mtime, id) < (?, ?) AND mtime >= ? AND deleted = 0 AND ${MTYPE_FILTER}
  ORDER BY mtime DESC, id DESC LIMIT ?`;

/** Params: pid, category, conv_lo (gid or rid), min mtime, max mtime, mtypes, mtypes. Answers [messages, distinct senders]. */
export const COUNT_MESSAGES = `
  SELECT count(*), count(DISTINCT from_uid) FROM messages
  WHERE pid = ? AND category = ? AND conv_lo = ? AND conv_hi = 0 AND mtime >= ? AND mtime <= ? AND deleted = 0 AND ${MTYPE_FILTER}`;
