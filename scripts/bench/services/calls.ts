// The services benchmark's call mix: every RTM service through RTMServerClient, each call one of CALLS below.
// Ids are laid out so that each client alone writes some state (its users' data and info, its own group,
// its own RTC room): that part is modelled here, checked by the reads during the run and in full after it.
// Everything else (shared groups and rooms, friends, bans, listen state...) is written by every client at
// random and not modelled. Bans, blacklists and project blacks only ever name "suspects", so a send is refused
// (200044, 200045, 200049) only when its sender is one; each refusal a call may rightly get is declared
// (ctx.allow) before the call, and anything else is unexpected.
import {
  ContentSource,
  DevicePushOptionType,
  FileMessageType,
  MessageCategory,
  RTCAdminCommand,
  RTCRoomType,
  RtmErrorCode,
  type RTMServerClient,
} from "@rtmkit/rtm-server-sdk";

export const USERS_PER_CLIENT = 20;
/** Shared groups and chat rooms: gids/rids 1..SHARED. */
export const SHARED = 20;
/** Users that bans, blacklists and project blacks name: uids SUSPECT_BASE + 1 .. SUSPECT_BASE + SUSPECTS. */
export const SUSPECT_BASE = 1_000_000;
export const SUSPECTS = 50;
/** Client c owns group OWN_GROUP_BASE + c and RTC room OWN_RTC_BASE + c. */
const OWN_GROUP_BASE = 10_000;
const OWN_RTC_BASE = 20_000;
const DATA_KEYS = ["profile", "settings", "draft", "last-seen", "längd"];
const FILLER = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(64);

/** Why a refusal is right, by code (for the report). */
export const EXPECTED_REASONS: ReadonlyMap<number, string> = new Map([
  [RtmErrorCode.NoConfigInConsole, "value-added call, no handler configured"],
  [RtmErrorCode.BannedInGroup, "sender is a suspect banned in the group"],
  [RtmErrorCode.BannedInRoom, "sender is a suspect banned in the room"],
  [RtmErrorCode.BlockedUser, "sender is a suspect on the receiver's blacklist"],
  [RtmErrorCode.InvalidParameter, "RTC call on the client's own room while it is closed (documented)"],
  [RtmErrorCode.NotInRoom, "RTC kickout of a non-member when the room has no one else to kick"],
]);

/** A read that disagrees with the client's model of what it alone wrote. */
export class WrongAnswer extends Error {
  override readonly name = "WrongAnswer";
}

interface Info {
  oinfo: string;
  pinfo: string;
}

/** What client `index` alone writes, as it should be now. */
export class Owned {
  readonly users: number[];
  readonly gid: number;
  readonly rtcRid: number;
  /** `${uid} ${key}` -> value. */
  readonly data = new Map<string, string>();
  readonly groupMembers = new Set<number>();
  readonly userInfo = new Map<number, Info>();
  /** The RTC room while it is open. */
  rtc: { owner: number; members: Set<number> } | undefined;
  /** Device tokens this client registered (newest last). */
  readonly devices: { uid: number; token: string }[] = [];
  #tokens = 0;

  constructor(readonly index: number) {
    this.users = Array.from({ length: USERS_PER_CLIENT }, (_, i) => index * USERS_PER_CLIENT + i + 1);
    this.gid = OWN_GROUP_BASE + index;
    this.rtcRid = OWN_RTC_BASE + index;
  }

  nextDeviceToken(): string {
    return `bench-${this.index}-${++this.#tokens}`;
  }
}

/** One client: its connection, its model, and the refusals the call in progress may rightly get. */
export class CallContext {
  allowed: readonly number[] = [];

  constructor(
    readonly client: RTMServerClient,
    readonly owned: Owned,
    /** Users 1..allUsers are the clients' own (every client's), all online when the run starts. */
    readonly allUsers: number,
  ) {}

