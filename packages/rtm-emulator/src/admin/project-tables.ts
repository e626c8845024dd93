import type { Database, Statement } from "better-sqlite3";
import { describe } from "./args.js";

/** A column's declared type (the tables are STRICT, so these are all there are). */
export type ColumnType = "INTEGER" | "TEXT" | "BLOB" | "ANY";

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

/** One table of project rows: its columns but pid, in table order, and its statements over one project's rows. */
export interface ProjectTable {
  readonly name: string;
  readonly columns: readonly Column[];
  /** The project's rows in primary key order, integers as bigints. */
  readonly select: Statement<[pid: number], Record<string, unknown>>;
  /** Params: pid, then the columns in order. */
  readonly insert: Statement<unknown[]>;
  readonly remove: Statement<[pid: number]>;
}

const COLUMN_TYPES: readonly string[] = ["INTEGER", "TEXT", "BLOB", "ANY"];
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Every table of the schema holding project rows, found in the database itself (every table but SQLite's own and
 * schema_migrations), so a table a later migration adds is reset, exported and imported without a change here.
 * Every such table must have a pid column: the one that would not is refused at start.
 */
export function projectTables(db: Database): ProjectTable[] {
  const names = db
    .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name")
    .pluck()
    .all();
  return names.map((name) => {
    const info = db.prepare<[], { name: string; type: string; pk: number }>(`SELECT name, type, pk FROM pragma_table_info('${name}')`).all();
    if (!info.some((column) => column.name === "pid")) throw new Error(`table ${name} has no pid column: the admin model cannot tell its projects apart`);
    const columns = info
      .filter((column) => column.name !== "pid")
      .map((column): Column => {
        if (!COLUMN_TYPES.includes(column.type)) throw new Error(`table ${name}: column ${column.name} has type ${column.type}, not one of ${COLUMN_TYPES.join(", ")}`);
        return { name: column.name, type: column.type as ColumnType };
      });
    const key = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
    const names = columns.map((column) => column.name);
    return {
      name,
      columns,
      select: db.prepare<[number], Record<string, unknown>>(`SELECT ${names.join(", ")} FROM ${name} WHERE pid = ? ORDER BY ${key.join(", ")}`).safeIntegers(),
      insert: db.prepare<unknown[]>(`INSERT INTO ${name} (pid, ${names.join(", ")}) VALUES (?${", ?".repeat(names.length)})`),
      remove: db.prepare<[number]>(`DELETE FROM ${name} WHERE pid = ?`),
    };
  });
}

/** A stored value as JSON: integers as decimal text, BLOBs as hex, an ANY column's text as it is and its bytes as {hex}. */
export function encodeValue(type: ColumnType, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Buffer.isBuffer(value)) return type === "ANY" ? { hex: value.toString("hex") } : value.toString("hex");
  return value;
}

/** encodeValue undone; a value that does not fit the column is a TypeError naming `place`. */
export function decodeValue(type: ColumnType, value: unknown, place: string): bigint | string | Buffer {
  switch (type) {
    case "INTEGER":
      return int64(value, place);
    case "TEXT":
      if (typeof value === "string") return value;
      throw new TypeError(`${place}: expected text, got ${describe(value)}`);
    case "BLOB":
      return hexBytes(value, place);
    case "ANY":
      if (typeof value === "string") return value;
      if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "hex" in value) {
        return hexBytes((value as { hex: unknown }).hex, `${place}.hex`);
      }
      throw new TypeError(`${place}: expected text or {hex}, got ${describe(value)}`);
  }
}

/** An int64 as decimal text (as exported) or a safe integer. */
export function int64(value: unknown, place: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) {
    const n = BigInt(value);
    if (n >= INT64_MIN && n <= INT64_MAX) return n;
  }
  throw new TypeError(`${place}: expected an int64 as decimal text, got ${describe(value)}`);
}

function hexBytes(value: unknown, place: string): Buffer {
  if (typeof value === "string" && value.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(value)) return Buffer.from(value, "hex");
  throw new TypeError(`${place}: expected bytes as hex text, got ${describe(value)}`);
}
