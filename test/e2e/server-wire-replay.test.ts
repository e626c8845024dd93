// The reference C++ SDK's non-chat frames (test/vectors/rtm-server-wire.json) replayed byte for byte to the
// emulator, one socket, in capture order, each written once the previous one is answered: state evolves from
// frame to frame (addfriends, then delfriends, then getfriends...), and each answer is the one the emulator's
// docs (docs/emulator/*.md, docs/protocol/rtm-wire.md) say it gives at that point.
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { encodeQuest, FrameDecoder, FrameType, packPayload, unpackPayload, type Payload } from "@rtmkit/fpnn";
import { implement } from "@rtmkit/rtm-emulator";
import { valueAddedEndpoints, type ValueAddedHandlers } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulator, onCleanup, signed, type RawAnswer } from "./helpers.js";

interface VectorCall {
  call: string;
  variant?: string;
  method?: string;
  frameHex?: string;
  keys?: { key: string; wire: string; value: unknown }[];
  gateFrames?: { method: string; frameHex: string }[];
}
interface ServerWireVectors {
  pid: number;
  secret: string;
  answers: Record<string, Payload>;
  calls: VectorCall[];
}

const vectors = JSON.parse(readFileSync(new URL("../vectors/rtm-server-wire.json", import.meta.url), "utf8")) as ServerWireVectors;
const { pid: PID, secret: SECRET } = vectors;

/** Every gateway frame of the capture carries this ts (checked below): the emulator's clock is set to it. */
const FRAME_TS = 1796287387;
const NOW = BigInt(FRAME_TS) * 1000n + 500n;
const BIG = 9007199254740993n;
const MID = 7712190559145689089n; // the mid getmsg, delmsg and stranscribe name
const AUDIO = Buffer.from("2321414d522d57420a3c911716be667800", "hex"); // transcribe's audio: a str that is not UTF-8

/** The gateway frames in capture order, with the index of their call. */
const gatewayFrames = vectors.calls.flatMap((call, index) => (call.frameHex === undefined ? [] : [{ index, call, frame: Buffer.from(call.frameHex, "hex") }]));

/** The mid a send of the capture carried. */
function midOf(index: number): bigint {
  return BigInt(String(vectors.calls[index]!.keys!.find((k) => k.key === "mid")!.value));
}

// ---------------------------------------------------------------------------------------------------------
// What each frame is answered, in order. `ok(payload)` is a success answer (integers as bigint);
// `refused(code, text)` an error answer from the emulator whose message contains `text`.

type Expected = { ok: unknown } | { code: number; text: string } | typeof FILE_GATE;
const ok = (payload: unknown): Expected => ({ ok: payload });
const refused = (code: number, text: string): Expected => ({ code, text });

/**
 * Every filetoken frame, the 'GroupFile'/'BroadcastFile' spellings of the reference's cmd bug included, answers
 * {token, endpoint}. The gate frames (gateFrames) themselves are replayed in test/e2e/files.test.ts.
 */
const FILE_GATE = { ok: { token: expect.any(String), endpoint: expect.stringMatching(/^.+:\d+$/) } } as const;

const noService = (method: string, service: string) => refused(200060, `${method}: the emulator has no ${service} service`);