  allow(...codes: number[]): void {
    this.allowed = codes;
  }
}

export interface CallKind {
  readonly name: string;
  readonly service: string;
  /** Relative share of the calls. */
  readonly weight: number;
  run(ctx: CallContext): Promise<unknown>;
}

const int = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const chance = (p: number) => Math.random() < p;
const anyUser = (ctx: CallContext) => 1 + int(ctx.allUsers);
const ownUser = (ctx: CallContext) => pick(ctx.owned.users);
const suspect = () => SUSPECT_BASE + 1 + int(SUSPECTS);
const sharedId = () => 1 + int(SHARED);
const users = (ctx: CallContext, max: number) => Array.from({ length: 1 + int(max) }, () => anyUser(ctx));
const suspects = (max: number) => Array.from({ length: 1 + int(max) }, suspect);
const text = () => (chance(0.1) ? `ünïcødé ${FILLER.slice(0, int(40))}` : FILLER.slice(0, int(300)));
/** A message body: never empty. */
const message = () => `bench ${text()}`;
const maybeText = () => (chance(0.25) ? undefined : text());
const banSeconds = () => 1 + int(120);

/** A sender: one of the client's users, or now and then a suspect (who may be banned or blacklisted). */
function sender(ctx: CallContext, refusal: number): number {
  if (!chance(0.1)) return ownUser(ctx);
  ctx.allow(refusal);
  return suspect();
}

function same<T>(what: string, got: T, want: T): void {
  const a = JSON.stringify(got, jsonIds);
  const b = JSON.stringify(want, jsonIds);
  if (a !== b) throw new WrongAnswer(`${what}: got ${short(a)}, the client's model has ${short(b)}`);
}

const short = (json: string) => (json.length > 80 ? `${json.slice(0, 77)}...` : json);

function jsonIds(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}

const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);
const numbers = (ids: readonly bigint[]) => ids.map(Number);

function call(service: string, name: string, weight: number, run: (ctx: CallContext) => Promise<unknown>): CallKind {
  return { name, service, weight, run };
}

const chat: CallKind[] = [
  call("chat", "sendChat", 6, (ctx) => {
    const from = sender(ctx, RtmErrorCode.BlockedUser);
    let to = anyUser(ctx);
    if (to === from) to = (to % ctx.allUsers) + 1;
    return ctx.client.sendChat(from, to, message(), "");
  }),
  call("chat", "sendGroupChat", 5, (ctx) => ctx.client.sendGroupChat(sender(ctx, RtmErrorCode.BannedInGroup), chance(0.2) ? ctx.owned.gid : sharedId(), message(), '{"bench":1}')),
  call("chat", "sendRoomChat", 4, (ctx) => ctx.client.sendRoomChat(sender(ctx, RtmErrorCode.BannedInRoom), sharedId(), message(), "")),
  call("chat", "getP2PChat", 3, (ctx) => ctx.client.getP2PChat(ownUser(ctx), anyUser(ctx), chance(0.8), 20, 0, 0, 0)),
  call("chat", "getGroupChat", 3, (ctx) => ctx.client.getGroupChat(sharedId(), chance(0.8), 20, 0, 0, 0, ownUser(ctx))),
  call("chat", "getRoomChat", 2, (ctx) => ctx.client.getRoomChat(sharedId(), chance(0.8), 20, 0, 0, 0, ownUser(ctx))),
];

