/**
 * The demo's second part: a back end beyond chat, one step per RTM service. Each call goes through
 * RTMServerClient to the emulator; `call` records which methods ran so the demo can check every service was used.
 */
import type { RunningEmulator } from "@rtmkit/rtm-emulator";
import { DevicePushOptionType, FileMessageType, RTCAdminCommand, RTCRoomType, RTMError, RtmErrorCode, type RTMServerClient } from "@rtmkit/rtm-server-sdk";

export type Call = <T>(name: string, promise: Promise<T>) => Promise<T>;

export interface Cast {
  readonly pid: number;
  readonly alice: bigint;
  readonly bob: bigint;
  readonly carol: bigint;
  readonly team: bigint;
  readonly lobby: bigint;
}

const step = (title: string) => console.log(`\n== ${title}`);
const line = (text: string) => console.log(`   ${text}`);
const ids = (list: Iterable<bigint>) => [...list].join(", ") || "(none)";

/** Waits (polling) until `done`, at most 2 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The RTM code a call is refused with; throws when it succeeds or fails otherwise. */
async function refusal(promise: Promise<unknown>, code: RtmErrorCode): Promise<RTMError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RTMError && error.code === code) return error;
    throw error;
  }
  throw new Error(`expected RTM error ${code}, the call succeeded`);
}

