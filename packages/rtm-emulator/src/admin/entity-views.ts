import type { Database, Statement } from "better-sqlite3";
import type { UsersService } from "../services/users.js";
import type { MessageStore } from "../storage/message-store.js";
import { MessageCategory } from "../storage/types.js";
import type { GroupState, RoomState, UserState } from "./types.js";

type Id = bigint;
type Info = { public: string; private: string };

/** Every uid a project's tables mention (the messages' senders and p2p recipients included). */
const USER_IDS = `
  SELECT from_uid FROM messages WHERE pid = @pid
  UNION SELECT target FROM messages WHERE pid = @pid AND category = ${MessageCategory.P2PMessage}
  UNION SELECT uid FROM friends WHERE pid = @pid UNION SELECT friend FROM friends WHERE pid = @pid
  UNION SELECT owner FROM blacks WHERE pid = @pid UNION SELECT black FROM blacks WHERE pid = @pid
  UNION SELECT uid FROM project_blacks WHERE pid = @pid UNION SELECT uid FROM user_info WHERE pid = @pid
  UNION SELECT uid FROM user_tokens WHERE pid = @pid UNION SELECT uid FROM user_data WHERE pid = @pid
  UNION SELECT uid FROM devices WHERE pid = @pid UNION SELECT uid FROM push_options WHERE pid = @pid
  UNION SELECT uid FROM group_members WHERE pid = @pid UNION SELECT uid FROM group_bans WHERE pid = @pid
  UNION SELECT uid FROM room_members WHERE pid = @pid UNION SELECT uid FROM room_bans WHERE pid = @pid
  UNION SELECT owner FROM rtc_rooms WHERE pid = @pid UNION SELECT uid FROM rtc_members WHERE pid = @pid
  UNION SELECT uid FROM rtc_invitations WHERE pid = @pid UNION SELECT from_uid FROM rtc_invitations WHERE pid = @pid`;

/** The statements of the group (or room) tables. */
interface TargetStatements {
  readonly members: Statement<[pid: number], [target: Id, uid: Id]>;
  readonly bans: Statement<[pid: number, now: number], [target: Id, uid: Id, until: Id]>;
  readonly info: Statement<[pid: number], [target: Id, oinfo: string, pinfo: string]>;
}

/**
 * Users, groups and rooms of a project, each read with one statement per table over the project's rows (every
 * table leads its key with pid, except messages: the user list scans the project's messages). Reads only. Bans
 * and project blacks are shown while they hold (an ended one's row stays until overwritten, but holds nothing).
 */
export class EntityViews {
  readonly #db: Database;
  readonly #store: MessageStore;
  readonly #users: UsersService;
  readonly #now: () => number;
  readonly #userIds: Statement<{ pid: number }, Id>;
  readonly #userInfo: Statement<[pid: number], [uid: Id, oinfo: string, pinfo: string]>;
  readonly #userData: Statement<[pid: number], [uid: Id, key: string, val: string]>;
  readonly #friends: Statement<[pid: number], [uid: Id, friend: Id]>;
  readonly #blacks: Statement<[pid: number], [owner: Id, black: Id]>;
  readonly #tokens: Statement<[pid: number], Id>;
  readonly #devices: Statement<[pid: number], [uid: Id, apptype: string, devicetoken: string]>;
  readonly #projectBlacks: Statement<[pid: number, now: number], [uid: Id, until: Id]>;
  readonly #groups: TargetStatements;
  readonly #rooms: TargetStatements;

  constructor(db: Database, store: MessageStore, users: UsersService, now: () => number) {
    this.#db = db;
    this.#store = store;
    this.#users = users;
    this.#now = now;
    this.#userIds = db.prepare<{ pid: number }, Id>(USER_IDS).pluck().safeIntegers();
    this.#userInfo = this.#rows("SELECT uid, oinfo, pinfo FROM user_info WHERE pid = ?");
    this.#userData = this.#rows("SELECT uid, key, val FROM user_data WHERE pid = ? ORDER BY uid, key");
    this.#friends = this.#rows("SELECT uid, friend FROM friends WHERE pid = ? ORDER BY uid, friend");
    this.#blacks = this.#rows("SELECT owner, black FROM blacks WHERE pid = ? ORDER BY owner, black");
    this.#tokens = db.prepare<[number], Id>("SELECT uid FROM user_tokens WHERE pid = ?").pluck().safeIntegers();
    this.#devices = this.#rows("SELECT uid, apptype, devicetoken FROM devices WHERE pid = ? ORDER BY devicetoken");
    this.#projectBlacks = this.#rows("SELECT uid, until FROM project_blacks WHERE pid = ? AND until > ?");
    this.#groups = this.#targetStatements("group_members", "group_bans", "group_info", "gid");
    this.#rooms = this.#targetStatements("room_members", "room_bans", "room_info", "rid");
  }