const friends: CallKind[] = [
  call("friends", "addFriends", 2, (ctx) => ctx.client.addFriends(ownUser(ctx), users(ctx, 5))),
  call("friends", "deleteFriends", 1, (ctx) => ctx.client.deleteFriends(ownUser(ctx), users(ctx, 3))),
  call("friends", "getFriends", 2, (ctx) => ctx.client.getFriends(anyUser(ctx))),
  call("friends", "isFriend", 1, (ctx) => ctx.client.isFriend(ownUser(ctx), anyUser(ctx))),
  call("friends", "isFriends", 1, (ctx) => ctx.client.isFriends(ownUser(ctx), users(ctx, 10))),
  call("friends", "addBlacks", 1, (ctx) => ctx.client.addBlacks(anyUser(ctx), suspects(3))),
  call("friends", "deleteBlacks", 1, (ctx) => ctx.client.deleteBlacks(anyUser(ctx), suspects(3))),
  call("friends", "getBlacks", 1, (ctx) => ctx.client.getBlacks(anyUser(ctx))),
  call("friends", "isBlack", 1, (ctx) => ctx.client.isBlack(suspect(), anyUser(ctx))),
  call("friends", "isBlacks", 1, (ctx) => ctx.client.isBlacks(suspect(), users(ctx, 10))),
];

const groups: CallKind[] = [
  call("groups", "addGroupMembers", 2, async (ctx) => {
    const uids = users(ctx, 5);
    if (chance(0.5)) return ctx.client.addGroupMembers(sharedId(), uids);
    await ctx.client.addGroupMembers(ctx.owned.gid, uids);
    for (const uid of uids) ctx.owned.groupMembers.add(uid);
  }),
  call("groups", "deleteGroupMembers", 1, async (ctx) => {
    const uids = users(ctx, 3);
    if (chance(0.5)) return ctx.client.deleteGroupMembers(sharedId(), uids);
    await ctx.client.deleteGroupMembers(ctx.owned.gid, uids);
    for (const uid of uids) ctx.owned.groupMembers.delete(uid);
  }),
  call("groups", "deleteGroup", 0.2, (ctx) => ctx.client.deleteGroup(sharedId())),
  call("groups", "getGroupMembers", 2, async (ctx) => {
    if (chance(0.5)) return ctx.client.getGroupMembers(sharedId());
    same(`members of group ${ctx.owned.gid}`, numbers((await ctx.client.getGroupMembers(ctx.owned.gid)).members), sorted(ctx.owned.groupMembers));
  }),
  call("groups", "isGroupMember", 1, async (ctx) => {
    const uid = anyUser(ctx);
    same(`isGroupMember(${ctx.owned.gid}, ${uid})`, (await ctx.client.isGroupMember(ctx.owned.gid, uid)).isMember, ctx.owned.groupMembers.has(uid));
  }),
  call("groups", "getUserGroups", 1, (ctx) => ctx.client.getUserGroups(anyUser(ctx))),
  call("groups", "addGroupBan", 1, (ctx) => ctx.client.addGroupBan(chance(0.1) ? 0 : sharedId(), suspect(), banSeconds())),
  call("groups", "removeGroupBan", 1, (ctx) => ctx.client.removeGroupBan(chance(0.1) ? 0 : sharedId(), suspect())),
  call("groups", "isBanOfGroup", 1, (ctx) => ctx.client.isBanOfGroup(sharedId(), chance(0.5) ? suspect() : anyUser(ctx))),
  call("groups", "setGroupInfo", 1, (ctx) => ctx.client.setGroupInfo(sharedId(), maybeText(), maybeText())),
  call("groups", "getGroupInfo", 1, (ctx) => ctx.client.getGroupInfo(sharedId())),
];

const rooms: CallKind[] = [
  call("rooms", "addRoomMember", 2, (ctx) => ctx.client.addRoomMember(sharedId(), anyUser(ctx))),
  call("rooms", "deleteRoomMember", 1, (ctx) => ctx.client.deleteRoomMember(sharedId(), anyUser(ctx))),
  call("rooms", "getRoomMembers", 1, (ctx) => ctx.client.getRoomMembers(sharedId())),
  call("rooms", "getRoomCount", 1, (ctx) => ctx.client.getRoomCount([sharedId(), sharedId(), sharedId()])),
  call("rooms", "addRoomBan", 1, (ctx) => ctx.client.addRoomBan(chance(0.1) ? 0 : sharedId(), suspect(), banSeconds())),
  call("rooms", "removeRoomBan", 1, (ctx) => ctx.client.removeRoomBan(chance(0.1) ? 0 : sharedId(), suspect())),
  call("rooms", "isBanOfRoom", 1, (ctx) => ctx.client.isBanOfRoom(sharedId(), chance(0.5) ? suspect() : anyUser(ctx))),
  call("rooms", "setRoomInfo", 1, (ctx) => ctx.client.setRoomInfo(sharedId(), maybeText(), maybeText())),
  call("rooms", "getRoomInfo", 1, (ctx) => ctx.client.getRoomInfo(sharedId())),
];

