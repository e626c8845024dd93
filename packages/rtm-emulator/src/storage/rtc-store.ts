import type { Database, Statement } from "better-sqlite3";

/** The per-member flags of an RTC room, as columns of rtc_members. */
export type RtcMemberFlag = "administrator" | "audio_forbidden" | "video_forbidden" | "mic_closed" | "camera_closed";

export interface RtcRoomRow {
  /** 1 voice, 2 video. */
  readonly type: number;
  readonly owner: bigint;
  /** The microphone state a member starts with. */
  readonly micStatus: boolean;
}

export interface RtcMemberState {
  readonly administrator: boolean;
  readonly audioForbidden: boolean;
  readonly videoForbidden: boolean;
  readonly micClosed: boolean;
  readonly cameraClosed: boolean;
}

export interface RtcInvitation {
  readonly uid: bigint;
  readonly fromUid: bigint;
  /** When it was made, ms. */
  readonly at: number;
}

type RawRoom = { type: bigint; owner: bigint; mic_status: bigint };
type RawMember = Record<RtcMemberFlag, bigint>;
type RawInvitation = { uid: bigint; from_uid: bigint; at: bigint };

const FLAGS: readonly RtcMemberFlag[] = ["administrator", "audio_forbidden", "video_forbidden", "mic_closed", "camera_closed"];

/**
 * RTC rooms, their members with per-member flags, and pending invitations; every statement keyed by
 * (project, room). Single statements; callers group them into transactions.
 */
export class RtcStore {
  readonly #room: Statement;
  readonly #insertRoom: Statement;
  readonly #deleteRoom: Statement;
  readonly #roomIds: Statement;
  readonly #setMicStatus: Statement;
  readonly #member: Statement;
  readonly #insertMember: Statement;
  readonly #deleteMember: Statement;
  readonly #deleteMembers: Statement;
  readonly #members: Statement;
  readonly #administrators: Statement;
  readonly #memberCount: Statement;
  readonly #setFlag: ReadonlyMap<RtcMemberFlag, Statement>;
  readonly #invite: Statement;
  readonly #deleteInvitation: Statement;
  readonly #deleteInvitations: Statement;
  readonly #invitations: Statement;