const expected: [index: number, method: string, answer: Expected][] = [
  // Sends (rtm-wire.md): {mtime} = the server clock. Rows 1 and 2 are the messages stored before the replay.
  [0, "sendmsg", ok({ mtime: NOW })], // row 3
  [1, "sendmsgs", ok({ mtime: NOW })], // rows 4, 5 (one per recipient)
  [2, "sendgroupmsg", ok({ mtime: NOW })], // row 6
  [3, "sendroommsg", ok({ mtime: NOW })], // row 7
  [4, "broadcastmsg", ok({ mtime: NOW })], // row 8
  // History: begin..end of 2020 holds nothing (every message is at NOW); an empty page repeats lastid, begin, end with num 0.
  [5, "getgroupmsg", ok({ num: 0n, lastid: BIG, begin: 1597990000000n, end: 1598000000000n, msgs: [] })],
  // Descending, every type (mtypes []): the room's two rows; end becomes the last row's mtime.
  [
    6,
    "getroommsg",
    ok({
      num: 2n,
      lastid: 2n,
      begin: 0n,
      end: NOW,
      msgs: [
        [7n, 1001n, 127n, midOf(3), false, "generic room", "", NOW],
        [2n, 1001n, 66n, MID, false, "stored before the replay (room)", "", NOW],
      ],
    }),
  ],
  // num 300 is capped at 20; the broadcast is at NOW, after end.
  [7, "getbroadcastmsg", ok({ num: 0n, lastid: 0n, begin: 0n, end: 1598000000000n, msgs: [] })],
  // mtypes [66]: the sendmsg row, not the sendmsgs rows (67); direction 1 = sent by uid; ascending, begin becomes its mtime.
  [8, "getp2pmsg", ok({ num: 1n, lastid: 3n, begin: NOW, end: 0n, msgs: [[3n, 1n, 66n, midOf(0), false, "generic p2p", '{"k":1}', NOW]] })],
  [9, "getmsg", ok({ id: 1n, mtype: 66n, msg: "stored before the replay (group)", attrs: "", mtime: NOW })],
  [10, "delmsg", ok({})],
  // friends.md: mutual friendship, directed blacklists.
  [11, "addfriends", ok({})],
  [12, "delfriends", ok({})],
  [13, "getfriends", ok({ uids: [BIG] })], // 1002 was removed again
  [14, "isfriend", ok({ ok: false })],
  [15, "isfriends", ok({ fuids: [] })],
  [16, "addblacks", ok({})],
  [17, "delblacks", ok({})],
  [18, "isblack", ok({ ok: false })], // 1004 no longer blacks anyone
  [19, "isblacks", ok({ buids: [] })],
  [20, "getblacks", ok({ uids: [] })],
  // groups.md
  [21, "addgroupmembers", ok({})],
  [22, "delgroupmembers", ok({})],
  [23, "delgroup", ok({})], // removes 1001 too
  [24, "getgroupmembers", ok({ uids: [] })],
  [25, "isgroupmember", ok({ ok: false })],
  [26, "getusergroups", ok({ gids: [] })],
  [27, "addgroupban", ok({})],
  [28, "removegroupban", ok({})],
  [29, "isbanofgroup", ok({ ok: false })],
  [30, "setgroupinfo", ok({})],
  [31, "setgroupinfo", ok({})], // pinfo only: oinfo keeps its value
  [32, "getgroupinfo", ok({ oinfo: "group open info", pinfo: "only pinfo" })],
  // users.md: a token of 32 lowercase hex digits; online = those marked by setOnline.
  [33, "gettoken", ok({ token: expect.stringMatching(/^[0-9a-f]{32}$/) })],
  [34, "getonlineusers", ok({ uids: [1001n, BIG] })],
  // rooms.md, users.md
  [35, "addroomban", ok({})],
  [36, "removeroomban", ok({})],
  [37, "addprojectblack", ok({})],
  [38, "removeprojectblack", ok({})],
  [39, "isbanofroom", ok({ ok: false })],
  [40, "isprojectblack", ok({ ok: false })],
  [41, "filetoken", FILE_GATE], // cmd sendfile
  [42, "filetoken", FILE_GATE], // cmd sendfiles
  [43, "filetoken", FILE_GATE], // cmd sendroomfile
  [44, "filetoken", FILE_GATE], // cmd 'GroupFile' (the reference's bug)
  [45, "filetoken", FILE_GATE], // cmd 'BroadcastFile' (the reference's bug)
  [46, "addroommember", ok({})],
  [47, "delroommember", ok({})],
  // Listen state belongs to the connection; every form answers {}.
  [48, "addlisten", ok({})],
  [49, "removelisten", ok({})],
  [50, "setlisten", ok({})],
  [51, "setlisten", ok({})], // auth keys only: listens to nothing
  [52, "setlisten", ok({})],
  // devices.md, users.md
  [53, "adddevice", ok({})],
  [54, "removedevice", ok({})],
  [55, "removetoken", ok({})],
  [56, "kickout", ok({})],
  // The file sends' filetoken quests (their gate frames go to the file gate, not here).
  [58, "filetoken", FILE_GATE],
  [59, "filetoken", FILE_GATE],
  [60, "filetoken", FILE_GATE], // cmd 'GroupFile'
  [61, "filetoken", FILE_GATE],
  [62, "filetoken", FILE_GATE], // cmd 'BroadcastFile'
  [63, "filetoken", FILE_GATE],
  [64, "filetoken", FILE_GATE],
  // Value-added without handlers: 200060 naming the service (src/services/value-added.ts; README).
  [65, "translate", noService("translate", "translation")],
  [66, "translate", noService("translate", "translation")],
  [67, "profanity", noService("profanity", "profanity filter")],
  [68, "transcribe", noService("transcribe", "speech recognition")],
  [69, "transcribe", noService("transcribe", "speech recognition")],
  [71, "profanity", noService("profanity", "profanity filter")], // the reference's transcribe of header audio
  [72, "stranscribe", noService("stranscribe", "speech recognition")],
  // users.md: an absent field keeps its value; getuseropeninfo answers every uid, "" without oinfo.
  [73, "setuserinfo", ok({})],
  [74, "setuserinfo", ok({})], // neither field: changes nothing
  [75, "getuserinfo", ok({ oinfo: "user open info", pinfo: "user private info" })],
  [76, "getuseropeninfo", ok({ info: { "1001": "user open info", "1002": "" } })],
  // rooms.md
  [77, "setroominfo", ok({})],
  [78, "getroominfo", ok({ oinfo: "room open info", pinfo: "" })],
  // data.md: dataget of an absent key answers {} without val.
  [79, "dataset", ok({})],
  [80, "dataget", ok({ val: '{"lvl":3}' })],
  [81, "datadel", ok({})],
  [82, "addlisten", ok({})], // the reference's async removeListen (sends addlisten)
  [83, "dataget", ok({})], // deleted by datadel
];

