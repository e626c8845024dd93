import { randomBytes } from "node:crypto";
import type { Database, Statement } from "better-sqlite3";
import { Refusal, RtmErrorCode } from "../errors.js";
import { ascendingIds, checkIdCount, MAX_ONLINE_QUERY_IDS, type Empty, type OkAnswer, type ServiceOptions, type UidRequest, type UidsAnswer } from "./common.js";

export interface UidsRequest {
  readonly uids: readonly bigint[];
}
export interface AddProjectBlackRequest {
  readonly uid: bigint;
  /** Seconds. */
  readonly btime: number;
}
export interface SetUserInfoRequest {
  readonly uid: bigint;
  readonly oinfo?: string | undefined;
  readonly pinfo?: string | undefined;
}
export interface KickoutRequest {
  readonly uid: bigint;
  readonly ce?: string | undefined;
}

export interface UserInfoAnswer {
  oinfo: string;
  pinfo: string;
}
export interface OpenInfoAnswer {
  info: Record<string, string>;
}
export interface TokenAnswer {
  token: string;
}

type UserKey = [pid: number, uid: bigint];
interface InfoRow {
  oinfo: string;
  pinfo: string;
}
interface InfoUpdate {
  pid: number;
  uid: bigint;
  oinfo: string | null;
  pinfo: string | null;
}

/** Told of every change of a user's presence, after it happened. */
export type PresenceListener = (pid: number, uid: bigint, online: boolean) => void;

export interface UsersServiceOptions extends ServiceOptions {
  readonly onPresenceChange?: PresenceListener | undefined;
}

/**
 * Users of a project: their info, the project blacklist, login tokens and online presence.
 * There is no client gateway, so presence is an in-memory set (lost on restart) that tests and
 * tools set with setOnline; kickout and addprojectblack take a user offline.
 */
export class UsersService {
  readonly #now: () => number;
  readonly #online = new Map<number, Set<bigint>>();
  readonly #onPresenceChange: PresenceListener | undefined;

  readonly #upsertProjectBlack: Statement<[pid: number, uid: bigint, until: number]>;
  readonly #deleteProjectBlack: Statement<UserKey>;
  readonly #projectBlackUntil: Statement<UserKey, number>;
  readonly #upsertInfo: Statement<[InfoUpdate]>;
  readonly #selectInfo: Statement<UserKey, InfoRow>;
  readonly #selectOpenInfo: Statement<UserKey, string>;
  readonly #selectToken: Statement<UserKey, string>;
  readonly #insertToken: Statement<[pid: number, uid: bigint, token: string]>;
  readonly #deleteToken: Statement<UserKey>;