const usersCalls: CallKind[] = [
  call("users", "getOnlineUsers", 1, (ctx) => ctx.client.getOnlineUsers(users(ctx, 50))),
  call("users", "addProjectBlack", 0.5, (ctx) => ctx.client.addProjectBlack(suspect(), banSeconds())),
  call("users", "removeProjectBlack", 0.5, (ctx) => ctx.client.removeProjectBlack(suspect())),
  call("users", "isProjectBlack", 1, (ctx) => ctx.client.isProjectBlack(chance(0.5) ? suspect() : anyUser(ctx))),
  call("users", "setUserInfo", 1, async (ctx) => {
    const uid = ownUser(ctx);
    const [oinfo, pinfo] = [maybeText(), maybeText()];
    await ctx.client.setUserInfo(uid, oinfo, pinfo);
    if (oinfo === undefined && pinfo === undefined) return;
    const info = ctx.owned.userInfo.get(uid) ?? { oinfo: "", pinfo: "" };
    ctx.owned.userInfo.set(uid, { oinfo: oinfo ?? info.oinfo, pinfo: pinfo ?? info.pinfo });
  }),
  call("users", "getUserInfo", 1, async (ctx) => {
    const uid = ownUser(ctx);
    const { oinfo, pinfo } = await ctx.client.getUserInfo(uid);
    same(`info of user ${uid}`, { oinfo, pinfo }, ctx.owned.userInfo.get(uid) ?? { oinfo: "", pinfo: "" });
  }),
  call("users", "getUserOpenInfo", 1, (ctx) => ctx.client.getUserOpenInfo(users(ctx, 20))),
  call("users", "getToken", 1, (ctx) => ctx.client.getToken(anyUser(ctx))),
  call("users", "removeToken", 0.5, (ctx) => ctx.client.removeToken(anyUser(ctx))),
  call("users", "kickout", 0.3, (ctx) => ctx.client.kickout(anyUser(ctx))),
];

const data: CallKind[] = [
  call("data", "dataSet", 3, async (ctx) => {
    const [uid, key, value] = [ownUser(ctx), pick(DATA_KEYS), text()];
    await ctx.client.dataSet(uid, key, value);
    ctx.owned.data.set(`${uid} ${key}`, value);
  }),
  call("data", "dataGet", 3, async (ctx) => {
    const [uid, key] = [ownUser(ctx), pick(DATA_KEYS)];
    same(`dataGet(${uid}, ${key})`, (await ctx.client.dataGet(uid, key)).value ?? null, ctx.owned.data.get(`${uid} ${key}`) ?? null);
  }),
  call("data", "dataDelete", 1, async (ctx) => {
    const [uid, key] = [ownUser(ctx), pick(DATA_KEYS)];
    await ctx.client.dataDelete(uid, key);
    ctx.owned.data.delete(`${uid} ${key}`);
  }),
];

const pushType = () => (chance(0.5) ? DevicePushOptionType.P2P : DevicePushOptionType.Group);
const pushMtypes = () => (chance(0.3) ? undefined : [30, 31, 32].filter(() => chance(0.5)));

