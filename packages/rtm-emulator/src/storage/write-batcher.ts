import type { MessageStore } from "./message-store.js";
import type { MessageCategory, MessageKey, NewMessage, StoredSend } from "./types.js";

type Operation =
  | { readonly kind: "send"; readonly rows: readonly NewMessage[]; settle: Settle<bigint> }
  | { readonly kind: "delete"; readonly key: MessageKey; settle: Settle<boolean> };

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export interface CommitInfo {
  /** Operations committed (a send or a delete each). */
  readonly operations: number;
}

/** Who hears of the messages sends store (the push hub). */
export interface SendWatcher {
  /** Whether the rows of a send of this project and category are wanted; asked once per send, so keep it one lookup. */
  wants(pid: number, category: MessageCategory): boolean;
  /** A wanted send was committed: the rows it stored (none of a repeat's). Called in commit order, right after the commit. */
  stored(send: StoredSend): void;
}

export interface WriteBatcherOptions {
  /** Called after each committed transaction; for metrics and tests. */
  readonly onCommit?: ((info: CommitInfo) => void) | undefined;
  readonly watcher?: SendWatcher | undefined;
}

/**
 * Groups the writes of one event-loop turn into one transaction, so durability costs one commit per
 * turn rather than one per message. Every promise settles after the commit (an acknowledged write is
 * on disk, in the sense of the database's durability setting) or rejects when the commit fails.
 * Writes run in arrival order inside the transaction, so a repeated mid within one batch is found
 * by the identity index exactly as across batches.
 */
export class WriteBatcher {
  readonly #store: MessageStore;
  readonly #onCommit: ((info: CommitInfo) => void) | undefined;
  readonly #watcher: SendWatcher | undefined;
  #queue: Operation[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(store: MessageStore, options: WriteBatcherOptions = {}) {
    this.#store = store;
    this.#onCommit = options.onCommit;
    this.#watcher = options.watcher;
  }

  /** Stores a send; resolves to its mtime (the original one for a repeat) once committed. */
  send(rows: readonly NewMessage[]): Promise<bigint> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: "send", rows, settle: { resolve, reject } }));
  }

  /** Marks a message deleted; resolves to false when it was unknown or deleted already. */
  delete(key: MessageKey): Promise<boolean> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: "delete", key, settle: { resolve, reject } }));
  }

  /** Writes waiting for the next commit. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Commits what is queued now instead of at the end of the turn. */
  flush(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const results: unknown[] = new Array(batch.length);
    const failed: boolean[] = new Array(batch.length).fill(false);
    // Made for the first send the watcher wants: with nobody listening a batch allocates nothing for it.
    let stored = undefined as (StoredSend | undefined)[] | undefined; // (assigned in the transaction callback)
    try {
      this.#store.transaction(() => {
        for (let i = 0; i < batch.length; i++) {
          const op = batch[i]!;
          const wanted = op.kind === "send" ? this.#wanted(op.rows) : undefined;
          if (wanted !== undefined) (stored ??= new Array<StoredSend | undefined>(batch.length))[i] = wanted;
          try {
            results[i] = this.#apply(op, wanted);
          } catch (error) {
            // A failing statement is undone on its own; the rest of the batch still commits.
            results[i] = error;
            failed[i] = true;
          }
        }
      });
    } catch (error) {
      for (const op of batch) op.settle.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const op = batch[i]!;
      if (failed[i]) op.settle.reject(results[i]);
      else (op.settle as Settle<unknown>).resolve(results[i]);
    }
    if (stored !== undefined) this.#tellWatcher(stored, failed);
    this.#onCommit?.({ operations: batch.length });
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.#closed = true;
    this.flush();
  }

  #enqueue(op: Operation): void {
    if (this.#closed) {
      op.settle.reject(new Error("storage is closed"));
      return;
    }
    this.#queue.push(op);
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      this.flush();
    });
  }

  /** Where to collect the rows a send stores, when the watcher wants them (one lookup per send). */
  #wanted(rows: readonly NewMessage[]): StoredSend | undefined {
    const first = rows[0];
    if (this.#watcher === undefined || first === undefined || !this.#watcher.wants(first.pid, first.category)) return undefined;
    return { rows: [], mtime: 0n };
  }

  /** `stored`: where the rows a send stores are collected. */
  #apply(op: Operation, stored: StoredSend | undefined): bigint | boolean {
    if (op.kind === "delete") return this.#store.markDeleted(op.key);
    // A multi-row send is all or nothing: a savepoint undoes its first rows if a later one fails.
    return op.rows.length === 1 ? this.#store.storeSend(op.rows, stored) : this.#store.transaction(() => this.#store.storeSend(op.rows, stored));
  }

  /** In batch order, which is commit order: the watcher sees sends in the order their senders are answered. */
  #tellWatcher(stored: readonly (StoredSend | undefined)[], failed: readonly boolean[]): void {
    for (let i = 0; i < stored.length; i++) {
      const sent = stored[i];
      if (sent !== undefined && !failed[i] && sent.rows.length > 0) this.#watcher!.stored(sent);
    }
  }
}