  constructor(db: Database, options: UsersServiceOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#onPresenceChange = options.onPresenceChange;
    this.#upsertProjectBlack = db.prepare(
      "INSERT INTO project_blacks (pid, uid, until) VALUES (?, ?, ?) ON CONFLICT (pid, uid) DO UPDATE SET until = excluded.until",
    );
    this.#deleteProjectBlack = db.prepare("DELETE FROM project_blacks WHERE pid = ? AND uid = ?");
    this.#projectBlackUntil = db.prepare<UserKey, number>("SELECT until FROM project_blacks WHERE pid = ? AND uid = ?").pluck();
    // An absent field (null) keeps what is stored; a new row starts from "".
    this.#upsertInfo = db.prepare(`
      INSERT INTO user_info (pid, uid, oinfo, pinfo) VALUES (@pid, @uid, coalesce(@oinfo, ''), coalesce(@pinfo, ''))
      ON CONFLICT (pid, uid) DO UPDATE SET oinfo = coalesce(@oinfo, oinfo), pinfo = coalesce(@pinfo, pinfo)`);
    this.#selectInfo = db.prepare<UserKey, InfoRow>("SELECT oinfo, pinfo FROM user_info WHERE pid = ? AND uid = ?");
    this.#selectOpenInfo = db.prepare<UserKey, string>("SELECT oinfo FROM user_info WHERE pid = ? AND uid = ?").pluck();
    this.#selectToken = db.prepare<UserKey, string>("SELECT token FROM user_tokens WHERE pid = ? AND uid = ?").pluck();
    this.#insertToken = db.prepare("INSERT INTO user_tokens (pid, uid, token) VALUES (?, ?, ?)");
    this.#deleteToken = db.prepare("DELETE FROM user_tokens WHERE pid = ? AND uid = ?");
  }

  /**
   * Marks a user online or offline (the emulator's stand-in for a client logging in or out). Answers whether
   * that changed the user's presence; only a change is told to the presence listener.
   */
  setOnline(pid: number, uid: bigint, online: boolean): boolean {
    let users = this.#online.get(pid);
    let changed = false;
    if (online) {
      if (users === undefined) this.#online.set(pid, (users = new Set()));
      changed = !users.has(uid);
      users.add(uid);
    } else if (users !== undefined) {
      changed = users.delete(uid);
      if (users.size === 0) this.#online.delete(pid);
    }
    if (changed) this.#onPresenceChange?.(pid, uid, online);
    return changed;
  }

  /** Every user of the project online now, ascending. */
  onlineUsers(pid: number): bigint[] {
    return ascendingIds(this.#online.get(pid) ?? []);
  }

  getonlineusers(pid: number, p: UidsRequest): UidsAnswer {
    checkIdCount("uids", p.uids, MAX_ONLINE_QUERY_IDS);
    const users = this.#online.get(pid);
    return { uids: users === undefined ? [] : ascendingIds(p.uids).filter((uid) => users.has(uid)) };
  }

  /** Until now + btime; a repeat replaces the end, shorter or longer. The user is taken offline. */
  addprojectblack(pid: number, p: AddProjectBlackRequest): Empty {
    if (p.btime <= 0) throw new Refusal(RtmErrorCode.InvalidParameter, `btime must be a positive number of seconds, got ${p.btime}`);
    this.#upsertProjectBlack.run(pid, p.uid, this.#now() + p.btime * 1000);
    this.setOnline(pid, p.uid, false);
    return {};
  }

  removeprojectblack(pid: number, p: UidRequest): Empty {
    this.#deleteProjectBlack.run(pid, p.uid);
    return {};
  }

  isprojectblack(pid: number, p: UidRequest): OkAnswer {
    const until = this.#projectBlackUntil.get(pid, p.uid);
    return { ok: until !== undefined && until > this.#now() };
  }

  setuserinfo(pid: number, p: SetUserInfoRequest): Empty {
    this.#upsertInfo.run({ pid, uid: p.uid, oinfo: p.oinfo ?? null, pinfo: p.pinfo ?? null });
    return {};
  }

  getuserinfo(pid: number, p: UidRequest): UserInfoAnswer {
    const row = this.#selectInfo.get(pid, p.uid);
    return { oinfo: row?.oinfo ?? "", pinfo: row?.pinfo ?? "" };
  }

  /** Every requested uid, with "" for a user whose oinfo was never set. */
  getuseropeninfo(pid: number, p: UidsRequest): OpenInfoAnswer {
    checkIdCount("uids", p.uids);
    const info: Record<string, string> = {};
    for (const uid of ascendingIds(p.uids)) info[uid.toString()] = this.#selectOpenInfo.get(pid, uid) ?? "";
    return { info };
  }

  /** The user's current token, made on the first call and kept until removetoken. */
  gettoken(pid: number, p: UidRequest): TokenAnswer {
    let token = this.#selectToken.get(pid, p.uid);
    if (token === undefined) {
      token = randomBytes(16).toString("hex");
      this.#insertToken.run(pid, p.uid, token);
    }
    return { token };
  }

  removetoken(pid: number, p: UidRequest): Empty {
    this.#deleteToken.run(pid, p.uid);
    return {};
  }

  /** Takes the user offline; `ce` (one connection's endpoint) has nothing to select without a client gateway. */
  kickout(pid: number, p: KickoutRequest): Empty {
    this.setOnline(pid, p.uid, false);
    return {};
  }
}
