import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { RoomsService } from "../src/services/rooms.js";
import { RTCAdminCommand } from "@rtmkit/rtm-server-sdk";
import { RtcService } from "../src/services/rtc.js";
import { openDatabase } from "../src/storage/database.js";
import { codeOf, PID, T0 } from "./helpers.js";

let opened: Database[] = [];
function setup(path?: string) {
  const clock = { ms: T0 };
  const db = openDatabase({ path });
  opened.push(db);
  return { clock, db, rtc: new RtcService(db, { now: () => clock.ms }) };
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

const NO_FLAGS = { administrator: false, audioForbidden: false, videoForbidden: false, micClosed: false, cameraClosed: false };

/** A voice room 1 owned by 10 with members 10, 11, 12. */
function withRoom() {
  const env = setup();
  env.rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [10n, 11n, 12n], type: 1 });
  return env;
}

describe("pullIntoRTCRoom", () => {
  it("creates the room with the first of toUids as owner, the given type and the mic on; the users become members", () => {
    const { rtc } = setup();
    expect(rtc.pullIntoRTCRoom(PID, { rid: 5n, toUids: [30n, 10n, 20n], type: 2 })).toEqual({});
    expect(rtc.getRTCRoomMembers(PID, { rid: 5n })).toEqual({ uids: [10n, 20n, 30n], administrators: [], owner: 30n });
    expect(rtc.roomOf(PID, 5n)).toEqual({ rid: 5n, type: 2, owner: 30n, micStatus: true });
    expect(rtc.memberOf(PID, 5n, 10n)).toEqual(NO_FLAGS);
    expect(rtc.getRTCRoomMemberCount(PID, { rid: 5n })).toEqual({ count: 3 });
  });

  it("into an existing room adds members and keeps its owner, type and the members' flags", () => {
    const { rtc } = withRoom();
    rtc.adminCommand(PID, { rid: 1n, uids: [11n], command: RTCAdminCommand.ForbidAudio });
    rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [13n, 11n], type: 2 });
    expect(rtc.getRTCRoomMembers(PID, { rid: 1n })).toEqual({ uids: [10n, 11n, 12n, 13n], administrators: [], owner: 10n });
    expect(rtc.roomOf(PID, 1n)?.type).toBe(1);
    expect(rtc.memberOf(PID, 1n, 11n)?.audioForbidden).toBe(true);
  });

  it("refuses a type other than 1 or 2 with InvalidParameter naming type, and empty toUids with EmptyParameter", async () => {
    const { rtc } = setup();
    for (const type of [0, 3, -1]) {
      expect(await codeOf(() => rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [1n], type }))).toBe(RtmErrorCode.InvalidParameter);
      expect(() => rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [1n], type })).toThrow(/type/);
    }
    expect(await codeOf(() => rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [], type: 1 }))).toBe(RtmErrorCode.EmptyParameter);
    expect(() => rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [], type: 1 })).toThrow(/toUids/);
    expect(rtc.getRTCRoomList(PID, {})).toEqual({ rids: [] });
  });
});

describe("a missing RTC room", () => {
  it("is refused by every call but pull and list with InvalidParameter naming rid", async () => {
    const { rtc } = withRoom();
    const calls = [
      () => rtc.inviteUserIntoRTCRoom(PID, { rid: 2n, toUids: [1n], fromUid: 10n }),
      () => rtc.kickoutFromRTCRoom(PID, { rid: 2n, uid: 11n, fromUid: 10n }),
      () => rtc.closeRTCRoom(PID, { rid: 2n }),
      () => rtc.getRTCRoomMembers(PID, { rid: 2n }),
      () => rtc.getRTCRoomMemberCount(PID, { rid: 2n }),
      () => rtc.setRTCRoomMicStatus(PID, { rid: 2n, status: false }),
      () => rtc.adminCommand(PID, { rid: 2n, uids: [10n], command: 0 }),
    ];
    for (const call of calls) {
      expect(await codeOf(call)).toBe(RtmErrorCode.InvalidParameter);
      expect(call).toThrow(/rid 2/);
    }
    expect(rtc.roomOf(PID, 2n)).toBeUndefined();
    expect(rtc.invitationsOf(PID, 2n)).toEqual([]);
  });
});

