import { MessageCategory } from "../storage/types.js";
import { describe } from "./args.js";
import { decodeValue, encodeValue, type ProjectTable } from "./project-tables.js";

export const STATE_FORMAT = "rtmkit-emulator-state";
export const STATE_VERSION = 1;

/** One row to insert: its params (pid first, then the columns in order) and where the document has it. */
export interface PlannedRow {
  readonly params: unknown[];
  readonly place: string;
}

/** A message row to insert, with what placing it needs. */
export interface PlannedMessage extends PlannedRow {
  readonly id: bigint;
  readonly mtime: bigint;
}

/** A checked document: the rows to insert per table (messages apart), for the projects it names. */
export interface ImportPlan {
  readonly pids: number[];
  readonly rows: Map<ProjectTable, PlannedRow[]>;
  /** Ascending by id. */
  readonly messages: PlannedMessage[];
  readonly newestMtime: bigint;
}

/** Every table's rows of one project, JSON-safe (see encodeValue), pid left out. */
export function projectDocument(tables: readonly ProjectTable[], pid: number): Record<string, Record<string, unknown>[]> {
  const document: Record<string, Record<string, unknown>[]> = {};
  for (const table of tables) {
    document[table.name] = table.select.all(pid).map((row) => {
      const out: Record<string, unknown> = {};
      for (const column of table.columns) out[column.name] = encodeValue(column.type, row[column.name]);
      return out;
    });
  }
  return document;
}

/**
 * Checks a whole document before anything changes: its format and version, that every project is one of
 * `projects`, every table known, every row exactly the table's columns with values that fit them, and message
 * rows consistent (category, conversation pair, deleted flag, ids given once). A TypeError names the place. A
 * table a project leaves out has no rows.
 */
export function planImport(state: unknown, tables: readonly ProjectTable[], projects: ReadonlyMap<number, unknown>): ImportPlan {
  const document = objectAt(state, "state");
  if (document.format !== STATE_FORMAT) throw new TypeError(`state.format: expected ${JSON.stringify(STATE_FORMAT)}, got ${describe(document.format)}`);
  if (document.version !== STATE_VERSION) throw new TypeError(`state.version: expected ${STATE_VERSION}, got ${describe(document.version)}`);
  if (typeof document.exportedAt !== "number" || !Number.isFinite(document.exportedAt)) throw new TypeError(`state.exportedAt: expected a number (ms), got ${describe(document.exportedAt)}`);
  const byName = new Map(tables.map((table) => [table.name, table]));
  const rows = new Map<ProjectTable, PlannedRow[]>(tables.filter((table) => table.name !== "messages").map((table) => [table, []]));
  const messages: PlannedMessage[] = [];
  const messageIds = new Set<bigint>();
  const pids: number[] = [];
  let newestMtime = 0n;
  for (const [key, value] of Object.entries(objectAt(document.projects, "state.projects"))) {
    const at = `state.projects[${JSON.stringify(key)}]`;
    const pid = Number(key);
    if (String(pid) !== key || !projects.has(pid)) throw new TypeError(`${at}: ${describe(key)} is not a project of this emulator`);
    pids.push(pid);
    for (const [name, tableRows] of Object.entries(objectAt(value, at))) {
      const table = byName.get(name);
      if (table === undefined) throw new TypeError(`${at}.${name}: not a table of this emulator (${[...byName.keys()].join(", ")})`);
      if (!Array.isArray(tableRows)) throw new TypeError(`${at}.${name}: expected an array of rows, got ${describe(tableRows)}`);
      tableRows.forEach((row: unknown, i) => {
        const place = `${at}.${name}[${i}]`;
        const params = rowParams(table, pid, row, place);
        if (name !== "messages") {
          rows.get(table)!.push({ params, place });
          return;
        }
        const message = checkedMessage(table, params, place, messageIds);
        if (message.mtime > newestMtime) newestMtime = message.mtime;
        messages.push(message);
      });
    }
  }
  messages.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { pids, rows, messages, newestMtime };
}

function rowParams(table: ProjectTable, pid: number, row: unknown, place: string): unknown[] {
  const given = objectAt(row, place);
  for (const key of Object.keys(given)) {
    if (!table.columns.some((column) => column.name === key)) throw new TypeError(`${place}.${key}: not a column of ${table.name} (${table.columns.map((c) => c.name).join(", ")})`);
  }
  const params: unknown[] = [pid];
  for (const column of table.columns) {
    if (!Object.hasOwn(given, column.name)) throw new TypeError(`${place}.${column.name}: missing`);
    params.push(decodeValue(column.type, given[column.name], `${place}.${column.name}`));
  }
  return params;
}

/** What the history index needs of a message row: a known category, the conversation pair the store would write, 0/1 deleted, an id given once. */
function checkedMessage(table: ProjectTable, params: unknown[], place: string, ids: Set<bigint>): PlannedMessage {
  const value = (name: string): bigint => params[1 + table.columns.findIndex((column) => column.name === name)] as bigint;
  const id = value("id");
  if (id < 1n) throw new TypeError(`${place}.id: expected a positive id, got ${id}`);
  if (ids.has(id)) throw new TypeError(`${place}.id: id ${id} is given twice`);
  ids.add(id);
  const category = Number(value("category"));
  const [from, target] = [value("from_uid"), value("target")];
  let pair: [bigint, bigint];
  switch (category) {
    case MessageCategory.P2PMessage:
      pair = from < target ? [from, target] : [target, from];
      break;
    case MessageCategory.GroupMessage:
    case MessageCategory.RoomMessage:
      pair = [target, 0n];
      break;
    case MessageCategory.BroadcastMessage:
      pair = [0n, 0n];
      break;
    default:
      throw new TypeError(`${place}.category: expected 1 (p2p), 2 (group), 3 (room) or 4 (broadcast), got ${category}`);
  }
  if (value("conv_lo") !== pair[0] || value("conv_hi") !== pair[1]) {
    throw new TypeError(`${place}: conv_lo/conv_hi must be ${pair[0]}/${pair[1]} for this category, from_uid and target, got ${value("conv_lo")}/${value("conv_hi")}`);
  }
  const deleted = value("deleted");
  if (deleted !== 0n && deleted !== 1n) throw new TypeError(`${place}.deleted: expected 0 or 1, got ${deleted}`);
  return { id, mtime: value("mtime"), params, place };
}

function objectAt(value: unknown, place: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`${place}: expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}