  /** Every uid the project's tables or presence mention, ascending. */
  users(pid: number): UserState[] {
    const users = new Map<Id, UserState>();
    const user = (uid: Id): UserState => {
      let state = users.get(uid);
      if (state === undefined) {
        state = { uid: uid.toString(), online: false, info: null, data: {}, friends: [], blacks: [], token: false, devices: [], projectBlackUntil: null };
        users.set(uid, state);
      }
      return state;
    };
    for (const uid of this.#userIds.all({ pid })) user(uid);
    for (const uid of this.#users.onlineUsers(pid)) user(uid).online = true;
    for (const [uid, oinfo, pinfo] of this.#userInfo.all(pid)) user(uid).info = { public: oinfo, private: pinfo };
    for (const [uid, key, val] of this.#userData.all(pid)) user(uid).data[key] = val;
    for (const [uid, friend] of this.#friends.all(pid)) user(uid).friends.push(friend.toString());
    for (const [owner, black] of this.#blacks.all(pid)) user(owner).blacks.push(black.toString());
    for (const uid of this.#tokens.all(pid)) user(uid).token = true;
    for (const [uid, appType, deviceToken] of this.#devices.all(pid)) user(uid).devices.push({ appType, deviceToken });
    for (const [uid, until] of this.#projectBlacks.all(pid, this.#now())) user(uid).projectBlackUntil = until.toString();
    return [...users.keys()].sort(ascending).map((uid) => users.get(uid)!);
  }

  /** Groups with members, bans that hold, info or messages, ascending; gid "0" holds the bans that hold in every group. */
  groups(pid: number): GroupState[] {
    return this.#targets(pid, this.#groups, MessageCategory.GroupMessage).map(([gid, state]) => ({ gid, ...state }));
  }

  /** Rooms as groups() reads groups; rid "0" holds the bans that hold in every room. */
  rooms(pid: number): RoomState[] {
    return this.#targets(pid, this.#rooms, MessageCategory.RoomMessage).map(([rid, state]) => ({ rid, ...state }));
  }

  #targets(pid: number, statements: TargetStatements, category: MessageCategory): [string, Omit<GroupState, "gid">][] {
    const targets = new Map<Id, Omit<GroupState, "gid">>();
    const target = (id: Id): Omit<GroupState, "gid"> => {
      let state = targets.get(id);
      if (state === undefined) targets.set(id, (state = { members: [], bans: [], info: null }));
      return state;
    };
    for (const [id, uid] of statements.members.all(pid)) target(id).members.push(uid.toString());
    for (const [id, uid, until] of statements.bans.all(pid, this.#now())) target(id).bans.push({ uid: uid.toString(), until: until.toString() });
    for (const [id, oinfo, pinfo] of statements.info.all(pid)) target(id).info = infoOf(oinfo, pinfo);
    for (const { lo, conversation, deleted } of this.#store.conversations(pid, category)) if (conversation.length > deleted) target(lo);
    return [...targets.keys()].sort(ascending).map((id) => [id.toString(), targets.get(id)!]);
  }

  #targetStatements(members: string, bans: string, info: string, key: "gid" | "rid"): TargetStatements {
    return {
      members: this.#rows(`SELECT ${key}, uid FROM ${members} WHERE pid = ? ORDER BY ${key}, uid`),
      bans: this.#rows(`SELECT ${key}, uid, until FROM ${bans} WHERE pid = ? AND until > ? ORDER BY ${key}, uid`),
      info: this.#rows(`SELECT ${key}, oinfo, pinfo FROM ${info} WHERE pid = ?`),
    };
  }

  /** A statement answering rows as arrays, integers as bigints. */
  #rows<P extends unknown[], R extends unknown[]>(sql: string): Statement<P, R> {
    return this.#db.prepare<P, R>(sql).raw().safeIntegers();
  }
}

function infoOf(oinfo: string, pinfo: string): Info {
  return { public: oinfo, private: pinfo };
}

function ascending(a: Id, b: Id): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