const devices: CallKind[] = [
  call("devices", "addDevice", 1, async (ctx) => {
    const device = { uid: ownUser(ctx), token: ctx.owned.nextDeviceToken() };
    await ctx.client.addDevice(device.uid, chance(0.5) ? "apns" : "fcm", device.token);
    ctx.owned.devices.push(device);
  }),
  call("devices", "removeDevice", 1, async (ctx) => {
    const device = ctx.owned.devices.length > 0 ? ctx.owned.devices.splice(int(ctx.owned.devices.length), 1)[0]! : { uid: ownUser(ctx), token: "never-added" };
    await ctx.client.removeDevice(device.uid, device.token);
  }),
  call("devices", "addDevicePushOption", 1, (ctx) => ctx.client.addDevicePushOption(ownUser(ctx), pushType(), chance(0.5) ? anyUser(ctx) : sharedId(), pushMtypes())),
  call("devices", "removeDevicePushOption", 1, (ctx) => ctx.client.removeDevicePushOption(ownUser(ctx), pushType(), chance(0.5) ? anyUser(ctx) : sharedId(), pushMtypes())),
  call("devices", "getDevicePushOption", 1, (ctx) => ctx.client.getDevicePushOption(ownUser(ctx))),
];

const ids = (make: () => number, max: number) => Array.from({ length: int(max + 1) }, make);
const events = () => ["login", "logout"].filter(() => chance(0.5));

const listen: CallKind[] = [
  call("listen", "addListen", 1, (ctx) => ctx.client.addListen(ids(sharedId, 3), ids(sharedId, 3), ids(() => anyUser(ctx), 5), events())),
  call("listen", "removeListen", 1, (ctx) => ctx.client.removeListen(ids(sharedId, 3), ids(sharedId, 3), ids(() => anyUser(ctx), 5), events())),
  call("listen", "setListen", 1, (ctx) => ctx.client.setListen(ids(sharedId, 5), ids(sharedId, 5), ids(() => anyUser(ctx), 10), events())),
  call("listen", "setListenAll", 0.5, (ctx) => ctx.client.setListenAll(chance(0.5), chance(0.5), chance(0.5), chance(0.5))),
];

/** An RTC call that needs the client's room open: refused with 200034 (documented) while it is closed. */
function onOwnRtcRoom(name: string, weight: number, run: (ctx: CallContext, room: { owner: number; members: Set<number> }) => Promise<unknown>): CallKind {
  return call("rtc", name, weight, async (ctx) => {
    const room = ctx.owned.rtc;
    if (room !== undefined) return run(ctx, room);
    ctx.allow(RtmErrorCode.InvalidParameter);
    await run(ctx, { owner: ctx.owned.users[0]!, members: new Set() });
    throw new WrongAnswer(`${name} on RTC room ${ctx.owned.rtcRid} succeeded, but the client closed that room`);
  });
}

const someOwnUsers = (ctx: CallContext, max: number) => Array.from({ length: 1 + int(max) }, () => ownUser(ctx));

