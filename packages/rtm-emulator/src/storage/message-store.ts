import type { Database, Statement } from "better-sqlite3";
import * as SQL from "./sql.js";
import { conversationKey, HistoryIndex, type Conversation, type IndexEntry } from "./history-index.js";
import { TimeSlicer } from "./slices.js";
import { HISTORY_PAGE_MAX, type MessageBody } from "../limits.js";
import { P2PDirection } from "@rtmkit/rtm-server-sdk";
import {
  MessageCategory,
  type CountQuery,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRow,
  type MessageCount,
  type MessageKey,
  type NewMessage,
  type RetrievedMessage,
  type StoredSend,
} from "./types.js";

type StoredBody = string | Buffer;
const SENT = BigInt(P2PDirection.Sent);
const RECEIVED = BigInt(P2PDirection.Received);
type RawHistoryRow = [id: bigint, from: bigint, mtype: bigint, mid: bigint, msg: StoredBody, attrs: StoredBody, mtime: bigint, deleted: bigint];
type SenderCount = [from: bigint, count: bigint];

/** Ids per counting statement (~2 ms): bounds the JSON text handed to SQLite and the time between two pauses. */
const COUNT_SLICE = 2048;
/** A history walk reads this many rows one by one before it asks SQLite which of the next ones qualify. */
const WALK_DIRECT_ROWS = 64;
/** Most ids per filtering statement of a history walk (slices grow to it from 256). */
const WALK_SLICE_MAX = 4096;
/** A history walk: where, which way, and what it keeps (see #walk). */
interface Walk {
  readonly conversation: Conversation;
  readonly step: 1 | -1;
  readonly inRange: (at: number) => boolean;
  readonly mtypes: readonly number[];
  readonly wanted: () => boolean;
  readonly take: (at: number) => void;
}
type RawMessage = { id: bigint; mtype: bigint; msg: StoredBody; attrs: StoredBody; mtime: bigint };

export interface MessageStoreOptions {
  /** Server clock in ms; injectable for tests. */
  readonly now?: (() => number) | undefined;
}

/**
 * The message table: synchronous SQLite access with every statement prepared once, plus the in-memory
 * HistoryIndex that history and counts walk. Writes are meant to run inside WriteBatcher's
 * transactions; reads run directly. The index learns of a row only once its transaction has committed.
 */
