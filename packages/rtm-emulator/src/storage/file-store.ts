import { hash } from "node:crypto";
import type { Database, Statement } from "better-sqlite3";

export interface FileStoreOptions {
  /** Clock in ms (stored_at); injectable for tests. */
  readonly now?: (() => number) | undefined;
}

/**
 * The files table (migration 5): file bytes by (pid, file id), the id being the SHA-256 hex of the bytes, so
 * storing the same bytes twice keeps one row. Writes are committed when put() returns.
 */
export class FileStore {
  readonly #insert: Statement;
  readonly #select: Statement;
  readonly #now: () => number;

  constructor(db: Database, options: FileStoreOptions = {}) {
    this.#insert = db.prepare("INSERT INTO files (pid, file_id, size, data, stored_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    this.#select = db.prepare("SELECT data FROM files WHERE pid = ? AND file_id = ?").pluck();
    this.#now = options.now ?? Date.now;
  }

  /** Stores the bytes (once per content) and answers their file id. */
  put(pid: number, data: Uint8Array): string {
    const fileId = fileIdOf(data);
    this.#insert.run(pid, fileId, data.byteLength, Buffer.from(data.buffer, data.byteOffset, data.byteLength), this.#now());
    return fileId;
  }

  get(pid: number, fileId: string): Uint8Array | undefined {
    const data = this.#select.get(pid, fileId) as Buffer | undefined;
    return data === undefined ? undefined : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
}

export function fileIdOf(data: Uint8Array): string {
  return hash("sha256", data);
}