const rtc: CallKind[] = [
  call("rtc", "pullIntoRTCRoom", 1.5, async (ctx) => {
    const owned = ctx.owned;
    const toUids = owned.rtc === undefined ? [owned.users[0]!, ...someOwnUsers(ctx, 3)] : someOwnUsers(ctx, 3);
    await ctx.client.pullIntoRTCRoom(owned.rtcRid, toUids, chance(0.5) ? RTCRoomType.Voice : RTCRoomType.Video);
    owned.rtc ??= { owner: toUids[0]!, members: new Set() };
    for (const uid of toUids) owned.rtc.members.add(uid);
  }),
  onOwnRtcRoom("inviteUserIntoRTCRoom", 1, (ctx, room) => ctx.client.inviteUserIntoRTCRoom(ctx.owned.rtcRid, someOwnUsers(ctx, 3), room.owner)),
  onOwnRtcRoom("kickoutFromRTCRoom", 1, async (ctx, room) => {
    const others = [...room.members].filter((uid) => uid !== room.owner);
    const uid = others.length > 0 ? pick(others) : ctx.owned.users.find((u) => !room.members.has(u))!;
    if (others.length === 0) ctx.allow(RtmErrorCode.NotInRoom, ...ctx.allowed);
    await ctx.client.kickoutFromRTCRoom(uid, ctx.owned.rtcRid, room.owner);
    if (others.length === 0) throw new WrongAnswer(`kickoutFromRTCRoom of ${uid}, not a member of RTC room ${ctx.owned.rtcRid}, succeeded`);
    room.members.delete(uid);
  }),
  onOwnRtcRoom("closeRTCRoom", 0.2, async (ctx) => {
    await ctx.client.closeRTCRoom(ctx.owned.rtcRid);
    ctx.owned.rtc = undefined;
  }),
  call("rtc", "getRTCRoomList", 0.5, async (ctx) => {
    const rids = numbers((await ctx.client.getRTCRoomList()).roomIds);
    same(`RTC room ${ctx.owned.rtcRid} listed`, rids.includes(ctx.owned.rtcRid), ctx.owned.rtc !== undefined);
  }),
  onOwnRtcRoom("getRTCRoomMembers", 1, async (ctx, room) => {
    const answer = await ctx.client.getRTCRoomMembers(ctx.owned.rtcRid);
    same(`RTC room ${ctx.owned.rtcRid}`, { members: numbers(answer.members), owner: Number(answer.owner) }, { members: sorted(room.members), owner: room.owner });
  }),
  onOwnRtcRoom("getRTCRoomMemberCount", 1, async (ctx, room) => {
    same(`member count of RTC room ${ctx.owned.rtcRid}`, (await ctx.client.getRTCRoomMemberCount(ctx.owned.rtcRid)).count, room.members.size);
  }),
  onOwnRtcRoom("setRTCRoomMicStatus", 0.5, (ctx) => ctx.client.setRTCRoomMicStatus(ctx.owned.rtcRid, chance(0.5))),
  onOwnRtcRoom("adminCommand", 1, (ctx, room) => {
    const members = [...room.members].filter(() => chance(0.5));
    return ctx.client.adminCommand(ctx.owned.rtcRid, members, pick(Object.values(RTCAdminCommand)));
  }),
];

const FILE_CMDS = ["sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"] as const;

const files: CallKind[] = [
  call("files", "fileToken", 1, (ctx) => {
    const cmd = pick(FILE_CMDS);
    const from = ownUser(ctx);
    return ctx.client.fileToken(
      from,
      cmd,
      cmd === "sendfile" ? anyUser(ctx) : undefined,
      cmd === "sendfiles" ? users(ctx, 5) : undefined,
      cmd === "sendroomfile" ? sharedId() : undefined,
      cmd === "sendgroupfile" ? sharedId() : undefined,
    );
  }),
  // Two steps each: filetoken on the gateway, then the file to the gate (one gate connection per client, reused).
  call("files", "sendFile", 0.5, (ctx) => {
    const from = sender(ctx, RtmErrorCode.BlockedUser);
    let to = anyUser(ctx);
    if (to === from) to = (to % ctx.allUsers) + 1;
    return ctx.client.sendFile(from, to, FileMessageType.File, FILE, { fileName: "bench.bin" });
  }),
  call("files", "sendGroupFile", 0.5, (ctx) => ctx.client.sendGroupFile(sender(ctx, RtmErrorCode.BannedInGroup), sharedId(), FileMessageType.Image, FILE, { fileName: "bench.png" })),
];

const FILE = new Uint8Array(2048).map((_, i) => (i * 31) & 0xff);

const AUDIO = new Uint8Array(256).fill(7);

function valueAdded(name: string, run: (ctx: CallContext) => Promise<unknown>): CallKind {
  return call("valueAdded", name, 0.3, (ctx) => {
    ctx.allow(RtmErrorCode.NoConfigInConsole);
    return run(ctx);
  });
}