export class MessageStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #inTransaction: <T>(fn: () => T) => T;
  readonly #index: HistoryIndex;
  /** Index entries of rows written by the open transaction, published when it commits. */
  #uncommitted: IndexEntry[] = [];
  /** Conversation keys of rows the open transaction marked deleted, published when it commits. */
  #uncommittedDeletes: string[] = [];
  #lastMtime: bigint;
  /**
   * Changes whenever a project's rows are replaced wholesale (reset, import): a history walk or count that paused
   * across it stops there, since the ids it holds may now be another conversation's.
   */
  #generation = 0;

  readonly #insert: Statement;
  readonly #selectMtime: Statement;
  readonly #selectMessage: Statement;
  readonly #markDeleted: Statement;
  readonly #firstAfter: Statement;
  readonly #lastBefore: Statement;
  readonly #historyRow: Statement;
  readonly #countBySender: Statement;
  readonly #liveIds: Statement;

  constructor(db: Database, options: MessageStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#inTransaction = db.transaction(<T>(fn: () => T): T => fn()) as <T>(fn: () => T) => T;
    this.#insert = db.prepare(SQL.INSERT_MESSAGE);
    this.#selectMtime = db.prepare(SQL.SELECT_MTIME).pluck().safeIntegers();
    this.#selectMessage = db.prepare(SQL.SELECT_MESSAGE).safeIntegers();
    this.#markDeleted = db.prepare(SQL.MARK_DELETED);
    this.#firstAfter = db.prepare(SQL.MTIME_AFTER_ID).pluck().safeIntegers();
    this.#lastBefore = db.prepare(SQL.MTIME_BEFORE_ID).pluck().safeIntegers();
    this.#historyRow = db.prepare(SQL.HISTORY_ROW).raw().safeIntegers();
    this.#countBySender = db.prepare(SQL.COUNT_BY_SENDER).raw().safeIntegers();
    this.#liveIds = db.prepare(SQL.LIVE_IDS).pluck();
    this.#index = HistoryIndex.load(db);
    this.#lastMtime = BigInt(this.#index.newestLoadedMtime);
  }

  /** Runs `fn` in one transaction (a savepoint when already inside one). */
  transaction<T>(fn: () => T): T {
    const outermost = !this.#db.inTransaction;
    const mark = this.#uncommitted.length;
    const deletesMark = this.#uncommittedDeletes.length;
    let result: T;
    try {
      result = this.#inTransaction(fn);
    } catch (error) {
      // Rolled back (to the savepoint): those rows do not exist, those deletes did not happen.
      this.#uncommitted.length = mark;
      this.#uncommittedDeletes.length = deletesMark;
      throw error;
    }
    if (outermost) {
      for (const entry of this.#uncommitted) this.#index.add(entry);
      for (const key of this.#uncommittedDeletes) this.#index.deleted(key);
      this.#uncommitted = [];
      this.#uncommittedDeletes = [];
    }
    return result;
  }

  /**
   * Stores one send: one row, or one per recipient for sendmsgs (all with the same mtime).
   * Rows whose identity exists already are left as they are. Answers the mtime of the send: the
   * earliest mtime among its rows, which is the original mtime when the send is a repeat.
   * With `stored`, the rows this call inserted are appended to it, and its mtime set to theirs.
   */
  storeSend(rows: readonly NewMessage[], stored?: StoredSend): bigint {
    const mtime = this.#nextMtime();
    if (stored !== undefined) stored.mtime = mtime;
    let answer = mtime;
    for (const row of rows) {
      const [lo, hi] = conversationOf(row.category, row.from, row.target);
      const pid = BigInt(row.pid);
      const category = BigInt(row.category);
      const { changes, lastInsertRowid } = this.#insert.run(
        pid, row.from, category, row.target, row.mid, lo, hi, BigInt(row.mtype), toStored(row.msg), toStored(row.attrs), mtime,
      );
      if (changes === 1) {
        const entry: IndexEntry = { key: conversationKey(row.pid, row.category, lo, hi), mtime: Number(mtime), id: Number(lastInsertRowid) };
        if (this.#db.inTransaction) this.#uncommitted.push(entry);
        else this.#index.add(entry);
        stored?.rows.push(row);
      } else {
        const original = this.#selectMtime.get(pid, row.from, category, row.target, row.mid) as bigint;
        if (original < answer) answer = original;
      }
    }
    return answer;
  }

  /** Marks a message deleted. False when it is unknown or deleted already. */
  markDeleted(key: MessageKey): boolean {
    if (this.#markDeleted.run(...identity(key)).changes === 0) return false;
    const [lo, hi] = conversationOf(key.category, key.from, key.target);
    const conversation = conversationKey(key.pid, key.category, lo, hi);
    if (this.#db.inTransaction) this.#uncommittedDeletes.push(conversation);
    else this.#index.deleted(conversation);
    return true;
  }

  /** One message, or undefined when unknown or deleted. */
  getMessage(key: MessageKey): RetrievedMessage | undefined {
    const row = this.#selectMessage.get(...identity(key)) as RawMessage | undefined;
    if (row === undefined) return undefined;
    return { id: row.id, mtype: Number(row.mtype), msg: row.msg, attrs: row.attrs, mtime: row.mtime };
  }

  /**
   * One history page. A page is read during the call unless its walk is long (a filter that matches
   * little of a big conversation); then the walk pauses for the event loop every SLICE_MS.
   */
  history(query: HistoryQuery): HistoryPage | Promise<HistoryPage> {
    const empty: HistoryPage = { num: 0, lastid: query.lastid, begin: query.begin, end: query.end, msgs: [] };
    const isP2P = query.category === MessageCategory.P2PMessage;
    if (isP2P && query.uid === query.target) return empty;
    const limit = Math.min(Math.max(query.num, 0), HISTORY_PAGE_MAX);
    if (limit === 0) return empty;
    const [lo, hi] = isP2P ? orderedPair(query.uid, query.target) : conversationOf(query.category, 0n, query.target);
    const conversation = this.#index.conversation(conversationKey(query.pid, query.category, lo, hi));
    if (conversation === undefined) return empty;
    const mtypes = query.mtypes.length === 0 ? undefined : new Set(query.mtypes);
    const cursor = query.lastid > 0n;
    const lastid = Number(query.lastid);

    const raw: RawHistoryRow[] = [];
    let walked: Promise<void> | undefined;
    const wanted = () => raw.length < limit;
    const take = (position: number): void => {
      const row = this.#historyRow.get(conversation.ids[position]) as RawHistoryRow;
      if (row[7] === 0n && (mtypes === undefined || mtypes.has(Number(row[2])))) raw.push(row);
    };
    if (!query.desc) {
      // Everything after the pair (mtime, id) = lower, up to mtime <= end.
      let lower: [number, number] = [query.begin > 0n ? Number(query.begin) : -Infinity, 0];
      if (cursor) {
        const next = this.#firstAfter.get(query.lastid, query.lastid) as bigint | null;
        if (next === null) return empty;
        lower = maxPair(lower, [Number(next), lastid]);
      }
      const upper = query.end > 0n ? Number(query.end) : Infinity;
      const inRange = (at: number) => at < conversation.length && conversation.mtimes[at]! <= upper;
      walked = this.#walk({ conversation, step: 1, inRange, mtypes: query.mtypes, wanted, take }, conversation.firstAfter(lower[0], lower[1]));
    } else {
      let upper: [number, number] = [query.end > 0n ? Number(query.end) : Infinity, Infinity];
      if (cursor) {
        const previous = this.#lastBefore.get(query.lastid, query.lastid) as bigint | null;
        if (previous === null) return empty;
        upper = minPair(upper, [Number(previous), lastid]);
      }
      const lower = query.begin > 0n ? Number(query.begin) : -Infinity;
      const inRange = (at: number) => at >= 0 && conversation.mtimes[at]! >= lower;
      walked = this.#walk({ conversation, step: -1, inRange, mtypes: query.mtypes, wanted, take }, conversation.lastBefore(upper[0], upper[1]));
    }
    // A page read during the call is answered at once, so the server sees its size before it reads on.
    return walked === undefined ? this.#page(query, raw, empty) : walked.then(() => this.#page(query, raw, empty));
  }

  #page(query: HistoryQuery, raw: readonly RawHistoryRow[], empty: HistoryPage): HistoryPage {
    const isP2P = query.category === MessageCategory.P2PMessage;
    const last = raw.at(-1);
    if (last === undefined) return empty;

    const msgs = raw.map(([id, from, mtype, mid, msg, attrs, mtime]): HistoryRow => [
      id,
      isP2P ? (from === query.uid ? SENT : RECEIVED) : from,
      Number(mtype),
      mid,
      false,
      msg,
      attrs,
      mtime,
    ]);
    const lastMtime = last[6];
    return {
      num: msgs.length,
      lastid: last[0],
      begin: query.desc ? query.begin : lastMtime,
      end: query.desc ? lastMtime : query.end,
      msgs,
    };
  }

  /**
   * Walks the conversation from position `start`, one `step` at a time, while `inRange` and `wanted`,
   * handing positions to `take`. The first WALK_DIRECT_ROWS are handed over as they come (a page
   * usually fills there). Past them SQLite picks the live rows of the wanted mtypes out of a slice of
   * ids at a time, so that a filter matching little of a long conversation costs one cheap statement
   * per slice instead of a row read per message, and the walk pauses for the event loop every SLICE_MS.
   * Rows written during a pause are walked too when they are in range; `take` checks each row again.
   * Returns undefined when the walk ended within the direct rows (no pause, nothing to wait for).
   */
  #walk(walk: Walk, start: number): Promise<void> | undefined {
    const { step, inRange, wanted, take } = walk;
    let at = start;
    for (let direct = 0; direct < WALK_DIRECT_ROWS; direct++, at += step) {
      if (!inRange(at) || !wanted()) return undefined;
      take(at);
    }
    return this.#walkSlices(walk, at);
  }

  async #walkSlices({ conversation, step, inRange, mtypes, wanted, take }: Walk, start: number): Promise<void> {
    let at = start;
    const mtypesJson = mtypes.length === 0 ? null : JSON.stringify(mtypes);
    const slicer = new TimeSlicer();
    const generation = this.#generation;
    for (let size = 256; inRange(at) && wanted(); size = Math.min(size * 2, WALK_SLICE_MAX)) {
      if (slicer.due()) {
        await slicer.pause();
        this.#assertOpen();
        if (!inRange(at) || generation !== this.#generation) return;
      }
      const ids: number[] = [];
      let end = at;
      for (; ids.length < size && inRange(end); end += step) ids.push(conversation.ids[end]!);
      const live = new Set(this.#liveIds.all(JSON.stringify(ids), mtypesJson, mtypesJson) as number[]);
      for (; at !== end && wanted(); at += step) {
        if (live.has(conversation.ids[at]!)) take(at);
      }
    }
  }

  /**
   * Counts the live messages of a group or room and their distinct senders, COUNT_SLICE ids per
   * statement, pausing for the event loop every SLICE_MS. Writes that commit during a pause may or
   * may not be counted; rows sent after the count started are not.
   */
  async count(query: CountQuery): Promise<MessageCount> {
    const conversation = this.#index.conversation(conversationKey(query.pid, query.category, query.target, 0n));
    if (conversation === undefined) return { num: 0, sender: 0 };
    const mtypes = query.mtypes.length === 0 ? null : JSON.stringify(query.mtypes);
    const first = conversation.firstAfter(query.begin > 0n ? Number(query.begin) : -Infinity, -Infinity);
    const end = query.end > 0n ? conversation.firstAfter(Number(query.end), Infinity) : conversation.length;
    const senders = new Set<bigint>();
    let num = 0;
    // The rows are counted by SQLite, a bounded slice of ids per statement.
    const slicer = new TimeSlicer();
    const generation = this.#generation;
    for (let from = first; from < end; from += COUNT_SLICE) {
      if (slicer.due()) {
        await slicer.pause();
        this.#assertOpen();
        if (generation !== this.#generation) break;
      }
      const ids = JSON.stringify(conversation.ids.slice(from, Math.min(from + COUNT_SLICE, end)));
      for (const [sender, count] of this.#countBySender.all(ids, mtypes, mtypes) as SenderCount[]) {
        num += Number(count);
        senders.add(sender);
      }
    }
    return { num, sender: senders.size };
  }

  /** The conversation of (pid, category, lo, hi) as the table stores that pair (see conversationOf), or undefined when it has no row. */
  conversation(pid: number, category: MessageCategory, lo: bigint, hi: bigint): Conversation | undefined {
    return this.#index.conversation(conversationKey(pid, category, lo, hi));
  }

  /** Every conversation of a project in a category, with its (lo, hi) pair and its rows marked deleted. */
  *conversations(pid: number, category: MessageCategory): IterableIterator<{ lo: bigint; hi: bigint; conversation: Conversation; deleted: number }> {
    const prefix = `${pid}:${category}:`;
    for (const [key, conversation] of this.#index.withPrefix(prefix)) {
      const [lo, hi] = key.slice(prefix.length).split(":");
      yield { lo: BigInt(lo!), hi: BigInt(hi!), conversation, deleted: this.#index.deletedIn(key) };
    }
  }

  /**
   * Call after the rows of `pids` were deleted or replaced in a committed transaction (admin reset and import):
   * their conversations are read again from the table, walks paused over them stop, and sends go on with
   * mtimes not below `newestMtime` (the newest mtime written), so order within each conversation holds.
   */
  reindexProjects(pids: readonly number[], newestMtime = 0n): void {
    this.forgetProjects(pids);
    for (const pid of pids) this.#index.loadProject(this.#db, pid);
    if (newestMtime > this.#lastMtime) this.#lastMtime = newestMtime;
  }

  /** Call after every row of `pids` was deleted in a committed transaction (admin reset): see reindexProjects. */
  forgetProjects(pids: readonly number[]): void {
    this.#generation++;
    for (const pid of pids) this.#index.dropProject(pid);
  }

  /** After a pause: the database may have been closed meanwhile (the statements would fail with a less clear error). */
  #assertOpen(): void {
    if (!this.#db.open) throw new Error("storage was closed while a read was running");
  }

  /** The server time for the next write: never below the previous one, so mtime order equals id order. */
  #nextMtime(): bigint {
    const now = BigInt(Math.floor(this.#now()));
    if (now > this.#lastMtime) this.#lastMtime = now;
    return this.#lastMtime;
  }
}

function identity(key: MessageKey): [bigint, bigint, bigint, bigint, bigint] {
  return [BigInt(key.pid), key.from, BigInt(key.category), key.target, key.mid];
}

function conversationOf(category: MessageCategory, from: bigint, target: bigint): [bigint, bigint] {
  switch (category) {
    case MessageCategory.P2PMessage:
      return orderedPair(from, target);
    case MessageCategory.BroadcastMessage:
      return [0n, 0n];
    default:
      return [target, 0n];
  }
}

function orderedPair(a: bigint, b: bigint): [bigint, bigint] {
  return a < b ? [a, b] : [b, a];
}

function maxPair(a: [number, number], b: [number, number]): [number, number] {
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]) ? a : b;
}

function minPair(a: [number, number], b: [number, number]): [number, number] {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]) ? a : b;
}

function toStored(body: MessageBody): StoredBody {
  if (typeof body === "string" || Buffer.isBuffer(body)) return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
