/**
 * rtmkit demo: starts the RTM emulator in this process and runs a small chat through
 * RTMServerClient, using all 21 chat calls, then a back end's day beyond chat using every other
 * RTM service once. Prints a transcript; exits non-zero on any failure.
 *
 *   npm run demo
 */
import { implement, startEmulator } from "@rtmkit/rtm-emulator";
import * as sdk from "@rtmkit/rtm-server-sdk";
import { MessageCategory, RTMError, RtmErrorCode, RTMServerClient, valueAddedEndpoints, type HistoryMessage } from "@rtmkit/rtm-server-sdk";
import { backEndFlow } from "./demo-back-end.js";

const PID = 11000001;
const SECRET = "demo-secret";
const ALICE = 1001n;
const BOB = 1002n;
const CAROL = 1003n;
const GROUP = 2001n;
const ROOM = 3001n;
const names = new Map([[ALICE, "alice"], [BOB, "bob"], [CAROL, "carol"], [0n, "everyone"]]);

const who = (uid: bigint) => names.get(uid) ?? String(uid);
const step = (title: string) => console.log(`\n== ${title}`);
const line = (text: string) => console.log(`   ${text}`);
const show = (m: HistoryMessage, to = "") =>
  line(`#${m.cursorId} ${who(m.fromUid)}${to}: ${JSON.stringify(m.message)}${m.messageType !== 30 ? ` (mtype ${m.messageType})` : ""}${m.audioInfo ? ` [audio ${m.audioInfo.duration} ms, ${m.audioInfo.recognizedLanguage}]` : ""}`);

