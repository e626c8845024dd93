import type { Database } from "better-sqlite3";
import { RTCAdminCommand, RTCRoomType } from "@rtmkit/rtm-server-sdk";
import { Refusal, RtmErrorCode } from "../errors.js";
import type { Empty, ServiceOptions } from "./common.js";
import { RtcStore, type RtcInvitation, type RtcMemberFlag, type RtcMemberState, type RtcRoomRow } from "../storage/rtc-store.js";

export type { RtcInvitation, RtcMemberState };

/** adminCommand's `command`: the flag it sets or clears on each named member. */
const COMMAND_EFFECTS: Readonly<Record<RTCAdminCommand, readonly [RtcMemberFlag, boolean]>> = {
  [RTCAdminCommand.AppointAdministrator]: ["administrator", true],
  [RTCAdminCommand.DismissAdministrator]: ["administrator", false],
  [RTCAdminCommand.ForbidAudio]: ["audio_forbidden", true],
  [RTCAdminCommand.AllowAudio]: ["audio_forbidden", false],
  [RTCAdminCommand.ForbidVideo]: ["video_forbidden", true],
  [RTCAdminCommand.AllowVideo]: ["video_forbidden", false],
  [RTCAdminCommand.CloseMicrophone]: ["mic_closed", true],
  [RTCAdminCommand.CloseCamera]: ["camera_closed", true],
};

/** The microphone state a new RTC room gives its members until setRTCRoomMicStatus changes it. */
export const DEFAULT_MIC_STATUS = true;

export interface PullIntoRtcRoomRequest {
  readonly rid: bigint;
  readonly toUids: readonly bigint[];
  readonly type: number;
}
export interface InviteUserIntoRtcRoomRequest {
  readonly rid: bigint;
  readonly toUids: readonly bigint[];
  readonly fromUid: bigint;
}
export interface KickoutFromRtcRoomRequest {
  readonly uid: bigint;
  readonly rid: bigint;
  readonly fromUid: bigint;
}
export interface RtcRoomRequest {
  readonly rid: bigint;
}
export type RtcRoomListRequest = Record<string, never>;
export interface SetRtcRoomMicStatusRequest {
  readonly rid: bigint;
  readonly status: boolean;
}
export interface AdminCommandRequest {
  readonly rid: bigint;
  readonly uids: readonly bigint[];
  readonly command: number;
}

export interface RtcRoomListAnswer {
  rids: bigint[];
}
export interface RtcRoomMembersAnswer {
  uids: bigint[];
  administrators: bigint[];
  owner: bigint;
}
export interface RtcRoomMemberCountAnswer {
  count: number;
}

/** An RTC room as the console shows it. */
export interface RtcRoom extends RtcRoomRow {
  readonly rid: bigint;
}

/**
 * RTC rooms (separate from chat rooms: the same rid may name both), one method per FPNN method. A room
 * is created by the first pullIntoRTCRoom and lives until closeRTCRoom; every other call on a missing
 * room is refused. Every write is committed before it answers.
 */
export class RtcService {
  readonly #store: RtcStore;
  readonly #now: () => number;
  readonly #pull: (pid: number, p: PullIntoRtcRoomRequest) => void;
  readonly #close: (pid: number, rid: bigint) => void;
  readonly #invite: (pid: number, p: InviteUserIntoRtcRoomRequest) => void;
  readonly #command: (pid: number, p: AdminCommandRequest, flag: RtcMemberFlag, on: boolean) => void;