describe("inviteUserIntoRTCRoom", () => {
  it("records a pending invitation per non-member, which is not membership; a repeat renews inviter and time", () => {
    const { rtc, clock } = withRoom();
    clock.ms = T0 + 5;
    expect(rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [21n, 20n, 11n], fromUid: 10n })).toEqual({});
    expect(rtc.invitationsOf(PID, 1n)).toEqual([
      { uid: 20n, fromUid: 10n, at: T0 + 5 },
      { uid: 21n, fromUid: 10n, at: T0 + 5 },
    ]); // 11 is a member already: not invited
    expect(rtc.getRTCRoomMembers(PID, { rid: 1n }).uids).toEqual([10n, 11n, 12n]);
    clock.ms = T0 + 9;
    rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [20n], fromUid: 12n });
    expect(rtc.invitationsOf(PID, 1n)[0]).toEqual({ uid: 20n, fromUid: 12n, at: T0 + 9 });
  });

  it("pulling an invited user makes them a member and ends the invitation", () => {
    const { rtc } = withRoom();
    rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [20n, 21n], fromUid: 10n });
    rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [20n], type: 1 });
    expect(rtc.invitationsOf(PID, 1n).map((i) => i.uid)).toEqual([21n]);
    expect(rtc.memberOf(PID, 1n, 20n)).toEqual(NO_FLAGS);
  });

  it("refuses an inviter who is not a member with NotInRoom naming fromUid, and empty toUids with EmptyParameter", async () => {
    const { rtc } = withRoom();
    expect(await codeOf(() => rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [20n], fromUid: 99n }))).toBe(RtmErrorCode.NotInRoom);
    expect(() => rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [20n], fromUid: 99n })).toThrow(/fromUid 99/);
    expect(await codeOf(() => rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [], fromUid: 10n }))).toBe(RtmErrorCode.EmptyParameter);
    expect(rtc.invitationsOf(PID, 1n)).toEqual([]);
  });
});

describe("kickoutFromRTCRoom", () => {
  it("the owner or an administrator removes a member", () => {
    const { rtc } = withRoom();
    expect(rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 12n, fromUid: 10n })).toEqual({});
    rtc.adminCommand(PID, { rid: 1n, uids: [11n], command: RTCAdminCommand.AppointAdministrator });
    rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [13n], type: 1 });
    rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 13n, fromUid: 11n });
    expect(rtc.getRTCRoomMembers(PID, { rid: 1n })).toEqual({ uids: [10n, 11n], administrators: [11n], owner: 10n });
    expect(rtc.memberOf(PID, 1n, 12n)).toBeUndefined();
  });

  it("refuses anyone else, and kicking the owner, with PermissionDenied; a non-member uid with NotInRoom", async () => {
    const { rtc } = withRoom();
    rtc.adminCommand(PID, { rid: 1n, uids: [11n], command: RTCAdminCommand.AppointAdministrator });
    expect(await codeOf(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 11n, fromUid: 12n }))).toBe(RtmErrorCode.PermissionDenied);
    expect(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 11n, fromUid: 12n })).toThrow(/fromUid 12/);
    expect(await codeOf(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 11n, fromUid: 99n }))).toBe(RtmErrorCode.PermissionDenied);
    expect(await codeOf(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 10n, fromUid: 11n }))).toBe(RtmErrorCode.PermissionDenied);
    expect(await codeOf(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 10n, fromUid: 10n }))).toBe(RtmErrorCode.PermissionDenied);
    expect(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 10n, fromUid: 11n })).toThrow(/uid 10 is the owner/);
    expect(await codeOf(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 99n, fromUid: 10n }))).toBe(RtmErrorCode.NotInRoom);
    expect(() => rtc.kickoutFromRTCRoom(PID, { rid: 1n, uid: 99n, fromUid: 10n })).toThrow(/uid 99/);
    expect(rtc.getRTCRoomMemberCount(PID, { rid: 1n })).toEqual({ count: 3 });
  });
});

describe("closeRTCRoom and the room list", () => {
  it("lists the rooms ascending; close deletes the room, its members and invitations", () => {
    const { rtc } = withRoom();
    rtc.pullIntoRTCRoom(PID, { rid: 0n, toUids: [1n], type: 2 });
    rtc.pullIntoRTCRoom(PID, { rid: 7n, toUids: [1n], type: 1 });
    expect(rtc.getRTCRoomList(PID, {})).toEqual({ rids: [0n, 1n, 7n] });
    rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [20n], fromUid: 10n });
    expect(rtc.closeRTCRoom(PID, { rid: 1n })).toEqual({});
    expect(rtc.getRTCRoomList(PID, {})).toEqual({ rids: [0n, 7n] });
    expect(rtc.memberOf(PID, 1n, 10n)).toBeUndefined();
    expect(rtc.invitationsOf(PID, 1n)).toEqual([]);
    // a new room under the same rid starts afresh
    rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [12n], type: 2 });
    expect(rtc.getRTCRoomMembers(PID, { rid: 1n })).toEqual({ uids: [12n], administrators: [], owner: 12n });
  });
});

describe("setRTCRoomMicStatus", () => {
  it("sets the room's default microphone state", () => {
    const { rtc } = withRoom();
    expect(rtc.setRTCRoomMicStatus(PID, { rid: 1n, status: false })).toEqual({});
    expect(rtc.roomOf(PID, 1n)?.micStatus).toBe(false);
    rtc.setRTCRoomMicStatus(PID, { rid: 1n, status: true });
    expect(rtc.roomOf(PID, 1n)?.micStatus).toBe(true);
  });
});