async function main(): Promise<void> {
  // The emulator has no translation back end: the demo gives it one, as a test would.
  const translate = implement({ translate: valueAddedEndpoints.translate }, {
    translate: ({ text, dst, src }) => ({ source: src || "de", target: dst, sourceText: text, targetText: text === "Guten Morgen" ? "Good morning" : text }),
  });
  const emulator = await startEmulator({ projects: [{ pid: PID, secret: SECRET }], handlers: [translate] });
  console.log(`RTM emulator listening on ${emulator.endpoint} (project ${PID}, in-memory SQLite)`);
  const client = new RTMServerClient({ pid: PID, secret: SECRET, endpoint: emulator.endpoint, timeout: 5 });
  let calls = 0;
  const used = new Set<string>();
  const call = <T>(name: string, promise: Promise<T>): Promise<T> => {
    calls++;
    used.add(name);
    return promise;
  };
  try {
    step("P2P: sendChat, sendAudio, sendCmd");
    const hi = await call("sendChat", client.sendChat(ALICE, BOB, "Hi Bob, lunch at noon?", '{"lang":"en"}'));
    line(`alice -> bob  "Hi Bob, lunch at noon?"   mid ${hi.mid}, mtime ${new Date(Number(hi.mtime)).toISOString()}`);
    const voice = JSON.stringify({ sl: "en", rl: "en-GB", rt: "Sure, see you there", du: 2300 });
    await call("sendAudio", client.sendAudio(BOB, ALICE, voice, ""));
    line(`bob -> alice  a 2.3 s voice note (recognised: "Sure, see you there")`);
    await call("sendCmd", client.sendCmd(ALICE, BOB, "typing", ""));
    line(`alice -> bob  command "typing"`);

    step("Several users at once: sendChats, sendAudios, sendCmds");
    await call("sendChats", client.sendChats(CAROL, [ALICE, BOB], "Can I join?", ""));
    await call("sendAudios", client.sendAudios(CAROL, [ALICE, BOB], JSON.stringify({ sl: "en", rl: "en", rt: "I'll bring dessert", du: 1500 }), ""));
    await call("sendCmds", client.sendCmds(CAROL, [ALICE, BOB], "presence:online", ""));
    line("carol -> alice and bob: a chat, a voice note and a command (one stored message per recipient)");

    step("Group and room: sendGroupChat/Audio/Cmd, sendRoomChat/Audio/Cmd");
    for (let i = 1; i <= 24; i++) await call("sendGroupChat", client.sendGroupChat([ALICE, BOB, CAROL][i % 3]!, GROUP, `group note ${i}`, ""));
    await call("sendGroupAudio", client.sendGroupAudio(BOB, GROUP, JSON.stringify({ sl: "en", rl: "en", rt: "voice in the group", du: 900 }), ""));
    await call("sendGroupCmd", client.sendGroupCmd(ALICE, GROUP, "pin:1", ""));
    line(`24 chats, a voice note and a command in group ${GROUP}`);
    await call("sendRoomChat", client.sendRoomChat(ALICE, ROOM, "Welcome to the lobby", ""));
    await call("sendRoomAudio", client.sendRoomAudio(BOB, ROOM, "raw audio bytes would go here", ""));
    await call("sendRoomCmd", client.sendRoomCmd(CAROL, ROOM, "wave", ""));
    line(`3 messages in room ${ROOM}`);

    step("Broadcast: broadcastChat, broadcastAudio, broadcastCmd");
    await call("broadcastChat", client.broadcastChat(ALICE, "Maintenance tonight at 22:00", ""));
    await call("broadcastAudio", client.broadcastAudio(ALICE, JSON.stringify({ sl: "en", rl: "en", rt: "Maintenance tonight", du: 1100 }), ""));
    await call("broadcastCmd", client.broadcastCmd(ALICE, "banner:maintenance", ""));

    step("getP2PChat: the alice/bob conversation, newest first");
    const p2p = await call("getP2PChat", client.getP2PChat(ALICE, BOB, true, 20, 0, 0, 0));
    for (const m of p2p.messages) show(m, ` -> ${who(m.toId)}`);

    step(`getGroupChat: group ${GROUP} page by page (8 per page, oldest first)`);
    let lastId = 0n;
    for (let page = 1; ; page++) {
      const result = await call("getGroupChat", client.getGroupChat(GROUP, false, 8, 0, 0, lastId, ALICE));
      line(`page ${page}: ${result.count} messages, cursor ${result.lastCursorId}: ${result.messages.map((m) => m.message.replace("group note ", "#")).join(" ")}`);
      if (result.count < 8) break;
      lastId = result.lastCursorId;
    }
    step("iterateGroupChat: the newest 5, walking backwards with the async iterator");
    let shown = 0;
    for await (const m of client.iterateGroupChat(GROUP, { uid: ALICE, desc: true, pageSize: 3 })) {
      show(m);
      if (++shown === 5) break;
    }

    step("getRoomChat and getBroadcastChat");
    for (const m of (await call("getRoomChat", client.getRoomChat(ROOM, false, 20, 0, 0, 0, BOB))).messages) show(m, ` in room ${ROOM}`);
    for (const m of (await call("getBroadcastChat", client.getBroadcastChat(false, 20, 0, 0, 0, CAROL))).messages) show(m, " to everyone");

    step("getChat, then deleteChat");
    const got = await call("getChat", client.getChat(hi.mid, ALICE, BOB, MessageCategory.P2PMessage));
    line(`getChat(mid ${hi.mid}) -> ${JSON.stringify(got.message)}, attrs ${got.attrs}, cursor ${got.cursorId}`);
    await call("deleteChat", client.deleteChat(hi.mid, ALICE, BOB, MessageCategory.P2PMessage));
    line("deleteChat -> done");
    try {
      await client.getChat(hi.mid, ALICE, BOB, MessageCategory.P2PMessage);
      throw new Error("the deleted message is still there");
    } catch (error) {
      if (!(error instanceof RTMError) || error.code !== RtmErrorCode.MessageNotFound) throw error;
      line(`getChat again -> RTMError ${error.code} (${error.message})`);
    }
    const after = await client.getP2PChat(ALICE, BOB, false, 20, 0, 0, 0);
    line(`the conversation now has ${after.count} messages; the first is ${JSON.stringify(after.messages[0]?.message)}`);

    step("Errors are typed: bob writing to himself");
    try {
      await client.sendChat(BOB, BOB, "note to self", "");
    } catch (error) {
      if (!(error instanceof RTMError) || error.code !== RtmErrorCode.SendToSelf) throw error;
      line(`RTMError ${error.code} from ${error.raiser}: ${error.message}`);
    }

    const expected = [
      "sendChat", "sendAudio", "sendCmd", "sendChats", "sendAudios", "sendCmds", "sendGroupChat", "sendGroupAudio", "sendGroupCmd",
      "sendRoomChat", "sendRoomAudio", "sendRoomCmd", "broadcastChat", "broadcastAudio", "broadcastCmd", "getGroupChat", "getRoomChat",
      "getBroadcastChat", "getP2PChat", "getChat", "deleteChat",
    ];
    const missing = expected.filter((name) => !used.has(name));
    if (missing.length > 0) throw new Error(`the demo skipped ${missing.join(", ")}`);

    await backEndFlow(client, emulator, call, { pid: PID, alice: ALICE, bob: BOB, carol: CAROL, team: 2002n, lobby: 3002n });
    const services = [sdk.fileGate.fileGateMethods, sdk.friends.friendsMethods, sdk.groups.groupsMethods, sdk.rooms.roomsMethods, sdk.users.usersMethods, sdk.data.dataMethods, sdk.devices.devicesMethods, sdk.listen.listenMethods, sdk.valueAdded.valueAddedMethods, sdk.rtc.rtcMethods];
    const unused = services.filter((methods) => !Object.keys(methods).some((name) => used.has(name))).map((methods) => Object.values(methods)[0]!.service.name);
    if (unused.length > 0) throw new Error(`the demo skipped the services ${unused.join(", ")}`);
    console.log(`\nDone: all ${expected.length} chat calls and ${services.length} more services used (${calls} calls in all).`);
  } finally {
    await client.close();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
