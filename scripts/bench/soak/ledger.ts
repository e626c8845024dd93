// Every message the emulator acknowledged during the soak, in typed arrays (18 bytes a message), and the
// check afterwards that each one is on disk as it should be: present, and deleted exactly when a delete
// of it was acknowledged.
import { createRequire } from "node:module";
import type { openDatabase } from "@rtmkit/rtm-emulator";

/** Deleting: a delete was sent and not acknowledged (in flight, or it failed): the message may be either. */
export const MessageState = { Live: 0, Deleting: 1, Deleted: 2 } as const;
export type MessageState = (typeof MessageState)[keyof typeof MessageState];

const CHUNK = 1 << 16;

interface Chunk {
  readonly mid: Float64Array;
  readonly from: Int32Array;
  readonly target: Int32Array;
  readonly category: Uint8Array;
  readonly state: Uint8Array;
}

/** Acknowledged sends, by index; ids are small ints (uids, gids, rids) and mids safe integers. */
export class MessageLedger {
  readonly #chunks: Chunk[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  add(category: number, from: number, target: number, mid: bigint): number {
    const at = this.#length;
    if (at % CHUNK === 0) {
      this.#chunks.push({
        mid: new Float64Array(CHUNK),
        from: new Int32Array(CHUNK),
        target: new Int32Array(CHUNK),
        category: new Uint8Array(CHUNK),
        state: new Uint8Array(CHUNK),
      });
    }
    const chunk = this.#chunks[at >>> 16]!;
    const i = at & (CHUNK - 1);
    const asNumber = Number(mid);
    if (!Number.isSafeInteger(asNumber)) throw new RangeError(`mid ${mid} is not a safe integer`);
    chunk.mid[i] = asNumber;
    chunk.from[i] = from;
    chunk.target[i] = target;
    chunk.category[i] = category;
    this.#length++;
    return at;
  }

  #chunk(at: number): Chunk {
    return this.#chunks[at >>> 16]!;
  }

  category(at: number): number {
    return this.#chunk(at).category[at & (CHUNK - 1)]!;
  }
  from(at: number): number {
    return this.#chunk(at).from[at & (CHUNK - 1)]!;
  }
  target(at: number): number {
    return this.#chunk(at).target[at & (CHUNK - 1)]!;
  }
  mid(at: number): number {
    return this.#chunk(at).mid[at & (CHUNK - 1)]!;
  }
  state(at: number): MessageState {
    return this.#chunk(at).state[at & (CHUNK - 1)]! as MessageState;
  }
  setState(at: number, state: MessageState): void {
    this.#chunk(at).state[at & (CHUNK - 1)] = state;
  }

  /** Bytes the ledger holds. */
  get bytes(): number {
    return this.#chunks.length * CHUNK * 18;
  }
}

export interface LedgerCheck {
  /** Acknowledged sends looked up. */
  readonly checked: number;
  /** Acknowledged, never deleted, and not in the file. */
  readonly lost: number;
  /** Acknowledged deletes whose row is not marked deleted (or gone). */
  readonly deletesLost: number;
  /** Rows marked deleted although no delete of them was sent. */
  readonly deletedUnasked: number;
  /** Deletes sent and never acknowledged (failed, or unanswered at the end): either state is right for those. */
  readonly deletesUnsettled: number;
  /** Rows of the project in the file (acknowledged or not). */
  readonly rows: number;
  /** A few of the problems, for the report. */
  readonly examples: readonly string[];
}

type Sqlite = ReturnType<typeof openDatabase>;
type SqliteConstructor = new (path: string, options: { readonly: boolean; fileMustExist: boolean }) => Sqlite;

/**
 * Opens the emulator's database file read-only (better-sqlite3, the emulator's own dependency) and looks
 * every ledger entry up by the identity the emulator stores it under: (pid, from_uid, category, target, mid),
 * the unique index messages_identity of migration 1 (packages/rtm-emulator/src/storage/migrations.ts).
 */
export function checkLedger(ledger: MessageLedger, dbPath: string, pid: number): LedgerCheck {
  const require = createRequire(new URL("../../../packages/rtm-emulator/package.json", import.meta.url));
  const Database = require("better-sqlite3") as SqliteConstructor;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const lookup = db.prepare("SELECT deleted FROM messages WHERE pid = ? AND from_uid = ? AND category = ? AND target = ? AND mid = ?").pluck();
    const rows = db.prepare("SELECT count(*) FROM messages WHERE pid = ?").pluck().get(pid) as number;
    let lost = 0;
    let deletesLost = 0;
    let deletedUnasked = 0;
    let deletesUnsettled = 0;
    const examples: string[] = [];
    const describe = (at: number) => `mid ${ledger.mid(at)} from ${ledger.from(at)} to ${ledger.target(at)} (category ${ledger.category(at)})`;
    for (let at = 0; at < ledger.length; at++) {
      const deleted = lookup.get(pid, ledger.from(at), ledger.category(at), ledger.target(at), BigInt(ledger.mid(at))) as number | undefined;
      const state = ledger.state(at);
      if (state === MessageState.Deleting) deletesUnsettled++;
      if (deleted === undefined) {
        if (state === MessageState.Deleted) deletesLost++;
        else lost++;
        if (examples.length < 10) examples.push(`missing: ${describe(at)}`);
      } else if (state === MessageState.Deleted && deleted === 0) {
        deletesLost++;
        if (examples.length < 10) examples.push(`delete acknowledged but not stored: ${describe(at)}`);
      } else if (state === MessageState.Live && deleted !== 0) {
        deletedUnasked++;
        if (examples.length < 10) examples.push(`deleted without an acknowledged delete: ${describe(at)}`);
      }
    }
    return { checked: ledger.length, lost, deletesLost, deletedUnasked, deletesUnsettled, rows, examples };
  } finally {
    db.close();
  }
}
