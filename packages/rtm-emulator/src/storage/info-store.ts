import type { Database, Statement } from "better-sqlite3";

/** An info table and the column naming its target: groups by gid, chat rooms by rid. */
export type InfoTable = { readonly table: "group_info"; readonly key: "gid" } | { readonly table: "room_info"; readonly key: "rid" };

/** The public (`oinfo`) and private (`pinfo`) info of a group or room; "" when never set. */
export interface TargetInfo {
  oinfo: string;
  pinfo: string;
}

/** What a set changes: an absent field keeps its stored value. */
export interface InfoUpdate {
  readonly oinfo?: string | undefined;
  readonly pinfo?: string | undefined;
}

/** The oinfo/pinfo pair of groups or chat rooms, one row per (project, target) once either is set. */
export class InfoStore {
  readonly #upsert: Statement;
  readonly #get: Statement;
  readonly #clear: Statement;

  constructor(db: Database, { table, key }: InfoTable) {
    this.#upsert = db.prepare(`
      INSERT INTO ${table} (pid, ${key}, oinfo, pinfo) VALUES (@pid, @target, coalesce(@oinfo, ''), coalesce(@pinfo, ''))
      ON CONFLICT DO UPDATE SET oinfo = coalesce(@oinfo, oinfo), pinfo = coalesce(@pinfo, pinfo)`);
    this.#get = db.prepare(`SELECT oinfo, pinfo FROM ${table} WHERE pid = ? AND ${key} = ?`);
    this.#clear = db.prepare(`DELETE FROM ${table} WHERE pid = ? AND ${key} = ?`);
  }

  set(pid: number, target: bigint, update: InfoUpdate): void {
    if (update.oinfo === undefined && update.pinfo === undefined) return;
    this.#upsert.run({ pid, target, oinfo: update.oinfo ?? null, pinfo: update.pinfo ?? null });
  }

  get(pid: number, target: bigint): TargetInfo {
    return (this.#get.get(pid, target) as TargetInfo | undefined) ?? { oinfo: "", pinfo: "" };
  }

  clear(pid: number, target: bigint): void {
    this.#clear.run(pid, target);
  }
}
