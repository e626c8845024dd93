import type { ReadAnswerOf } from "@rtmkit/protocol";
import { MessageCategory, type chat, type HistoryRow as WireHistoryRow } from "@rtmkit/rtm-server-sdk";
import type { MessageBody } from "../limits.js";

export { MessageCategory };

/** A wire value as the store holds it: a body (a string on the wire) may be the raw bytes of a str that is not UTF-8. */
export type Stored<T> = T extends string
  ? MessageBody
  : T extends bigint | number | boolean
    ? T
    : T extends readonly unknown[]
      ? { -readonly [I in keyof T]: Stored<T[I]> }
      : { -readonly [K in keyof T]: Stored<T[K]> };

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

/** The rows one send stored, with their mtime; rows that existed already (a repeated mid) are not among them. */
export interface StoredSend {
  readonly rows: NewMessage[];
  mtime: bigint;
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

/** One history row (the IDL's HistoryRow, in its wire order); in P2P history element 1 is a P2PDirection. */
export type HistoryRow = Stored<WireHistoryRow>;

/**
 * One history answer `{num, lastid, begin, end, msgs}`.
 *
 * `lastid` is the id of the last row returned (the request's lastid when no row is returned).
 * `begin`/`end` are the window still to be read, so that passing lastid, begin and end back continues
 * the walk (passing the original begin/end back works as well): ascending, `begin` becomes the mtime
 * of the last row returned and `end` is the request's; descending, `end` becomes the mtime of the
 * last row returned and `begin` is the request's. With no row, the request's begin/end come back.
 */
export type HistoryPage = Stored<ReadAnswerOf<typeof chat.getGroupMessage>>;

/** The getmsg answer. */
export type RetrievedMessage = Stored<ReadAnswerOf<typeof chat.getMessage>>;

/** What getmsgnum counts: the live messages of one group or room, optionally by mtype and time window. */
export interface CountQuery {
  readonly pid: number;
  readonly category: typeof MessageCategory.GroupMessage | typeof MessageCategory.RoomMessage;
  /** gid or rid. */
  readonly target: bigint;
  /** Inclusive mtime bounds in ms; 0 = unbounded. */
  readonly begin: bigint;
  readonly end: bigint;
  /** Only these mtypes; empty = every mtype. */
  readonly mtypes: readonly number[];
}

/** The getmsgnum answer: messages counted and their distinct senders. */
export type MessageCount = ReadAnswerOf<typeof chat.getMessageNum>;