// ---------------------------------------------------------------------------------------------------------

/** Success payloads with every integer as bigint, so small and big ids compare alike. */
function asBigInts(value: unknown): unknown {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(asBigInts);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asBigInts(v)]));
  return value;
}

/** What an answer is, in the table's terms. */
function outcome(answer: RawAnswer): unknown {
  if (answer.status === 0) return { ok: asBigInts(answer.payload) };
  return { code: answer.payload.code, text: answer.payload.ex, raiser: answer.payload.raiser };
}

function expectation(e: Expected): unknown {
  if ("ok" in e) return e;
  return { code: e.code, text: expect.stringContaining(e.text), raiser: "rtm-emulator" };
}

/** One socket to the emulator; each frame is written after the previous one is answered. */
async function session(endpoint: string): Promise<(frame: Uint8Array) => Promise<RawAnswer>> {
  const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(":")), Number(endpoint.slice(endpoint.lastIndexOf(":") + 1))];
  const socket = connect(port, host);
  onCleanup(async () => socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const decoder = new FrameDecoder();
  let waiting: { resolve: (a: RawAnswer) => void; reject: (e: Error) => void } | undefined;
  socket.on("data", (chunk) => {
    decoder.push(chunk);
    for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
      if (frame.type !== FrameType.Answer) continue;
      const w = waiting;
      waiting = undefined;
      w?.resolve({ seq: frame.seq, status: frame.status, payload: unpackPayload(frame.payload) });
    }
  });
  socket.on("close", () => waiting?.reject(new Error("the emulator closed the connection")));
  return (frame) =>
    new Promise<RawAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer in 5 s")), 5000);
      waiting = {
        resolve: (a) => (clearTimeout(timer), resolve(a)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      socket.write(frame);
    });
}

/** The messages getmsg and delmsg of the capture address (mid MID from 1001 in group 2001 and room 3001), stored first. */
async function storeAddressedMessages(ask: (frame: Uint8Array) => Promise<RawAnswer>): Promise<void> {
  const auth = (method: string, salt: bigint) => signed(method, { pid: PID, secret: SECRET, ts: FRAME_TS, salt });
  const group = { ...auth("sendgroupmsg", 1n), mtype: 66, from: 1001, gid: 2001, mid: MID, msg: "stored before the replay (group)", attrs: "" };
  const room = { ...auth("sendroommsg", 2n), mtype: 66, from: 1001, rid: 3001, mid: MID, msg: "stored before the replay (room)", attrs: "" };
  expect(outcome(await ask(encodeQuest("sendgroupmsg", packPayload(group), 1)))).toEqual({ ok: { mtime: NOW } }); // row 1
  expect(outcome(await ask(encodeQuest("sendroommsg", packPayload(room), 2)))).toEqual({ ok: { mtime: NOW } }); // row 2
}