export async function backEndFlow(client: RTMServerClient, emulator: RunningEmulator, call: Call, c: Cast): Promise<void> {
  const { alice, bob, carol, team, lobby } = c;

  step("Friends and blacklists");
  await call("addFriends", client.addFriends(alice, [bob, carol]));
  line(`alice's friends: ${ids((await call("getFriends", client.getFriends(alice))).friendUserIds)}; bob is alice's friend: ${(await call("isFriend", client.isFriend(bob, alice))).isFriend}`);
  await call("addBlacks", client.addBlacks(bob, [carol]));
  line(`bob blacklists carol; carol is blocked by bob: ${(await call("isBlack", client.isBlack(carol, bob))).isBlack}`);
  const blocked = await refusal(call("sendChat", client.sendChat(carol, bob, "hello?", "")), RtmErrorCode.BlockedUser);
  line(`carol -> bob refused: ${blocked.code} ${blocked.message}`);
  await call("deleteBlacks", client.deleteBlacks(bob, [carol]));

  step("Groups: members, info, a ban");
  await call("addGroupMembers", client.addGroupMembers(team, [alice, bob, carol]));
  await call("setGroupInfo", client.setGroupInfo(team, "Team Rocket", "budget: 12k"));
  const info = await call("getGroupInfo", client.getGroupInfo(team));
  line(`group ${team}: members ${ids((await call("getGroupMembers", client.getGroupMembers(team))).members)}; oinfo "${info.oinfo}", pinfo "${info.pinfo}"`);
  await call("addGroupBan", client.addGroupBan(team, carol, 60));
  const banned = await refusal(call("sendGroupChat", client.sendGroupChat(carol, team, "spam", "")), RtmErrorCode.BannedInGroup);
  line(`carol banned for 60 s; her group message is refused: ${banned.code}`);
  await call("removeGroupBan", client.removeGroupBan(team, carol));
  line(`ban lifted; carol banned: ${(await call("isBanOfGroup", client.isBanOfGroup(team, carol))).isBan}; carol's groups: ${ids((await call("getUserGroups", client.getUserGroups(carol))).groupIds)}`);

  step("Rooms");
  await call("addRoomMember", client.addRoomMember(lobby, alice));
  await call("addRoomMember", client.addRoomMember(lobby, bob));
  await call("setRoomInfo", client.setRoomInfo(lobby, "The lobby"));
  const counts = (await call("getRoomCount", client.getRoomCount([lobby]))).counts;
  line(`room ${lobby} "${(await call("getRoomInfo", client.getRoomInfo(lobby))).oinfo}" has ${counts.get(lobby)} members: ${ids((await call("getRoomMembers", client.getRoomMembers(lobby))).members)}`);

  step("Users: info, tokens, presence");
  await call("setUserInfo", client.setUserInfo(alice, "Alice (she/her)", "alice@example.com"));
  const open = (await call("getUserOpenInfo", client.getUserOpenInfo([alice, bob]))).info;
  line(`open info: alice "${open.get(alice)}", bob "${open.get(bob)}"`);
  const { token } = await call("getToken", client.getToken(alice));
  line(`login token for alice's app: ${token}`);
  emulator.setOnline(c.pid, alice, true);
  line(`online of alice, bob: ${ids((await call("getOnlineUsers", client.getOnlineUsers([alice, bob]))).onlineUserIds)}`);
  await call("kickout", client.kickout(alice));
  line(`after kickout: ${ids((await call("getOnlineUsers", client.getOnlineUsers([alice, bob]))).onlineUserIds)}`);

  step("Per-user data");
  await call("dataSet", client.dataSet(bob, "theme", "dark"));
  line(`bob's theme: ${(await call("dataGet", client.dataGet(bob, "theme"))).value}`);
  await call("dataDelete", client.dataDelete(bob, "theme"));
  line(`after dataDelete: ${(await call("dataGet", client.dataGet(bob, "theme"))).value ?? "(no value)"}`);

  step("Devices and push options");
  await call("addDevice", client.addDevice(bob, "apns", "a1b2c3d4"));
  await call("addDevicePushOption", client.addDevicePushOption(bob, DevicePushOptionType.Group, team, [30]));
  const options = await call("getDevicePushOption", client.getDevicePushOption(bob));
  line(`bob mutes chat pushes of group ${team}: mtypes ${JSON.stringify(options.group.get(team))}`);

  step("Listen (what the server pushes to this connection)");
  await call("setListen", client.setListen([team], [lobby], [], ["login", "logout"]));
  await call("addListen", client.addListen([], [], [alice]));
  await call("setListenAll", client.setListenAll(true, false, true, false));
  await call("addListen", client.addListen([], [], [], ["login", "logout"]));
  line("listening to every group, every P2P message, and logins and logouts");

  step("Server push: the back end hears what users do");
  const heard: string[] = [];
  const stop = client.onPush({
    groupChat: (m) => void heard.push(`groupChat   ${m.fromUid} in group ${m.toId}: ${JSON.stringify(m.message)}`),
    p2pChat: (m) => void heard.push(`p2pChat     ${m.fromUid} -> ${m.toId}: ${JSON.stringify(m.message)}`),
    event: (e) => void heard.push(`event       user ${e.uid} ${e.event}`),
  });
  emulator.userLogin(c.pid, carol);
  await emulator.userSends({ pid: c.pid, from: carol, gid: team, message: "morning, team" });
  await client.sendChat(alice, carol, "welcome back", "");
  emulator.userLogout(c.pid, carol);
  await until(() => heard.length === 4, "the four pushes");
  stop();
  for (const push of heard) line(push);

  step("Value-added services");
  const translated = await call("translate", client.translate("Guten Morgen", "en", "de"));
  line(`translate: "${translated.sourceText}" (${translated.sourceLanguage}) -> "${translated.targetText}" (${translated.targetLanguage}), by a handler the demo gave the emulator`);
  const unconfigured = await refusal(call("textCheck", client.textCheck("hello")), RtmErrorCode.NoConfigInConsole);
  line(`textCheck without a handler: ${unconfigured.code} ${unconfigured.message.split(";")[0]}`);

  step("Files (a token from the gateway, then the file to the file gate, in one call)");
  const chart = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"); // the first bytes of a PNG
  const sent = await call("sendGroupFile", client.sendGroupFile(alice, team, FileMessageType.Image, chart, { fileName: "chart.png" }));
  const newest = (await call("getGroupMessage", client.getGroupMessage(team, true, 1, 0, 0, 0, [FileMessageType.Image], alice))).messages[0];
  const file = newest?.fileInfo;
  if (file === undefined || newest?.messageId !== sent.mid) throw new Error("the file message is not in the group's history");
  line(`alice -> group ${team}: ${file.fileName} (${file.size} bytes), stored at ${file.url}`);
  const stored = emulator.readFile(file.url);
  line(`the emulator's file gate kept the bytes: ${stored !== undefined && Buffer.from(stored).equals(chart)}`);

  step("RTC rooms");
  await call("pullIntoRTCRoom", client.pullIntoRTCRoom(lobby, [alice, bob], RTCRoomType.Voice));
  await call("adminCommand", client.adminCommand(lobby, [bob], RTCAdminCommand.AppointAdministrator));
  const rtc = await call("getRTCRoomMembers", client.getRTCRoomMembers(lobby));
  line(`voice room ${lobby}: owner ${rtc.owner}, members ${ids(rtc.members)}, administrators ${ids(rtc.administrators)}`);
  await call("closeRTCRoom", client.closeRTCRoom(lobby));
  line(`closed; open RTC rooms: ${ids((await call("getRTCRoomList", client.getRTCRoomList())).roomIds)}`);
}
