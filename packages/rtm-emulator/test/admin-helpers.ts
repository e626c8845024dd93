// For the admin model's tests: SDK clients (RTMServerClient over real sockets) on an emulator from push-helpers,
// closed after the test, and the RTM code a call fails with.
import { MessageCategory, RTMError, RTMServerClient } from "@rtmkit/rtm-server-sdk";
import type { RunningEmulator } from "../src/server/start.js";
import { OTHER_PID, OTHER_SECRET, onCleanup, PID, SECRET } from "./push-helpers.js";

export { emulatorForTest, Listener, listening, onCleanup, OTHER_PID, PID, until } from "./push-helpers.js";

/** An SDK client of `pid` on the emulator, closed after the test. */
export function sdk(emulator: RunningEmulator, pid = PID, timeout = 10): RTMServerClient {
  const client = new RTMServerClient({ pid, secret: pid === OTHER_PID ? OTHER_SECRET : SECRET, endpoint: emulator.endpoint, timeout, autoReconnect: false });
  onCleanup(() => client.close());
  return client;
}

/** The code an SDK call fails with. */
export async function failure(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (RTMError.is(error)) return error.code;
    throw error;
  }
  throw new Error("expected the call to fail");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rows in every table of PID, through the SDK (and a simulated user's non-UTF-8 send): what reset, export and import act on. */
export async function populate(emulator: RunningEmulator, client: RTMServerClient): Promise<{ fileUrl: string; mids: bigint[] }> {
  const mids: bigint[] = [];
  for (let i = 0; i < 7; i++) mids.push((await client.sendChat(1001n + BigInt(i % 2), 1002n - BigInt(i % 2), `p2p ${i}`, `{"n":${i}}`)).mid);
  for (let i = 0; i < 5; i++) mids.push((await client.sendGroupChat(1001n + BigInt(i % 3), 5n, `group ${i}`, "")).mid);
  mids.push((await client.sendRoomChat(1001n, 7n, "room", "")).mid);
  mids.push((await client.broadcastChat(1001n, "broadcast", "")).mid);
  mids.push((await emulator.userSends({ pid: PID, from: 1003n, to: 1001n, message: Buffer.from("61fffe80", "hex") })).mid);
  await client.deleteMessage(mids[3]!, 1002n, 1001n, MessageCategory.P2PMessage);
  const file = await client.sendFile(1001n, 1002n, 50, Buffer.from("file bytes"), { fileName: "a.txt" });
  mids.push(file.mid);
  const fileUrl = (await client.getMessage(file.mid, 1001n, 1002n, MessageCategory.P2PMessage)).fileInfo!.url;
  await client.addGroupMembers(5n, [1001n, 1002n, 1003n]);
  await client.addGroupBan(5n, 1003n, 3600);
  await client.setGroupInfo(5n, "group open", "group private");
  await client.addRoomMember(7n, 1001n);
  await client.addRoomBan(7n, 1002n, 3600);
  await client.setRoomInfo(7n, "room open", "room private");
  await client.addFriends(1001n, [1002n, 1004n]);
  await client.addBlacks(1002n, [1004n]);
  await client.addProjectBlack(1005n, 3600);
  await client.setUserInfo(1001n, "open 1001", "private 1001");
  await client.dataSet(1001n, "key", "value");
  await client.getToken(1001n);
  await client.addDevice(1001n, "fcm", "device-1");
  await client.addDevicePushOption(1001n, 1, 5n, [30, 31]);
  await client.pullIntoRTCRoom(8n, [1001n, 1002n], 1);
  await client.inviteUserIntoRTCRoom(8n, [1003n], 1001n);
  return { fileUrl, mids };
}

/** What the SDK and the admin views read of the populated state (history walked in pages of 3 both ways, cursors included). */
export async function snapshot(emulator: RunningEmulator, client: RTMServerClient, fileUrl: string, mids: readonly bigint[]): Promise<unknown> {
  const walk = async (page: (desc: boolean, lastId: bigint) => Promise<{ messages: { cursorId: bigint; messageId: bigint; fromUid: bigint; toId: bigint; message: string; attrs: string; modifiedTime: bigint }[]; lastCursorId: bigint }>) => {
    const out: unknown[] = [];
    for (const desc of [false, true]) {
      let lastId = 0n;
      for (let pages = 0; pages < 20; pages++) {
        const result = await page(desc, lastId);
        if (result.messages.length === 0) break;
        out.push(result.messages.map((m) => [m.cursorId, m.messageId, m.fromUid, m.toId, m.message, m.attrs, m.modifiedTime]));
        lastId = result.lastCursorId;
      }
    }
    return out;
  };
  const admin = emulator.admin;
  return {
    p2p: await walk((desc, lastId) => client.getP2PChat(1001n, 1002n, desc, 3, 0n, 0n, lastId)),
    p2pBytes: await walk((desc, lastId) => client.getP2PChat(1001n, 1003n, desc, 3, 0n, 0n, lastId)),
    group: await walk((desc, lastId) => client.getGroupChat(5n, desc, 3, 0n, 0n, lastId, 1001n)),
    room: await walk((desc, lastId) => client.getRoomChat(7n, desc, 3, 0n, 0n, lastId, 1001n)),
    broadcast: await walk((desc, lastId) => client.getBroadcastChat(desc, 3, 0n, 0n, lastId, 1001n)),
    getmsg: await client.getMessage(mids[0]!, 1001n, 1002n, MessageCategory.P2PMessage),
    deleted: await failure(client.getMessage(mids[3]!, 1002n, 1001n, MessageCategory.P2PMessage)),
    count: await client.getMessageNum(MessageCategory.GroupMessage, 5n),
    file: Buffer.from(emulator.readFile(fileUrl) ?? []).toString(),
    members: await client.getGroupMembers(5n),
    groupBan: await client.isBanOfGroup(5n, 1003n),
    groupInfo: await client.getGroupInfo(5n),
    roomMembers: await client.getRoomMembers(7n),
    roomBan: await client.isBanOfRoom(7n, 1002n),
    roomInfo: await client.getRoomInfo(7n),
    friends: await client.getFriends(1001n),
    blacks: await client.getBlacks(1002n),
    projectBlack: await client.isProjectBlack(1005n),
    userInfo: await client.getUserInfo(1001n),
    data: await client.dataGet(1001n, "key"),
    token: await client.getToken(1001n),
    options: await client.getDevicePushOption(1001n),
    rtcRooms: await client.getRTCRoomList(),
    rtcMembers: await client.getRTCRoomMembers(8n),
    views: {
      conversations: (["p2p", "group", "room", "broadcast"] as const).map((kind) => admin.conversations(PID, kind)),
      messages: admin.messages(PID, "p2p", "1001", "1002", null, 100),
      users: admin.users(PID),
      groups: admin.groups(PID),
      rooms: admin.rooms(PID),
    },
  };
}
