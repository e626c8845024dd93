import type { Database, Statement } from "better-sqlite3";
import { Refusal, RtmErrorCode } from "../errors.js";
import { ProjectsWithRows } from "./projects-with-rows.js";

/** A ban table and the column naming its target: groups by gid, chat rooms by rid. */
export type BanTable = { readonly table: "group_bans"; readonly key: "gid" } | { readonly table: "room_bans"; readonly key: "rid" };

/**
 * The target a ban is stored under when it holds in every group (room). RTM's reference SDK omits
 * gid/rid from a ban request when it is 0, so an absent target and target 0 both mean "everywhere".
 */
export const EVERY_TARGET = 0n;

/**
 * Timed bans of users in groups or chat rooms: one row per (project, target, user) with the time (ms)
 * it ends. A ban whose end has passed counts as absent; its row stays until the next ban of the same
 * user and target overwrites it or a removal deletes it.
 */
export class BanStore {
  readonly #now: () => number;
  readonly #upsert: Statement;
  readonly #remove: Statement;
  readonly #removeTarget: Statement;
  readonly #live: Statement;
  readonly #projects: ProjectsWithRows;

  constructor(db: Database, { table, key }: BanTable, now: () => number) {
    this.#now = now;
    this.#upsert = db.prepare(`INSERT INTO ${table} (pid, ${key}, uid, until) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET until = excluded.until`);
    this.#remove = db.prepare(`DELETE FROM ${table} WHERE pid = ? AND ${key} = ? AND uid = ?`);
    this.#removeTarget = db.prepare(`DELETE FROM ${table} WHERE pid = ? AND ${key} = ? AND ${key} <> ${EVERY_TARGET}`);
    this.#projects = new ProjectsWithRows(db, table);
    this.#live = db.prepare(`SELECT 1 FROM ${table} WHERE pid = ? AND ${key} IN (?, ${EVERY_TARGET}) AND uid = ? AND until > ?`).pluck();
  }

  /** Bans uid for btime seconds from now, replacing any earlier ban of uid in that target (even a longer one). */
  ban(pid: number, target: bigint | undefined, uid: bigint, btime: number): void {
    if (!(btime > 0)) throw new Refusal(RtmErrorCode.InvalidParameter, `btime must be a positive number of seconds, got ${btime}`);
    this.#projects.added(pid);
    this.#upsert.run(pid, target ?? EVERY_TARGET, uid, this.#now() + btime * 1000);
  }

  /** Removes the ban of uid in exactly that target: a group's ban, or with no target the every-target ban. */
  unban(pid: number, target: bigint | undefined, uid: bigint): void {
    this.#remove.run(pid, target ?? EVERY_TARGET, uid);
    this.#projects.removed(pid);
  }

  /** Removes every ban in one target; never the every-target bans, which belong to no target. */
  removeTarget(pid: number, target: bigint): void {
    this.#removeTarget.run(pid, target);
    this.#projects.removed(pid);
  }

  /** The project's rows were replaced wholesale (admin reset or import). */
  rowsReplaced(pid: number): void {
    this.#projects.refresh(pid);
  }

  /** Whether uid has a live ban in target or a live every-target ban (checked on every group or room send). */
  isBanned(pid: number, target: bigint, uid: bigint): boolean {
    return this.#projects.has(pid) && this.#live.get(pid, target, uid, this.#now()) !== undefined;
  }
}
