import type { Database, Statement } from "better-sqlite3";
import { Refusal, RtmErrorCode } from "../errors.js";
import { checkIdCount, type Empty, type OkAnswer, type ServiceOptions } from "./common.js";
import { BanStore } from "../storage/ban-store.js";
import { InfoStore, type TargetInfo } from "../storage/info-store.js";
import { MemberStore } from "../storage/member-store.js";

export interface GroupMembersRequest {
  readonly gid: bigint;
  readonly uids: readonly bigint[];
}
export interface GroupRequest {
  readonly gid: bigint;
}
export interface GroupMemberRequest {
  readonly gid: bigint;
  readonly uid: bigint;
}
export interface UserGroupsRequest {
  readonly uid: bigint;
}
/** gid absent or 0: the ban holds in every group. */
export interface AddGroupBanRequest {
  readonly gid?: bigint | undefined;
  readonly uid: bigint;
  readonly btime: number;
}
/** gid absent or 0: removes the every-group ban only. */
export interface RemoveGroupBanRequest {
  readonly gid?: bigint | undefined;
  readonly uid: bigint;
}
export interface SetGroupInfoRequest {
  readonly gid: bigint;
  readonly oinfo?: string | undefined;
  readonly pinfo?: string | undefined;
}

export interface GroupMembersAnswer {
  uids: bigint[];
}
export interface UserGroupsAnswer {
  gids: bigint[];
}
export type GroupInfoAnswer = TargetInfo;

/**
 * Groups: members, timed bans and oinfo/pinfo, one method per FPNN method. A group exists while it
 * has members; nothing refers to a group that must exist. Every write is committed before it answers.
 */
export class GroupsService {
  readonly #members: MemberStore;
  readonly #bans: BanStore;
  readonly #info: InfoStore;
  readonly #groupsOfUser: Statement;
  readonly #deleteGroup: (pid: number, gid: bigint) => void;

  constructor(db: Database, options: ServiceOptions = {}) {
    this.#members = new MemberStore(db, { table: "group_members", key: "gid" });
    this.#bans = new BanStore(db, { table: "group_bans", key: "gid" }, options.now ?? Date.now);
    this.#info = new InfoStore(db, { table: "group_info", key: "gid" });
    this.#groupsOfUser = db.prepare("SELECT gid FROM group_members WHERE pid = ? AND uid = ? ORDER BY gid").pluck().safeIntegers();
    this.#deleteGroup = db.transaction((pid: number, gid: bigint) => {
      this.#members.clear(pid, gid);
      this.#info.clear(pid, gid);
      this.#bans.removeTarget(pid, gid);
    });
  }

  addgroupmembers(pid: number, p: GroupMembersRequest): Empty {
    checkMemberCount(p.uids);
    this.#members.add(pid, p.gid, p.uids);
    return {};
  }

  delgroupmembers(pid: number, p: GroupMembersRequest): Empty {
    checkMemberCount(p.uids);
    this.#members.remove(pid, p.gid, p.uids);
    return {};
  }

  /** Removes the group's members, info and bans; the every-group bans stay. */
  delgroup(pid: number, p: GroupRequest): Empty {
    this.#deleteGroup(pid, p.gid);
    return {};
  }

  getgroupmembers(pid: number, p: GroupRequest): GroupMembersAnswer {
    return { uids: this.#members.members(pid, p.gid) };
  }

  isgroupmember(pid: number, p: GroupMemberRequest): OkAnswer {
    return { ok: this.#members.has(pid, p.gid, p.uid) };
  }

  getusergroups(pid: number, p: UserGroupsRequest): UserGroupsAnswer {
    return { gids: this.#groupsOfUser.all(pid, p.uid) as bigint[] };
  }

  addgroupban(pid: number, p: AddGroupBanRequest): Empty {
    this.#bans.ban(pid, p.gid, p.uid, p.btime);
    return {};
  }

  removegroupban(pid: number, p: RemoveGroupBanRequest): Empty {
    this.#bans.unban(pid, p.gid, p.uid);
    return {};
  }

  isbanofgroup(pid: number, p: GroupMemberRequest): OkAnswer {
    return { ok: this.isBanned(pid, p.gid, p.uid) };
  }

  setgroupinfo(pid: number, p: SetGroupInfoRequest): Empty {
    this.#info.set(pid, p.gid, p);
    return {};
  }

  getgroupinfo(pid: number, p: GroupRequest): GroupInfoAnswer {
    return this.#info.get(pid, p.gid);
  }

  /** The project's rows were replaced wholesale (admin reset or import): the ban check asks the table again. */
  rowsReplaced(pid: number): void {
    this.#bans.rowsReplaced(pid);
  }

  /** Whether uid may not send to group gid now: a live ban in gid or in every group. */
  isBanned(pid: number, gid: bigint, uid: bigint): boolean {
    return this.#bans.isBanned(pid, gid, uid);
  }
}

function checkMemberCount(uids: readonly bigint[]): void {
  checkIdCount("uids", uids);
}