  constructor(db: Database) {
    this.#room = db.prepare("SELECT type, owner, mic_status FROM rtc_rooms WHERE pid = ? AND rid = ?").safeIntegers();
    this.#insertRoom = db.prepare("INSERT INTO rtc_rooms (pid, rid, type, owner, mic_status) VALUES (?, ?, ?, ?, ?)");
    this.#deleteRoom = db.prepare("DELETE FROM rtc_rooms WHERE pid = ? AND rid = ?");
    this.#roomIds = db.prepare("SELECT rid FROM rtc_rooms WHERE pid = ? ORDER BY rid").pluck().safeIntegers();
    this.#setMicStatus = db.prepare("UPDATE rtc_rooms SET mic_status = ? WHERE pid = ? AND rid = ?");
    this.#member = db.prepare(`SELECT ${FLAGS.join(", ")} FROM rtc_members WHERE pid = ? AND rid = ? AND uid = ?`).safeIntegers();
    this.#insertMember = db.prepare("INSERT INTO rtc_members (pid, rid, uid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    this.#deleteMember = db.prepare("DELETE FROM rtc_members WHERE pid = ? AND rid = ? AND uid = ?");
    this.#deleteMembers = db.prepare("DELETE FROM rtc_members WHERE pid = ? AND rid = ?");
    this.#members = db.prepare("SELECT uid FROM rtc_members WHERE pid = ? AND rid = ? ORDER BY uid").pluck().safeIntegers();
    this.#administrators = db.prepare("SELECT uid FROM rtc_members WHERE pid = ? AND rid = ? AND administrator = 1 ORDER BY uid").pluck().safeIntegers();
    this.#memberCount = db.prepare("SELECT count(*) FROM rtc_members WHERE pid = ? AND rid = ?").pluck();
    this.#setFlag = new Map(FLAGS.map((flag) => [flag, db.prepare(`UPDATE rtc_members SET ${flag} = ? WHERE pid = ? AND rid = ? AND uid = ?`)]));
    this.#invite = db.prepare(`
      INSERT INTO rtc_invitations (pid, rid, uid, from_uid, at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET from_uid = excluded.from_uid, at = excluded.at`);
    this.#deleteInvitation = db.prepare("DELETE FROM rtc_invitations WHERE pid = ? AND rid = ? AND uid = ?");
    this.#deleteInvitations = db.prepare("DELETE FROM rtc_invitations WHERE pid = ? AND rid = ?");
    this.#invitations = db.prepare("SELECT uid, from_uid, at FROM rtc_invitations WHERE pid = ? AND rid = ? ORDER BY uid").safeIntegers();
  }

  room(pid: number, rid: bigint): RtcRoomRow | undefined {
    const row = this.#room.get(pid, rid) as RawRoom | undefined;
    return row && { type: Number(row.type), owner: row.owner, micStatus: row.mic_status === 1n };
  }

  createRoom(pid: number, rid: bigint, room: RtcRoomRow): void {
    this.#insertRoom.run(pid, rid, room.type, room.owner, room.micStatus ? 1 : 0);
  }

  /** Deletes the room with its members and invitations. */
  deleteRoom(pid: number, rid: bigint): void {
    this.#deleteInvitations.run(pid, rid);
    this.#deleteMembers.run(pid, rid);
    this.#deleteRoom.run(pid, rid);
  }

  roomIds(pid: number): bigint[] {
    return this.#roomIds.all(pid) as bigint[];
  }

  setMicStatus(pid: number, rid: bigint, status: boolean): void {
    this.#setMicStatus.run(status ? 1 : 0, pid, rid);
  }

  member(pid: number, rid: bigint, uid: bigint): RtcMemberState | undefined {
    const row = this.#member.get(pid, rid, uid) as RawMember | undefined;
    return (
      row && {
        administrator: row.administrator === 1n,
        audioForbidden: row.audio_forbidden === 1n,
        videoForbidden: row.video_forbidden === 1n,
        micClosed: row.mic_closed === 1n,
        cameraClosed: row.camera_closed === 1n,
      }
    );
  }

  /** Adds uid with every flag clear, unless it is a member already (its flags stay). */
  addMember(pid: number, rid: bigint, uid: bigint): void {
    this.#insertMember.run(pid, rid, uid);
  }

  removeMember(pid: number, rid: bigint, uid: bigint): void {
    this.#deleteMember.run(pid, rid, uid);
  }

  members(pid: number, rid: bigint): bigint[] {
    return this.#members.all(pid, rid) as bigint[];
  }

  administrators(pid: number, rid: bigint): bigint[] {
    return this.#administrators.all(pid, rid) as bigint[];
  }

  memberCount(pid: number, rid: bigint): number {
    return this.#memberCount.get(pid, rid) as number;
  }

  setFlag(pid: number, rid: bigint, uid: bigint, flag: RtcMemberFlag, on: boolean): void {
    this.#setFlag.get(flag)!.run(on ? 1 : 0, pid, rid, uid);
  }

  /** Records (or renews, with the new inviter and time) the invitation of uid. */
  invite(pid: number, rid: bigint, invitation: RtcInvitation): void {
    this.#invite.run(pid, rid, invitation.uid, invitation.fromUid, invitation.at);
  }

  deleteInvitation(pid: number, rid: bigint, uid: bigint): void {
    this.#deleteInvitation.run(pid, rid, uid);
  }

  invitations(pid: number, rid: bigint): RtcInvitation[] {
    return (this.#invitations.all(pid, rid) as RawInvitation[]).map((row) => ({ uid: row.uid, fromUid: row.from_uid, at: Number(row.at) }));
  }
}
