import type { Database, Statement } from "better-sqlite3";
import type { EmulatorServices } from "../server/services.js";
import type { ChatStorage } from "../storage/chat-storage.js";
import { projectTables, type ProjectTable } from "./project-tables.js";
import { planImport, projectDocument, STATE_FORMAT, STATE_VERSION, type PlannedMessage } from "./state-document.js";
import type { EmulatorState } from "./types.js";

/** Thrown inside the savepoint that tries to keep the imported messages' ids, to roll it back. */
const IDS_DO_NOT_FIT = Symbol("ids do not fit");

/**
 * A project's stored rows as a whole: reset, export, import. Each runs after the write batcher has committed
 * what it holds, changes every table in one transaction, then brings what is kept in memory back in line: the
 * history index (re-read for the projects changed), the has-rows caches of the ban and blacklist checks, and
 * presence (cleared: its users are taken offline, which pushes logout to whoever listens).
 */
export class ProjectData {
  readonly #db: Database;
  readonly #storage: ChatStorage;
  readonly #services: EmulatorServices;
  readonly #projects: ReadonlyMap<number, unknown>;
  readonly #now: () => number;
  readonly #tables: readonly ProjectTable[];
  readonly #messages: ProjectTable;
  /** messages without its id column: a row whose id is taken gets the next one. */
  readonly #insertMessageFreshId: Statement<unknown[]>;
  /** Rows whose mtime is below the previous row's (by id) within an id range and its neighbours. */
  readonly #outOfOrder: Statement<{ min: bigint; max: bigint }, number>;

  constructor(storage: ChatStorage, services: EmulatorServices, projects: ReadonlyMap<number, unknown>, now: () => number) {
    this.#db = storage.database;
    this.#storage = storage;
    this.#services = services;
    this.#projects = projects;
    this.#now = now;
    this.#tables = projectTables(this.#db);
    this.#messages = this.#tables.find((table) => table.name === "messages")!;
    const columns = this.#messages.columns.filter((column) => column.name !== "id").map((column) => column.name);
    this.#insertMessageFreshId = this.#db.prepare(`INSERT INTO messages (pid, ${columns.join(", ")}) VALUES (?${", ?".repeat(columns.length)})`);
    this.#outOfOrder = this.#db
      .prepare<{ min: bigint; max: bigint }, number>(
        `SELECT count(*) FROM (
           SELECT mtime, lag(mtime) OVER (ORDER BY id) AS previous FROM messages
           WHERE id >= coalesce((SELECT max(id) FROM messages WHERE id < @min), @min) AND id <= coalesce((SELECT min(id) FROM messages WHERE id > @max), @max)
         ) WHERE mtime < previous`,
      )
      .pluck();
  }

  /** The tables found (their names), for tests and docs. */
  get tableNames(): string[] {
    return this.#tables.map((table) => table.name);
  }

  reset(pid: number): void {
    this.#storage.writes.flush();
    this.#db.transaction(() => {
      for (const table of this.#tables) table.remove.run(pid);
    })();
    this.#storage.store.forgetProjects([pid]);
    this.#afterReplace(pid);
  }

  exportState(): EmulatorState {
    this.#storage.writes.flush();
    const projects: Record<string, unknown> = {};
    // One read transaction: the projects are exported as of one moment.
    this.#db.transaction(() => {
      for (const pid of [...this.#projects.keys()].sort((a, b) => a - b)) projects[String(pid)] = projectDocument(this.#tables, pid);
    })();
    return { format: STATE_FORMAT, version: STATE_VERSION, exportedAt: this.#now(), projects };
  }

  importState(state: unknown): void {
    const plan = planImport(state, this.#tables, this.#projects);
    this.#storage.writes.flush();
    this.#db.transaction(() => {
      for (const pid of plan.pids) for (const table of this.#tables) table.remove.run(pid);
      for (const [table, rows] of plan.rows) for (const row of rows) insert(table.insert, row.params, row.place);
      this.#insertMessages(plan.messages);
    })();
    this.#storage.store.reindexProjects(plan.pids, plan.newestMtime);
    for (const pid of plan.pids) this.#afterReplace(pid);
  }

  /**
   * With their own ids when those are free and keep every id range in mtime order (what cursors and the
   * history index rely on): always so into an emulator that has no other rows in their range, as after export,
   * reset and import. Else with new ids after the last row, in (mtime, id) order, so each conversation stays in
   * order (history cursors are then new ids too).
   */
  #insertMessages(messages: readonly PlannedMessage[]): void {
    if (messages.length === 0) return;
    try {
      this.#db.transaction(() => {
        for (const message of messages) {
          try {
            this.#messages.insert.run(...message.params);
          } catch (error) {
            if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw IDS_DO_NOT_FIT;
            throw failedRow(message.place, error);
          }
        }
        if (this.#outOfOrder.get({ min: messages[0]!.id, max: messages.at(-1)!.id })! > 0) throw IDS_DO_NOT_FIT;
      })();
      return;
    } catch (error) {
      if (error !== IDS_DO_NOT_FIT) throw error;
    }
    const idAt = 1 + this.#messages.columns.findIndex((column) => column.name === "id");
    const byTime = [...messages].sort((a, b) => (a.mtime < b.mtime ? -1 : a.mtime > b.mtime ? 1 : a.id < b.id ? -1 : 1));
    for (const message of byTime) insert(this.#insertMessageFreshId, message.params.filter((_, i) => i !== idAt), message.place);
  }

  #afterReplace(pid: number): void {
    this.#services.rowsReplaced(pid);
    for (const uid of this.#services.users.onlineUsers(pid)) this.#services.users.setOnline(pid, uid, false);
  }
}

function insert(statement: Statement<unknown[]>, params: unknown[], place: string): void {
  try {
    statement.run(...params);
  } catch (error) {
    throw failedRow(place, error);
  }
}

/** A row SQLite refused (a key given twice, a CHECK): the import is refused, naming the row. */
function failedRow(place: string, error: unknown): TypeError {
  return new TypeError(`${place}: does not fit: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
