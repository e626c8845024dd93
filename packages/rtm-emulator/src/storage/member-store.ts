import type { Database, Statement } from "better-sqlite3";

/** A membership table and the column naming its target: groups by gid, chat rooms by rid. */
export type MemberTable = { readonly table: "group_members"; readonly key: "gid" } | { readonly table: "room_members"; readonly key: "rid" };

/**
 * Members of groups or chat rooms: one row per (project, target, user). A target has no row of its own;
 * it exists while it has members. Id lists come back ascending.
 */
export class MemberStore {
  readonly #addAll: (pid: number, target: bigint, uids: readonly bigint[]) => void;
  readonly #removeAll: (pid: number, target: bigint, uids: readonly bigint[]) => void;
  readonly #clear: Statement;
  readonly #members: Statement;
  readonly #has: Statement;
  readonly #count: Statement;

  constructor(db: Database, { table, key }: MemberTable) {
    const insert = db.prepare(`INSERT INTO ${table} (pid, ${key}, uid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`);
    const remove = db.prepare(`DELETE FROM ${table} WHERE pid = ? AND ${key} = ? AND uid = ?`);
    this.#addAll = db.transaction((pid: number, target: bigint, uids: readonly bigint[]) => {
      for (const uid of uids) insert.run(pid, target, uid);
    });
    this.#removeAll = db.transaction((pid: number, target: bigint, uids: readonly bigint[]) => {
      for (const uid of uids) remove.run(pid, target, uid);
    });
    this.#clear = db.prepare(`DELETE FROM ${table} WHERE pid = ? AND ${key} = ?`);
    this.#members = db.prepare(`SELECT uid FROM ${table} WHERE pid = ? AND ${key} = ? ORDER BY uid`).pluck().safeIntegers();
    this.#has = db.prepare(`SELECT 1 FROM ${table} WHERE pid = ? AND ${key} = ? AND uid = ?`).pluck();
    this.#count = db.prepare(`SELECT count(*) FROM ${table} WHERE pid = ? AND ${key} = ?`).pluck();
  }

  /** Adds the users that are not members yet, in one transaction. */
  add(pid: number, target: bigint, uids: readonly bigint[]): void {
    this.#addAll(pid, target, uids);
  }

  /** Removes the users that are members, in one transaction. */
  remove(pid: number, target: bigint, uids: readonly bigint[]): void {
    this.#removeAll(pid, target, uids);
  }

  clear(pid: number, target: bigint): void {
    this.#clear.run(pid, target);
  }

  members(pid: number, target: bigint): bigint[] {
    return this.#members.all(pid, target) as bigint[];
  }

  has(pid: number, target: bigint, uid: bigint): boolean {
    return this.#has.get(pid, target, uid) !== undefined;
  }

  count(pid: number, target: bigint): number {
    return this.#count.get(pid, target) as number;
  }
}