const valueAddedCalls: CallKind[] = [
  valueAdded("translate", (ctx) => ctx.client.translate(text(), "en", "", "chat", "off", ownUser(ctx))),
  valueAdded("profanity", (ctx) => ctx.client.profanity(text(), chance(0.5), ownUser(ctx))),
  valueAdded("transcribe", (ctx) => ctx.client.transcribe(AUDIO, ownUser(ctx))),
  valueAdded("transcribeMessage", (ctx) => ctx.client.transcribeMessage(ownUser(ctx), 1 + int(1e9), sharedId(), MessageCategory.GroupMessage)),
  valueAdded("speech2Text", (ctx) => ctx.client.speech2Text("https://example.com/a.amr", ContentSource.Url, "en-US")),
  valueAdded("textCheck", (ctx) => ctx.client.textCheck(text(), ownUser(ctx))),
  valueAdded("imageCheck", (ctx) => ctx.client.imageCheck("https://example.com/a.png", ContentSource.Url)),
  valueAdded("audioCheck", (ctx) => ctx.client.audioCheck(AUDIO, ContentSource.Content, "en-US")),
  valueAdded("videoCheck", (ctx) => ctx.client.videoCheck("https://example.com/a.mp4", ContentSource.Url, "a.mp4")),
];

/** Every call of the mix, grouped by service. */
export const CALLS: readonly CallKind[] = [...chat, ...friends, ...groups, ...rooms, ...usersCalls, ...data, ...devices, ...listen, ...rtc, ...files, ...valueAddedCalls];

const totalWeight = CALLS.reduce((sum, kind) => sum + kind.weight, 0);

/** A call kind at random, by weight. */
export function pickCall(): CallKind {
  let at = Math.random() * totalWeight;
  for (const kind of CALLS) {
    at -= kind.weight;
    if (at < 0) return kind;
  }
  return CALLS.at(-1)!;
}

/** The share of the calls a kind gets, in percent. */
export function shareOf(kind: CallKind): number {
  return (kind.weight / totalWeight) * 100;
}

/**
 * After the run: everything a client alone wrote, read back through its own connection and compared with
 * its model. Returns one line per difference.
 */
export async function verifyOwned(ctx: CallContext): Promise<{ checked: number; differences: string[] }> {
  const { client, owned } = ctx;
  const differences: string[] = [];
  let checked = 0;
  const check = async (what: string, read: () => Promise<unknown>, want: unknown) => {
    checked++;
    try {
      same(what, await read(), want);
    } catch (error) {
      differences.push(error instanceof WrongAnswer ? error.message : `${what}: ${(error as Error).message}`);
    }
  };
  for (const uid of owned.users) {
    for (const key of DATA_KEYS) await check(`dataGet(${uid}, ${key})`, async () => (await client.dataGet(uid, key)).value ?? null, owned.data.get(`${uid} ${key}`) ?? null);
    await check(`info of user ${uid}`, async () => {
      const { oinfo, pinfo } = await client.getUserInfo(uid);
      return { oinfo, pinfo };
    }, owned.userInfo.get(uid) ?? { oinfo: "", pinfo: "" });
  }
  await check(`members of group ${owned.gid}`, async () => numbers((await client.getGroupMembers(owned.gid)).members), sorted(owned.groupMembers));
  const room = owned.rtc;
  await check(`RTC room ${owned.rtcRid} listed`, async () => numbers((await client.getRTCRoomList()).roomIds).includes(owned.rtcRid), room !== undefined);
  if (room !== undefined) {
    await check(`RTC room ${owned.rtcRid}`, async () => {
      const answer = await client.getRTCRoomMembers(owned.rtcRid);
      return { members: numbers(answer.members), owner: Number(answer.owner) };
    }, { members: sorted(room.members), owner: room.owner });
  }
  return { checked, differences };
}