  constructor(db: Database, options: ServiceOptions = {}) {
    const store = new RtcStore(db);
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#pull = db.transaction((pid: number, p: PullIntoRtcRoomRequest) => {
      if (store.room(pid, p.rid) === undefined) store.createRoom(pid, p.rid, { type: p.type, owner: p.toUids[0]!, micStatus: DEFAULT_MIC_STATUS });
      for (const uid of p.toUids) {
        store.addMember(pid, p.rid, uid);
        store.deleteInvitation(pid, p.rid, uid);
      }
    });
    this.#close = db.transaction((pid: number, rid: bigint) => store.deleteRoom(pid, rid));
    this.#invite = db.transaction((pid: number, p: InviteUserIntoRtcRoomRequest) => {
      const at = this.#now();
      for (const uid of p.toUids) {
        if (store.member(pid, p.rid, uid) === undefined) store.invite(pid, p.rid, { uid, fromUid: p.fromUid, at });
      }
    });
    this.#command = db.transaction((pid: number, p: AdminCommandRequest, flag: RtcMemberFlag, on: boolean) => {
      for (const uid of p.uids) store.setFlag(pid, p.rid, uid, flag, on);
    });
  }

  /** Creates the room (owner: the first of toUids) when it does not exist, then makes the users members. */
  pullIntoRTCRoom(pid: number, p: PullIntoRtcRoomRequest): Empty {
    if (p.type !== RTCRoomType.Voice && p.type !== RTCRoomType.Video) {
      throw new Refusal(RtmErrorCode.InvalidParameter, `type must be ${RTCRoomType.Voice} (voice) or ${RTCRoomType.Video} (video), got ${p.type}`);
    }
    checkToUids(p.toUids);
    this.#pull(pid, p);
    return {};
  }

  /** Records an invitation for each of toUids that is not a member; it is not membership. */
  inviteUserIntoRTCRoom(pid: number, p: InviteUserIntoRtcRoomRequest): Empty {
    this.#room(pid, p.rid);
    checkToUids(p.toUids);
    this.#requireMember(pid, p.rid, p.fromUid, "fromUid");
    this.#invite(pid, p);
    return {};
  }

  /** fromUid must be the owner or an administrator; the owner cannot be removed. */
  kickoutFromRTCRoom(pid: number, p: KickoutFromRtcRoomRequest): Empty {
    const room = this.#room(pid, p.rid);
    const kicker = this.#store.member(pid, p.rid, p.fromUid);
    if (p.fromUid !== room.owner && kicker?.administrator !== true) {
      throw new Refusal(RtmErrorCode.PermissionDenied, `fromUid ${p.fromUid} is neither the owner nor an administrator of RTC room ${p.rid}`);
    }
    if (p.uid === room.owner) throw new Refusal(RtmErrorCode.PermissionDenied, `uid ${p.uid} is the owner of RTC room ${p.rid} and cannot be kicked out`);
    this.#requireMember(pid, p.rid, p.uid, "uid");
    this.#store.removeMember(pid, p.rid, p.uid);
    return {};
  }

  closeRTCRoom(pid: number, p: RtcRoomRequest): Empty {
    this.#room(pid, p.rid);
    this.#close(pid, p.rid);
    return {};
  }

  getRTCRoomList(pid: number, _p: RtcRoomListRequest = {}): RtcRoomListAnswer {
    return { rids: this.#store.roomIds(pid) };
  }

  getRTCRoomMembers(pid: number, p: RtcRoomRequest): RtcRoomMembersAnswer {
    const room = this.#room(pid, p.rid);
    return { uids: this.#store.members(pid, p.rid), administrators: this.#store.administrators(pid, p.rid), owner: room.owner };
  }

  getRTCRoomMemberCount(pid: number, p: RtcRoomRequest): RtcRoomMemberCountAnswer {
    this.#room(pid, p.rid);
    return { count: this.#store.memberCount(pid, p.rid) };
  }

  setRTCRoomMicStatus(pid: number, p: SetRtcRoomMicStatusRequest): Empty {
    this.#room(pid, p.rid);
    this.#store.setMicStatus(pid, p.rid, p.status);
    return {};
  }

  /** Sets or clears one flag on every named member; refused as a whole if any of them is not a member. */
  adminCommand(pid: number, p: AdminCommandRequest): Empty {
    const effect = Object.hasOwn(COMMAND_EFFECTS, p.command) ? COMMAND_EFFECTS[p.command as RTCAdminCommand] : undefined;
    if (effect === undefined) {
      throw new Refusal(RtmErrorCode.InvalidParameter, `command must be one of ${Object.keys(COMMAND_EFFECTS).join(", ")}, got ${p.command}`);
    }
    this.#room(pid, p.rid);
    for (const uid of p.uids) this.#requireMember(pid, p.rid, uid, "uid");
    this.#command(pid, p, ...effect);
    return {};
  }

  /** The room with its type, owner and default microphone state; undefined when there is none. */
  roomOf(pid: number, rid: bigint): RtcRoom | undefined {
    const room = this.#store.room(pid, rid);
    return room && { rid, ...room };
  }

  /** A member's flags; undefined when uid is not a member of the room. */
  memberOf(pid: number, rid: bigint, uid: bigint): RtcMemberState | undefined {
    return this.#store.member(pid, rid, uid);
  }

  /** The pending invitations of the room, ascending by uid ([] for a missing room). */
  invitationsOf(pid: number, rid: bigint): RtcInvitation[] {
    return this.#store.invitations(pid, rid);
  }

  #room(pid: number, rid: bigint): RtcRoomRow {
    const room = this.#store.room(pid, rid);
    if (room === undefined) throw new Refusal(RtmErrorCode.InvalidParameter, `rid ${rid} is not an RTC room`);
    return room;
  }

  #requireMember(pid: number, rid: bigint, uid: bigint, key: string): void {
    if (this.#store.member(pid, rid, uid) === undefined) throw new Refusal(RtmErrorCode.NotInRoom, `${key} ${uid} is not a member of RTC room ${rid}`);
  }
}

function checkToUids(toUids: readonly bigint[]): void {
  if (toUids.length === 0) throw new Refusal(RtmErrorCode.EmptyParameter, "toUids must name at least one user");
}