describe("adminCommand", () => {
  it("each command sets or clears its flag on every named member", () => {
    const { rtc } = withRoom();
    const flags = (uid: bigint) => rtc.memberOf(PID, 1n, uid);
    const run = (command: number, uids = [11n, 12n]) => expect(rtc.adminCommand(PID, { rid: 1n, uids, command })).toEqual({});
    run(RTCAdminCommand.AppointAdministrator);
    expect(rtc.getRTCRoomMembers(PID, { rid: 1n }).administrators).toEqual([11n, 12n]);
    run(RTCAdminCommand.DismissAdministrator, [12n]);
    expect(rtc.getRTCRoomMembers(PID, { rid: 1n }).administrators).toEqual([11n]);
    run(RTCAdminCommand.ForbidAudio);
    run(RTCAdminCommand.ForbidVideo);
    expect(flags(12n)).toEqual({ ...NO_FLAGS, audioForbidden: true, videoForbidden: true });
    run(RTCAdminCommand.AllowAudio);
    expect(flags(12n)).toEqual({ ...NO_FLAGS, videoForbidden: true });
    run(RTCAdminCommand.AllowVideo);
    expect(flags(12n)).toEqual(NO_FLAGS);
    run(RTCAdminCommand.CloseMicrophone, [12n]);
    expect(flags(12n)).toEqual({ ...NO_FLAGS, micClosed: true });
    run(RTCAdminCommand.CloseCamera, [10n]);
    expect(flags(10n)).toEqual({ ...NO_FLAGS, cameraClosed: true });
    expect(flags(11n)).toEqual({ ...NO_FLAGS, administrator: true });
    run(RTCAdminCommand.ForbidAudio, []); // no one named: nothing to do
  });

  it("refuses a command outside 0..7 (InvalidParameter naming command) and a non-member (NotInRoom naming the uid), changing no one", async () => {
    const { rtc } = withRoom();
    for (const command of [-1, 8, 1.5]) {
      expect(await codeOf(() => rtc.adminCommand(PID, { rid: 1n, uids: [11n], command }))).toBe(RtmErrorCode.InvalidParameter);
      expect(() => rtc.adminCommand(PID, { rid: 1n, uids: [11n], command })).toThrow(/command/);
    }
    expect(await codeOf(() => rtc.adminCommand(PID, { rid: 1n, uids: [11n, 99n], command: 2 }))).toBe(RtmErrorCode.NotInRoom);
    expect(() => rtc.adminCommand(PID, { rid: 1n, uids: [11n, 99n], command: 2 })).toThrow(/uid 99/);
    expect(rtc.memberOf(PID, 1n, 11n)).toEqual(NO_FLAGS);
  });
});

describe("isolation", () => {
  it("projects are isolated", async () => {
    const { rtc } = withRoom();
    const other = PID + 1;
    rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [20n], fromUid: 10n });
    expect(rtc.getRTCRoomList(other, {})).toEqual({ rids: [] });
    expect(await codeOf(() => rtc.getRTCRoomMembers(other, { rid: 1n }))).toBe(RtmErrorCode.InvalidParameter);
    expect(rtc.invitationsOf(other, 1n)).toEqual([]);
    rtc.pullIntoRTCRoom(other, { rid: 1n, toUids: [50n], type: 2 });
    rtc.closeRTCRoom(other, { rid: 1n });
    expect(rtc.getRTCRoomMembers(PID, { rid: 1n })).toEqual({ uids: [10n, 11n, 12n], administrators: [], owner: 10n });
    expect(rtc.invitationsOf(PID, 1n)).toHaveLength(1);
  });

  it("RTC rooms are separate from chat rooms with the same rid", () => {
    const { rtc, db } = withRoom();
    const rooms = new RoomsService(db);
    expect(rooms.getroommembers(PID, { rid: 1n })).toEqual({ uids: [] });
    rooms.addroommember(PID, { rid: 2n, uid: 10n });
    expect(rtc.roomOf(PID, 2n)).toBeUndefined();
    expect(rtc.getRTCRoomMemberCount(PID, { rid: 1n })).toEqual({ count: 3 });
  });
});

describe("file database", () => {
  it("keeps rooms, members, flags, invitations and the mic state across a close and reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-rtc-test-"));
    try {
      const path = join(dir, "rtc.sqlite");
      const first = setup(path);
      first.rtc.pullIntoRTCRoom(PID, { rid: 1n, toUids: [10n, 11n], type: 2 });
      first.rtc.adminCommand(PID, { rid: 1n, uids: [11n], command: RTCAdminCommand.AppointAdministrator });
      first.rtc.inviteUserIntoRTCRoom(PID, { rid: 1n, toUids: [20n], fromUid: 11n });
      first.rtc.setRTCRoomMicStatus(PID, { rid: 1n, status: false });
      first.db.close();

      const second = setup(path);
      expect(second.rtc.getRTCRoomList(PID, {})).toEqual({ rids: [1n] });
      expect(second.rtc.getRTCRoomMembers(PID, { rid: 1n })).toEqual({ uids: [10n, 11n], administrators: [11n], owner: 10n });
      expect(second.rtc.roomOf(PID, 1n)).toEqual({ rid: 1n, type: 2, owner: 10n, micStatus: false });
      expect(second.rtc.invitationsOf(PID, 1n)).toEqual([{ uid: 20n, fromUid: 11n, at: T0 }]);
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
