import type { Database } from "better-sqlite3";
import { openDatabase, type OpenDatabaseOptions } from "./database.js";
import { MessageStore } from "./message-store.js";
import { WriteBatcher, type CommitInfo, type SendWatcher } from "./write-batcher.js";

export interface ChatStorageOptions extends OpenDatabaseOptions {
  /** Server clock in ms; injectable for tests. */
  readonly now?: (() => number) | undefined;
  readonly onCommit?: ((info: CommitInfo) => void) | undefined;
  /** Hears of every send committed (the push hub). */
  readonly watcher?: SendWatcher | undefined;
}

/** The database, its message store and the batcher all writes go through, opened and closed together. */
export class ChatStorage {
  readonly store: MessageStore;
  readonly writes: WriteBatcher;
  readonly #db: Database;

  private constructor(db: Database, options: ChatStorageOptions) {
    this.#db = db;
    this.store = new MessageStore(db, { now: options.now });
    this.writes = new WriteBatcher(this.store, { onCommit: options.onCommit, watcher: options.watcher });
  }

  static open(options: ChatStorageOptions = {}): ChatStorage {
    return new ChatStorage(openDatabase(options), options);
  }

  /** The database, for the emulator's other stores. */
  get database(): Database {
    return this.#db;
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Commits the queued writes, then closes the database (checkpointing the WAL of a file database). */
  close(): void {
    if (!this.#db.open) return;
    this.writes.close();
    this.#db.close();
  }
}
