import type { Database } from "better-sqlite3";
import { BanStore } from "../storage/ban-store.js";
import { InfoStore, type TargetInfo } from "../storage/info-store.js";
import { MemberStore } from "../storage/member-store.js";
import type { Empty, OkAnswer, ServiceOptions } from "./common.js";

/** rid absent or 0: the ban holds in every room. */
export interface AddRoomBanRequest {
  readonly rid?: bigint | undefined;
  readonly uid: bigint;
  readonly btime: number;
}
/** rid absent or 0: removes the every-room ban only. */
export interface RemoveRoomBanRequest {
  readonly rid?: bigint | undefined;
  readonly uid: bigint;
}
export interface RoomMemberRequest {
  readonly rid: bigint;
  readonly uid: bigint;
}
export interface RoomRequest {
  readonly rid: bigint;
}
export interface RoomCountRequest {
  readonly rids: readonly bigint[];
}
export interface SetRoomInfoRequest {
  readonly rid: bigint;
  readonly oinfo?: string | undefined;
  readonly pinfo?: string | undefined;
}

export interface RoomMembersAnswer {
  uids: bigint[];
}
/** Member count per requested room, keyed by the decimal rid. */
export interface RoomCountAnswer {
  cn: Record<string, number>;
}
export type RoomInfoAnswer = TargetInfo;

/**
 * Chat rooms: members, timed bans and oinfo/pinfo, one method per FPNN method. A room exists while it
 * has members. Every write is committed before it answers.
 */
export class RoomsService {
  readonly #members: MemberStore;
  readonly #bans: BanStore;
  readonly #info: InfoStore;

  constructor(db: Database, options: ServiceOptions = {}) {
    this.#members = new MemberStore(db, { table: "room_members", key: "rid" });
    this.#bans = new BanStore(db, { table: "room_bans", key: "rid" }, options.now ?? Date.now);
    this.#info = new InfoStore(db, { table: "room_info", key: "rid" });
  }

  addroomban(pid: number, p: AddRoomBanRequest): Empty {
    this.#bans.ban(pid, p.rid, p.uid, p.btime);
    return {};
  }

  removeroomban(pid: number, p: RemoveRoomBanRequest): Empty {
    this.#bans.unban(pid, p.rid, p.uid);
    return {};
  }

  isbanofroom(pid: number, p: RoomMemberRequest): OkAnswer {
    return { ok: this.isBanned(pid, p.rid, p.uid) };
  }

  addroommember(pid: number, p: RoomMemberRequest): Empty {
    this.#members.add(pid, p.rid, [p.uid]);
    return {};
  }

  delroommember(pid: number, p: RoomMemberRequest): Empty {
    this.#members.remove(pid, p.rid, [p.uid]);
    return {};
  }

  getroommembers(pid: number, p: RoomRequest): RoomMembersAnswer {
    return { uids: this.#members.members(pid, p.rid) };
  }

  /** One entry per distinct requested rid; 0 for a room without members. */
  getroomcount(pid: number, p: RoomCountRequest): RoomCountAnswer {
    const cn: Record<string, number> = {};
    for (const rid of p.rids) cn[rid.toString()] = this.#members.count(pid, rid);
    return { cn };
  }

  setroominfo(pid: number, p: SetRoomInfoRequest): Empty {
    this.#info.set(pid, p.rid, p);
    return {};
  }

  getroominfo(pid: number, p: RoomRequest): RoomInfoAnswer {
    return this.#info.get(pid, p.rid);
  }

  /** The project's rows were replaced wholesale (admin reset or import): the ban check asks the table again. */
  rowsReplaced(pid: number): void {
    this.#bans.rowsReplaced(pid);
  }

  /** Whether uid may not send to room rid now: a live ban in rid or in every room. */
  isBanned(pid: number, rid: bigint, uid: bigint): boolean {
    return this.#bans.isBanned(pid, rid, uid);
  }
}
