import type { Database, Statement } from "better-sqlite3";

/**
 * Which projects have any row in a table, kept in memory. Checks that run on every send (is the sender banned,
 * blacklisted?) skip their query for a project that keeps no such rows, the common case. It may say yes for a
 * project whose rows a rolled-back write never kept; never no for one that has rows.
 */
export class ProjectsWithRows {
  readonly #pids: Set<number>;
  readonly #any: Statement<[pid: number], number>;

  constructor(db: Database, table: string) {
    this.#pids = new Set(db.prepare<[], number>(`SELECT DISTINCT pid FROM ${table}`).pluck().all());
    this.#any = db.prepare<[number], number>(`SELECT 1 FROM ${table} WHERE pid = ? LIMIT 1`).pluck();
  }

  has(pid: number): boolean {
    return this.#pids.has(pid);
  }

  /** Call before (or when) rows of pid are written. */
  added(pid: number): void {
    this.#pids.add(pid);
  }

  /** Call after rows of pid were deleted. */
  removed(pid: number): void {
    if (this.#any.get(pid) === undefined) this.#pids.delete(pid);
  }

  /** Call after the rows of pid were replaced wholesale (admin reset or import): asks the table again. */
  refresh(pid: number): void {
    if (this.#any.get(pid) === undefined) this.#pids.delete(pid);
    else this.#pids.add(pid);
  }
}
