import type { Database, Statement } from "better-sqlite3";

/** Rows per statement when the index is rebuilt. */
const LOAD_PAGE = 8192;
/** SQLite writes integers as text exactly as bigint.toString() does, so keys match conversationKey(). */
const LOAD_SELECT = "SELECT pid || ':' || category || ':' || conv_lo || ':' || conv_hi, mtime, id, deleted FROM messages";

/**
 * The order history pages and counts walk: for every conversation, its message ids with their mtimes,
 * in id order (which is (mtime, id) order: the store never gives a row an mtime below the previous
 * row's; an admin import that cannot keep its rows' ids appends them in mtime order, to conversations of
 * their own, so this holds within every conversation). Kept in memory, not as an index on the file.
 *
 * Why: every send appends to its own conversation, so in a B-tree index a batch of N sends dirties up
 * to N pages, each written to the WAL at commit and again at checkpoint, and even in memory each insert
 * lands in the middle of a page. That was most of the cost of a send. Here a send is an append to two
 * arrays. The index is derived data (the messages table is the truth and survives a crash): it is
 * rebuilt from the table when the database opens. Measured (Node 20, 2 shared cores): 1M messages in
 * 100 conversations take ~1.5 s and 17 MB; 1M conversations of one message each ~2.5 s and 240 MB,
 * i.e. ~240 bytes per conversation (its key, a Map entry, this object and two one-element arrays).
 */
export class HistoryIndex {
  readonly #conversations = new Map<string, Conversation>();
  /**
   * Deleted rows per conversation, only for conversations that have any (deletes are rare): what the admin
   * console's live message counts subtract. At most one entry per conversation.
   */
  readonly #deleted = new Map<string, number>();
  #newestLoaded = 0;

  /** The index of every message stored in `db`. */
  static load(db: Database): HistoryIndex {
    const index = new HistoryIndex();
    index.#load(db.prepare(`${LOAD_SELECT} WHERE id > ? ORDER BY id LIMIT ${LOAD_PAGE}`).raw(), []);
    return index;
  }

  /** Adds the messages of one project from `db` (after dropProject, e.g. once a project's rows were imported). */
  loadProject(db: Database, pid: number): void {
    this.#load(db.prepare(`${LOAD_SELECT} WHERE pid = ? AND id > ? ORDER BY id LIMIT ${LOAD_PAGE}`).raw(), [pid]);
  }

  /**
   * The largest mtime among the rows loaded from the table. Not the newest row's by id: an import may have
   * appended rows older than the rows before them (admin/state-transfer.ts).
   */
  get newestLoadedMtime(): number {
    return this.#newestLoaded;
  }

  add(entry: IndexEntry): void {
    this.#append(entry.key, entry.mtime, entry.id);
  }

  /** A row of conversation `key` was marked deleted. */
  deleted(key: string): void {
    this.#deleted.set(key, (this.#deleted.get(key) ?? 0) + 1);
  }

  /** The conversation's messages, or undefined when it has none. */
  conversation(key: string): Conversation | undefined {
    return this.#conversations.get(key);
  }

  /** Rows of conversation `key` marked deleted. */
  deletedIn(key: string): number {
    return this.#deleted.get(key) ?? 0;
  }

  /** Every conversation whose key starts with `prefix` (e.g. "pid:category:"); walks all conversations. */
  *withPrefix(prefix: string): IterableIterator<[key: string, conversation: Conversation]> {
    for (const entry of this.#conversations) if (entry[0].startsWith(prefix)) yield entry;
  }

  /** Forgets every conversation of a project (its rows were deleted, or are about to be reloaded). */
  dropProject(pid: number): void {
    const prefix = `${pid}:`;
    for (const key of this.#conversations.keys()) if (key.startsWith(prefix)) this.#conversations.delete(key);
    for (const key of this.#deleted.keys()) if (key.startsWith(prefix)) this.#deleted.delete(key);
  }

  /** Pages of rows through all(): a third faster than iterate() row by row. `params` come before the id cursor. */
  #load(page: Statement, params: readonly unknown[]): void {
    for (let after = 0; ; ) {
      const rows = page.all(...params, after) as [key: string, mtime: number, id: number, deleted: number][];
      for (const [key, mtime, id, deleted] of rows) {
        this.#append(key, mtime, id);
        if (mtime > this.#newestLoaded) this.#newestLoaded = mtime;
        if (deleted !== 0) this.deleted(key);
      }
      if (rows.length < LOAD_PAGE) return;
      after = rows[rows.length - 1]![2];
    }
  }

  #append(key: string, mtime: number, id: number): void {
    const conversation = this.#conversations.get(key);
    if (conversation === undefined) {
      this.#conversations.set(key, new Conversation([id], [mtime]));
      return;
    }
    conversation.ids.push(id);
    conversation.mtimes.push(mtime);
  }
}

/** One row of the index: the message `id` with its `mtime`, in conversation `key`. */
export interface IndexEntry {
  readonly key: string;
  readonly mtime: number;
  readonly id: number;
}

/** The messages of one conversation, ascending by id and (not strictly) by mtime. */
export class Conversation {
  /**
   * A new conversation starts from arrays holding its first message: an array grown by push() from
   * empty reserves 17 slots, which made a one-message conversation cost twice as much.
   */
  constructor(
    readonly ids: number[] = [],
    readonly mtimes: number[] = [],
  ) {}

  get length(): number {
    return this.ids.length;
  }

  /** Position of the first message after (mtime, id), in (mtime, id) order. Ids are integers, so "after" is "at or after id + 1". */
  firstAfter(mtime: number, id: number): number {
    return this.#firstAtOrAfter(mtime, id + 1);
  }

  /** Position of the last message before (mtime, id), or -1. */
  lastBefore(mtime: number, id: number): number {
    return this.#firstAtOrAfter(mtime, id) - 1;
  }

  /** Position of the last message whose id is below `id`, or -1 (ids ascend). */
  lastBeforeId(id: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Binary search: the first position whose (mtime, id) is not below the given pair. */
  #firstAtOrAfter(mtime: number, id: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.mtimes[mid]!;
      if (m < mtime || (m === mtime && this.ids[mid]! < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The key of a conversation: pid, category and the (conv_lo, conv_hi) pair the table stores. */
export function conversationKey(pid: number, category: number, lo: bigint, hi: bigint): string {
  return `${pid}:${category}:${lo}:${hi}`;
}
