import type { Database, Statement } from "better-sqlite3";
import { ascendingIds, checkIdCount, type Empty, type OkAnswer, type ServiceOptions, type UidRequest, type UidsAnswer } from "./common.js";
import { ProjectsWithRows } from "../storage/projects-with-rows.js";

export interface FriendsRequest {
  readonly uid: bigint;
  readonly friends: readonly bigint[];
}
export interface IsFriendRequest {
  readonly uid: bigint;
  readonly fuid: bigint;
}
export interface IsFriendsRequest {
  readonly uid: bigint;
  readonly fuids: readonly bigint[];
}
export interface BlacksRequest {
  readonly uid: bigint;
  readonly blacks: readonly bigint[];
}
export interface IsBlackRequest {
  readonly uid: bigint;
  readonly buid: bigint;
}
export interface IsBlacksRequest {
  readonly uid: bigint;
  readonly buids: readonly bigint[];
}

export interface FuidsAnswer {
  fuids: bigint[];
}
export interface BuidsAnswer {
  buids: bigint[];
}

type Pair = [pid: number, a: bigint, b: bigint];

/** One table of (pid, a, b) pairs: friendship stored both ways, or blacklists (owner a has b on it). */
class PairTable {
  readonly #insert: Statement<Pair>;
  readonly #delete: Statement<Pair>;
  readonly #has: Statement<Pair, number>;
  readonly #list: Statement<[pid: number, a: bigint], bigint>;

  constructor(db: Database, table: "friends" | "blacks", a: string, b: string) {
    this.#insert = db.prepare(`INSERT INTO ${table} (pid, ${a}, ${b}) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`);
    this.#delete = db.prepare(`DELETE FROM ${table} WHERE pid = ? AND ${a} = ? AND ${b} = ?`);
    this.#has = db.prepare<Pair, number>(`SELECT 1 FROM ${table} WHERE pid = ? AND ${a} = ? AND ${b} = ?`).pluck();
    this.#list = db.prepare<[number, bigint], bigint>(`SELECT ${b} FROM ${table} WHERE pid = ? AND ${a} = ? ORDER BY ${b}`).pluck().safeIntegers();
  }

  add(pid: number, a: bigint, b: bigint): void {
    this.#insert.run(pid, a, b);
  }

  delete(pid: number, a: bigint, b: bigint): void {
    this.#delete.run(pid, a, b);
  }

  has(pid: number, a: bigint, b: bigint): boolean {
    return this.#has.get(pid, a, b) !== undefined;
  }

  /** Every b of a, ascending. */
  list(pid: number, a: bigint): bigint[] {
    return this.#list.all(pid, a);
  }
}

/**
 * Friends and blacklists. Friendship is mutual (adding b to a's friends makes a one of b's); a
 * blacklist is one user's own: an owner who blacks X refuses X's messages and can still message X.
 * The two are independent: blacking a friend keeps the friendship.
 */
export class FriendsService {
  readonly #friends: PairTable;
  readonly #blacks: PairTable;
  readonly #addFriends: (pid: number, uid: bigint, friends: readonly bigint[]) => void;
  readonly #delFriends: (pid: number, uid: bigint, friends: readonly bigint[]) => void;
  readonly #addBlacks: (pid: number, uid: bigint, blacks: readonly bigint[]) => void;
  readonly #delBlacks: (pid: number, uid: bigint, blacks: readonly bigint[]) => void;
  /** Projects with any blacklist row: blocks() runs on every P2P send. */
  readonly #projectsWithBlacks: ProjectsWithRows;

  // The clock is unused (nothing here expires); the option keeps every service constructed alike.
  constructor(db: Database, _options: ServiceOptions = {}) {
    const friends = new PairTable(db, "friends", "uid", "friend");
    const blacks = new PairTable(db, "blacks", "owner", "black");
    this.#friends = friends;
    this.#blacks = blacks;
    this.#addFriends = db.transaction((pid: number, uid: bigint, others: readonly bigint[]) => {
      for (const other of others) {
        if (other === uid) continue;
        friends.add(pid, uid, other);
        friends.add(pid, other, uid);
      }
    });
    this.#delFriends = db.transaction((pid: number, uid: bigint, others: readonly bigint[]) => {
      for (const other of others) {
        friends.delete(pid, uid, other);
        friends.delete(pid, other, uid);
      }
    });
    const projectsWithBlacks = new ProjectsWithRows(db, "blacks");
    this.#projectsWithBlacks = projectsWithBlacks;
    this.#addBlacks = db.transaction((pid: number, uid: bigint, others: readonly bigint[]) => {
      projectsWithBlacks.added(pid);
      for (const other of others) if (other !== uid) blacks.add(pid, uid, other);
    });
    this.#delBlacks = db.transaction((pid: number, uid: bigint, others: readonly bigint[]) => {
      for (const other of others) blacks.delete(pid, uid, other);
      projectsWithBlacks.removed(pid);
    });
  }

  addfriends(pid: number, p: FriendsRequest): Empty {
    checkIdCount("friends", p.friends);
    this.#addFriends(pid, p.uid, p.friends);
    return {};
  }

  delfriends(pid: number, p: FriendsRequest): Empty {
    checkIdCount("friends", p.friends);
    this.#delFriends(pid, p.uid, p.friends);
    return {};
  }

  getfriends(pid: number, p: UidRequest): UidsAnswer {
    return { uids: this.#friends.list(pid, p.uid) };
  }

  isfriend(pid: number, p: IsFriendRequest): OkAnswer {
    return { ok: this.#friends.has(pid, p.uid, p.fuid) };
  }

  isfriends(pid: number, p: IsFriendsRequest): FuidsAnswer {
    return { fuids: ascendingIds(p.fuids).filter((fuid) => this.#friends.has(pid, p.uid, fuid)) };
  }

  addblacks(pid: number, p: BlacksRequest): Empty {
    checkIdCount("blacks", p.blacks);
    this.#addBlacks(pid, p.uid, p.blacks);
    return {};
  }

  delblacks(pid: number, p: BlacksRequest): Empty {
    checkIdCount("blacks", p.blacks);
    this.#delBlacks(pid, p.uid, p.blacks);
    return {};
  }

  /** Whether uid is blocked by buid: uid is on buid's blacklist. */
  isblack(pid: number, p: IsBlackRequest): OkAnswer {
    return { ok: this.blocks(pid, p.buid, p.uid) };
  }

  /** The buids that have uid on their blacklist. */
  isblacks(pid: number, p: IsBlacksRequest): BuidsAnswer {
    checkIdCount("buids", p.buids);
    return { buids: ascendingIds(p.buids).filter((buid) => this.blocks(pid, buid, p.uid)) };
  }

  /** uid's own blacklist. */
  getblacks(pid: number, p: UidRequest): UidsAnswer {
    return { uids: this.#blacks.list(pid, p.uid) };
  }

  /** The project's rows were replaced wholesale (admin reset or import): the blacklist check asks the table again. */
  rowsReplaced(pid: number): void {
    this.#projectsWithBlacks.refresh(pid);
  }

  /** Whether owner has other on its blacklist, i.e. refuses other's p2p messages. */
  blocks(pid: number, owner: bigint, other: bigint): boolean {
    return this.#projectsWithBlacks.has(pid) && this.#blacks.has(pid, owner, other);
  }
}