const valueAdded = new Set(["translate", "profanity", "transcribe", "stranscribe"]);

describe("rtm-server-wire.json replayed to the emulator", () => {
  it("holds 89 frames: 82 on the gateway, all with one ts, and 7 file-gate frames of the 7 file sends", () => {
    expect(gatewayFrames).toHaveLength(82);
    const gate = vectors.calls.flatMap((c) => c.gateFrames ?? []);
    expect(gate.map((g) => g.method)).toEqual(["sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile", "sendfile", "sendfile"]);
    expect(new Set(gatewayFrames.map(({ call }) => Number(call.keys!.find((k) => k.key === "ts")!.value)))).toEqual(new Set([FRAME_TS]));
    // The table has one row per gateway frame, in capture order.
    expect(expected.map(([index, method]) => [index, method])).toEqual(gatewayFrames.map(({ index, call }) => [index, call.method]));
  });

  it("answers every gateway frame as the emulator's docs say, in capture order (value-added: 200060 without handlers)", async () => {
    const server = await emulator({ projects: [{ pid: PID, secret: SECRET }], now: () => Number(NOW) });
    server.setOnline(PID, 1001, true);
    server.setOnline(PID, BIG, true);
    const ask = await session(server.endpoint);
    await storeAddressedMessages(ask);

    for (const [i, { index, call, frame }] of gatewayFrames.entries()) {
      const [, method, want] = expected[i]!;
      const answer = await ask(frame);
      const label = `#${index} ${call.call}${call.variant === undefined ? "" : ` (${call.variant})`} -> ${method}`;
      expect(answer.seq, label).toBe(frame.readUInt32LE(12));
      expect(answer.status === 0 || answer.payload.code !== 20004, `${label}: no frame may be an unknown method`).toBe(true);
      expect({ frame: label, answer: outcome(answer) }).toEqual({ frame: label, answer: expectation(want) });
    }
  });

  it("answers the value-added frames from the user's handlers given through startEmulator({ handlers })", async () => {
    const seen: { method: string; request: unknown }[] = [];
    const { translate, profanity, transcribe, stranscribe } = vectors.answers as Record<string, Payload>;
    // The other five value-added methods keep the emulator's 200060.
    const handlers: Pick<ValueAddedHandlers, "translate" | "profanity" | "transcribe" | "stranscribe"> = {
      translate: (request) => (seen.push({ method: "translate", request }), translate as never),
      profanity: (request) => (seen.push({ method: "profanity", request }), profanity as never),
      transcribe: (request) => (seen.push({ method: "transcribe", request: { ...request, audio: Buffer.from(request.audio).toString("hex") } }), transcribe as never),
      stranscribe: (request) => (seen.push({ method: "stranscribe", request }), stranscribe as never),
    };
    const server = await emulator({ projects: [{ pid: PID, secret: SECRET }], now: () => Number(NOW), handlers: [implement(valueAddedEndpoints, handlers as ValueAddedHandlers)] });
    const ask = await session(server.endpoint);

    const frames = gatewayFrames.filter(({ call }) => valueAdded.has(call.method!));
    expect(frames.map(({ index }) => index)).toEqual([65, 66, 67, 68, 69, 71, 72]);
    const answers = [];
    for (const { frame } of frames) answers.push(outcome(await ask(frame)));
    expect(answers).toEqual(frames.map(({ call }) => ({ ok: asBigInts(vectors.answers[call.method!]) })));
    // What the handlers got: the frames decoded by the IDL (int64 as bigint), the audio byte for byte.
    expect(seen).toEqual([
      { method: "translate", request: { text: "hello world", dst: "zh-CN", src: "en", type: "mail", profanity: "censor", uid: 1001n } },
      { method: "translate", request: { text: "hola", dst: "en", src: "", type: "chat", profanity: "off", uid: 0n } },
      { method: "profanity", request: { text: "you are a badword", classify: true, uid: 1001n } },
      { method: "transcribe", request: { audio: AUDIO.toString("hex"), profanityFilter: true, uid: 1001n } },
      { method: "transcribe", request: { audio: AUDIO.toString("hex"), profanityFilter: false } },
      { method: "profanity", request: { text: "cached words", classify: false, uid: 1001n } },
      { method: "stranscribe", request: { from: 1001n, mid: MID, xid: 1002n, type: 1, profanityFilter: true } },
    ]);
  });
});
