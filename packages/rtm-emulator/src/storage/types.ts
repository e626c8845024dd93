import type { MessageBody } from "../limits.js";

/** Where a message was sent (wire `type` of getmsg/delmsg). */
export const MessageCategory = { P2P: 1, Group: 2, Room: 3, Broadcast: 4 } as const;
export type MessageCategory = (typeof MessageCategory)[keyof typeof MessageCategory];

/** What identifies one stored message; a send repeating it is idempotent. `target`: peer uid, gid, rid, or 0 for broadcast. */
export interface MessageKey {
  readonly pid: number;
  readonly category: MessageCategory;
  readonly from: bigint;
  readonly target: bigint;
  readonly mid: bigint;
}

export interface NewMessage extends MessageKey {
  readonly mtype: number;
  readonly msg: MessageBody;
  readonly attrs: MessageBody;
}

export interface HistoryQuery {
  readonly pid: number;
  readonly category: MessageCategory;
  /** gid, rid, 0 for broadcast, or the other user (`ouid`) for p2p. */
  readonly target: bigint;
  /** The requesting user; for p2p one side of the conversation and the reference of `direction`. */
  readonly uid: bigint;
  readonly desc: boolean;
  /** Rows wanted; the store caps it at HISTORY_PAGE_MAX. */
  readonly num: number;
  /** Inclusive mtime bounds in ms; 0 = unbounded. */
  readonly begin: bigint;
  readonly end: bigint;
  /** Cursor: 0 on the first call, then the previous page's lastid. */
  readonly lastid: bigint;
  /** Only these mtypes; empty = every mtype. */
  readonly mtypes: readonly number[];
}

/** P2P rows carry this instead of `from`, relative to HistoryQuery.uid. */
export const Direction = { SentByUid: 1, SentToUid: 2 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** One wire row: `[id, from | direction, mtype, mid, deleted, msg, attrs, mtime]`. */
export type HistoryRow = [
  id: bigint,
  fromOrDirection: bigint | Direction,
  mtype: number,
  mid: bigint,
  deleted: boolean,
  msg: MessageBody,
  attrs: MessageBody,
  mtime: bigint,
];

/**
 * One history answer `{num, lastid, begin, end, msgs}`.
 *
 * `lastid` is the id of the last row returned (the request's lastid when no row is returned).
 * `begin`/`end` are the window still to be read, so that passing lastid, begin and end back continues
 * the walk (passing the original begin/end back works as well): ascending, `begin` becomes the mtime
 * of the last row returned and `end` is the request's; descending, `end` becomes the mtime of the
 * last row returned and `begin` is the request's. With no row, the request's begin/end come back.
 */
export interface HistoryPage {
  readonly num: number;
  readonly lastid: bigint;
  readonly begin: bigint;
  readonly end: bigint;
  readonly msgs: HistoryRow[];
}

/** The getmsg answer. */
export interface RetrievedMessage {
  readonly id: bigint;
  readonly mtype: number;
  readonly msg: MessageBody;
  readonly attrs: MessageBody;
  readonly mtime: bigint;
}

/** What getmsgnum counts: the live messages of one group or room, optionally by mtype and time window. */
export interface CountQuery {
  readonly pid: number;
  readonly category: typeof MessageCategory.Group | typeof MessageCategory.Room;
  /** gid or rid. */
  readonly target: bigint;
  /** Inclusive mtime bounds in ms; 0 = unbounded. */
  readonly begin: bigint;
  readonly end: bigint;
  /** Only these mtypes; empty = every mtype. */
  readonly mtypes: readonly number[];
}

/** The getmsgnum answer: messages counted and their distinct senders. */
export interface MessageCount {
  readonly num: number;
  readonly sender: number;
}
