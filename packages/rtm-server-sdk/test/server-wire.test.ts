// The reference C++ SDK's 84 non-chat calls (test/vectors/rtm-server-wire.json): the same calls made through
// the generated SDK against a capturing FPNN server put frames equal in meaning on the wire (method, key set,
// values, msgpack type family per key), and the SDK reads each canned answer into the typed result.
import { readFileSync } from "node:fs";
import { FpnnServer, type Payload } from "@rtmkit/fpnn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeSign, MessageCategory, RTMError, RTMServerClient } from "../src/index.js";

// ---------------------------------------------------------------------------------------------------------
// The vectors

interface VectorKey {
  key: string;
  wire: string;
  value: unknown;
  valueHex?: string;
}
interface VectorCall {
  call: string;
  variant?: string;
  signature: string;
  args: Record<string, unknown>;
  /** Absent when the reference sent nothing (loadFile, transcribe answered locally). */
  method?: string;
  frameHex?: string;
  headerHex?: string;
  payloadHex?: string;
  keys?: VectorKey[];
  signVerified?: boolean;
  answer?: { status: number; object: unknown; payloadHex: string };
  gateFrames?: unknown[];
  methodMismatch?: { expected: string; sent: string }[];
  result: Record<string, unknown>;
}
interface ServerWireVectors {
  pid: number;
  secret: string;
  sampleArgs: Record<string, unknown>;
  answers: Record<string, Record<string, unknown>>;
  coverage: { callsInThisFile: number; framesInThisFile: number; fpnnMethods: string[] };
  calls: VectorCall[];
}

const vectors = JSON.parse(readFileSync(new URL("../../../test/vectors/rtm-server-wire.json", import.meta.url), "utf8")) as ServerWireVectors;
const { pid: PID, secret: SECRET } = vectors;

const BIG = 9007199254740993n; // sampleArgs.big: above 2^53, travels as uint64
const MID = 7712190559145689089n; // sampleArgs.mid
const FILE = Buffer.from(String(vectors.sampleArgs.fileDataHex), "hex");
const AUDIO = Buffer.from(String(vectors.sampleArgs.audioHex), "hex");
/** Audio with an RTM audio header (byte 3 = 1 section, LE length, then msgpack {rtext, rlang}): calls 70 and 71. */
const HEADER_AUDIO = Buffer.from(String(vectors.calls[70]!.args.audioHex), "hex");
/** What the capture answers the sends (the vectors' answer to them, an int64 of ms). */
const SEND_MTIME = 1796287387551n;

// ---------------------------------------------------------------------------------------------------------
// A tiny msgpack reader: each value with its type family, read from the raw payload bytes, so the comparison
// does not depend on the SDK's own decoder (which could share a bug with its encoder).

type Family = "uint" | "int" | "str" | "bin" | "array" | "map" | "bool" | "nil" | "float" | "ext";
interface Node {
  family: Family;
  /** ints as bigint, str as its bytes, bin as bytes, arrays and maps of Nodes, bools, null, numbers. */
  value: unknown;
}

function readMsgpack(bytes: Uint8Array): Node {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new Error(`msgpack: truncated at ${at}`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const u8 = () => view.getUint8(at++);
  const u16 = () => ((at += 2), view.getUint16(at - 2));
  const u32 = () => ((at += 4), view.getUint32(at - 4));
  const items = (n: number): Node[] => Array.from({ length: n }, () => read());
  const pairs = (n: number): [Node, Node][] => Array.from({ length: n }, () => [read(), read()]);
  const read = (): Node => {
    const b = u8();
    if (b <= 0x7f) return { family: "uint", value: BigInt(b) };
    if (b >= 0xe0) return { family: "int", value: BigInt(b - 0x100) };
    if (b >= 0xa0 && b <= 0xbf) return { family: "str", value: take(b & 0x1f) };
    if (b >= 0x90 && b <= 0x9f) return { family: "array", value: items(b & 0x0f) };
    if (b >= 0x80 && b <= 0x8f) return { family: "map", value: pairs(b & 0x0f) };
    switch (b) {
      case 0xc0: return { family: "nil", value: null };
      case 0xc2: return { family: "bool", value: false };
      case 0xc3: return { family: "bool", value: true };
      case 0xc4: return { family: "bin", value: take(u8()) };
      case 0xc5: return { family: "bin", value: take(u16()) };
      case 0xc6: return { family: "bin", value: take(u32()) };
      case 0xca: return { family: "float", value: ((at += 4), view.getFloat32(at - 4)) };
      case 0xcb: return { family: "float", value: ((at += 8), view.getFloat64(at - 8)) };
      case 0xcc: return { family: "uint", value: BigInt(u8()) };
      case 0xcd: return { family: "uint", value: BigInt(u16()) };
      case 0xce: return { family: "uint", value: BigInt(u32()) };
      case 0xcf: return { family: "uint", value: ((at += 8), view.getBigUint64(at - 8)) };
      case 0xd0: return { family: "int", value: BigInt(((at += 1), view.getInt8(at - 1))) };
      case 0xd1: return { family: "int", value: BigInt(((at += 2), view.getInt16(at - 2))) };
      case 0xd2: return { family: "int", value: BigInt(((at += 4), view.getInt32(at - 4))) };
      case 0xd3: return { family: "int", value: ((at += 8), view.getBigInt64(at - 8)) };
      case 0xd9: return { family: "str", value: take(u8()) };
      case 0xda: return { family: "str", value: take(u16()) };
      case 0xdb: return { family: "str", value: take(u32()) };
      case 0xdc: return { family: "array", value: items(u16()) };
      case 0xdd: return { family: "array", value: items(u32()) };
      case 0xde: return { family: "map", value: pairs(u16()) };
      case 0xdf: return { family: "map", value: pairs(u32()) };
      default: throw new Error(`msgpack: unsupported byte 0x${b.toString(16)} at ${at - 1}`);
    }
  };
  const node = read();
  if (at !== bytes.length) throw new Error(`msgpack: ${bytes.length - at} trailing bytes`);
  return node;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A str as text when it is UTF-8, else as its bytes in hex (the C++ SDK sends audio and files as str). */
function strMeaning(bytes: Uint8Array): string | { strHex: string } {
  try {
    return utf8.decode(bytes);
  } catch {
    return { strHex: Buffer.from(bytes).toString("hex") };
  }
}

/** What a value means: ints as bigint (whatever their encoding), strs as text, arrays and maps recursively. */
function meaning(node: Node): unknown {
  switch (node.family) {
    case "str":
      return strMeaning(node.value as Uint8Array);
    case "bin":
      return { binHex: Buffer.from(node.value as Uint8Array).toString("hex") };
    case "array":
      return (node.value as Node[]).map(meaning);
    case "map":
      return (node.value as [Node, Node][]).map(([k, v]) => [meaning(k), meaning(v)]);
    default:
      return node.value;
  }
}

/** The type family of a value, arrays and maps with their items' families (`array<uint,uint>`). */
function familyOf(node: Node): string {
  if (node.family === "array") return `array<${(node.value as Node[]).map(familyOf).join(",")}>`;
  if (node.family === "map") return `map<${(node.value as [Node, Node][]).map(([k, v]) => `${familyOf(k)}:${familyOf(v)}`).join(",")}>`;
  return node.family;
}

/** The vectors' `wire` names by family (positive_fixint, uint16, fixstr, str8, fixarray, bool...). */
function familyOfWire(wire: string): Family {
  if (wire === "positive_fixint" || /^uint(8|16|32|64)$/.test(wire)) return "uint";
  if (wire === "negative_fixint" || /^int(8|16|32|64)$/.test(wire)) return "int";
  if (wire === "fixstr" || /^str(8|16|32)$/.test(wire)) return "str";
  if (/^bin(8|16|32)$/.test(wire)) return "bin";
  if (wire === "fixarray" || /^array(16|32)$/.test(wire)) return "array";
  if (wire === "fixmap" || /^map(16|32)$/.test(wire)) return "map";
  if (wire === "bool") return "bool";
  throw new Error(`unknown wire type ${wire}`);
}

/** A quest payload's top-level keys in the order sent, each with its node. */
function topLevel(payload: Uint8Array): Map<string, Node> {
  const root = readMsgpack(payload);
  if (root.family !== "map") throw new Error("payload is not a map");
  const out = new Map<string, Node>();
  for (const [k, v] of root.value as [Node, Node][]) {
    if (k.family !== "str") throw new Error("payload key is not a str");
    out.set(utf8.decode(k.value as Uint8Array), v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The capture server

interface Captured {
  method: string;
  /** The payload's raw bytes, copied out of the frame. */
  raw: Uint8Array;
  /** Header bytes 4..6 of the frame: version, flag (0x80 msgpack), type (1 two-way quest). */
  header: [number, number, number];
}

/** Vector values above 2^53 are decimal strings: as bigint for the answers the capture sends. */
function withBigInts(value: unknown): unknown {
  if (typeof value === "string" && /^\d{16,}$/.test(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(withBigInts);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBigInts(v)]));
  return value;
}

/** The canned answer of a method (`answers`; `{listen}` = the capture's address), else what capture.py answered. */
function cannedAnswer(method: string, listen: string): Payload {
  const answer = vectors.answers[method];
  if (answer !== undefined) return withBigInts(JSON.parse(JSON.stringify(answer).replaceAll("{listen}", listen))) as Payload;
  return method.startsWith("send") || method === "broadcastmsg" ? { mtime: SEND_MTIME } : {};
}

// ---------------------------------------------------------------------------------------------------------
// The calls, in the vectors' order: the C++ call mapped to the SDK's, and the typed result the SDK reads
// from the canned answer.

type Sdk = RTMServerClient;
/** Checks what a custom case sent (every quest of the call) and what it read. */
type Check = (sent: Captured[], result: unknown, vector: VectorCall) => void;

interface SameCall {
  kind: "same";
  call: string;
  variant?: string;
  run: (sdk: Sdk) => Promise<unknown>;
  /** The typed result (a function: it depends on what was sent, e.g. the generated mid). */
  result: unknown | ((sent: Captured) => unknown);
  /** Keys whose values differ on purpose: ours and the reference's (a documented difference). */
  differs?: Record<string, { ours: unknown; reference: unknown; why: string }>;
  /** The FPNN method differs on purpose (a documented difference). */
  methodDiffers?: { ours: string; reference: string; why: string };
  /** Call through the client that does not validate arguments (a documented difference: see the entry). */
  unvalidated?: { why: string; refusedBy: (sdk: Sdk) => Promise<unknown> };
}
/** A call whose comparison is written out (the reference sends another method, or nothing). */
interface CustomCall {
  kind: "custom";
  call: string;
  variant?: string;
  why: string;
  run: (sdk: Sdk) => Promise<unknown>;
  check: Check;
}
/** A call with no SDK counterpart here: the reason says where it is covered. */
interface ExcludedCall {
  kind: "excluded";
  call: string;
  variant?: string;
  why: string;
}
type CallCase = SameCall | CustomCall | ExcludedCall;

const none = undefined;

const cases: CallCase[] = [
  { kind: "same", call: "sendMessage", run: (c) => c.sendMessage(1001, 1002, 66, "generic p2p", '{"k":1}'), result: sendResult },
  { kind: "same", call: "sendMessages", run: (c) => c.sendMessages(1001, [1002, BIG], 67, "generic multi", ""), result: sendResult },
  { kind: "same", call: "sendGroupMessage", run: (c) => c.sendGroupMessage(1001, 2001, 68, "generic group", ""), result: sendResult },
  { kind: "same", call: "sendRoomMessage", run: (c) => c.sendRoomMessage(1001, 3001, 127, "generic room", ""), result: sendResult },
  { kind: "same", call: "broadcastMessage", run: (c) => c.broadcastMessage(1001, 51, "generic broadcast", ""), result: sendResult },
  {
    kind: "same",
    call: "getGroupMessage",
    run: (c) => c.getGroupMessage(2001, false, 20, 1597990000000, 1598000000000, BIG, [31, 66], 1001),
    result: {
      count: 2,
      lastCursorId: BIG,
      beginMsec: 1597990000000n,
      endMsec: 1598000000000n,
      messages: [
        { cursorId: 11n, fromUid: 1001n, toId: 2001n, messageType: 66, messageId: MID, message: "group generic", attrs: "{}", modifiedTime: 1597990000123n },
        {
          cursorId: 12n,
          fromUid: 1002n,
          toId: 2001n,
          messageType: 31,
          messageId: MID + 1n,
          message: "recognized audio",
          attrs: "",
          modifiedTime: 1597990000456n,
          audioInfo: { sourceLanguage: "en", recognizedLanguage: "en-US", recognizedText: "recognized audio", duration: 3 },
        },
      ],
    },
  },
  {
    kind: "same",
    call: "getRoomMessage",
    variant: "empty mtypes",
    run: (c) => c.getRoomMessage(3001, true, 10, 0, 0, 0, [], 1001),
    result: { count: 0, lastCursorId: 0n, beginMsec: 0n, endMsec: 0n, messages: [] },
  },
  {
    kind: "same",
    call: "getBroadcastMessage",
    run: (c) => c.getBroadcastMessage(true, 300, 0, 1598000000000, 0, [51], 1001),
    unvalidated: {
      // (f) The IDL caps a history page at 20 (docs/protocol/rtm-wire.md: "the SDK refuses more before
      // sending"); the C++ SDK has no argument checks and sends num 300. With validate: false ours sends the
      // reference's frame.
      why: "count 300 is over the IDL's max 20: refused before sending unless validate is false",
      refusedBy: (c) => c.getBroadcastMessage(true, 300, 0, 1598000000000, 0, [51], 1001),
    },
    result: {
      count: 1,
      lastCursorId: 21n,
      beginMsec: 0n,
      endMsec: 1598000000000n,
      messages: [{ cursorId: 21n, fromUid: 1001n, toId: 0n, messageType: 51, messageId: 123n, message: "broadcast generic", attrs: "", modifiedTime: 1597999999999n }],
    },
  },
  {
    kind: "same",
    call: "getP2PMessage",
    run: (c) => c.getP2PMessage(1001, 1002, false, 10, 0, 0, 0, [66]),
    // As the reference: the deleted row is dropped, direction 1/2 becomes (uid, ouid)/(ouid, uid), count stays 3.
    result: {
      count: 3,
      lastCursorId: 33n,
      beginMsec: 0n,
      endMsec: 0n,
      messages: [
        { cursorId: 31n, fromUid: 1001n, toId: 1002n, messageType: 66, messageId: 301n, message: "from me", attrs: "", modifiedTime: 1500n },
        { cursorId: 32n, fromUid: 1002n, toId: 1001n, messageType: 66, messageId: 302n, message: "from peer", attrs: "", modifiedTime: 1600n },
      ],
    },
  },
  {
    kind: "same",
    call: "getMessage",
    run: (c) => c.getMessage(MID, 1001, 2001, MessageCategory.GroupMessage),
    result: { cursorId: BIG, messageType: 66, message: "retrieved", attrs: '{"a":1}', modifiedTime: 1598000000123n },
  },
  { kind: "same", call: "deleteMessage", run: (c) => c.deleteMessage(MID, 1001, 3001, MessageCategory.RoomMessage), result: none },
  { kind: "same", call: "addFriends", run: (c) => c.addFriends(1001, [1002, BIG]), result: none },
  { kind: "same", call: "deleteFriends", run: (c) => c.deleteFriends(1001, [1002]), result: none },
  { kind: "same", call: "getFriends", run: (c) => c.getFriends(1001), result: { friendUserIds: [1002n, BIG] } },
  { kind: "same", call: "isFriend", run: (c) => c.isFriend(1001, 1002), result: { isFriend: true } },
  { kind: "same", call: "isFriends", run: (c) => c.isFriends(1001, [1002, 1003]), result: { friendUserIds: [1002n] } },
  { kind: "same", call: "addBlacks", run: (c) => c.addBlacks(1001, [1004]), result: none },
  { kind: "same", call: "deleteBlacks", run: (c) => c.deleteBlacks(1001, [1004]), result: none },
  { kind: "same", call: "isBlack", run: (c) => c.isBlack(1001, 1004), result: { isBlack: true } },
  { kind: "same", call: "isBlacks", run: (c) => c.isBlacks(1001, [1004, 1005]), result: { blackUserIds: [1005n] } },
  { kind: "same", call: "getBlacks", run: (c) => c.getBlacks(1001), result: { blackUserIds: [1004n] } },
  { kind: "same", call: "addGroupMembers", run: (c) => c.addGroupMembers(2001, [1001, 1002]), result: none },
  { kind: "same", call: "deleteGroupMembers", run: (c) => c.deleteGroupMembers(2001, [1002]), result: none },
  { kind: "same", call: "deleteGroup", run: (c) => c.deleteGroup(2001), result: none },
  { kind: "same", call: "getGroupMembers", run: (c) => c.getGroupMembers(2001), result: { members: [1001n, BIG] } },
  { kind: "same", call: "isGroupMember", run: (c) => c.isGroupMember(2001, 1001), result: { isMember: true } },
  { kind: "same", call: "getUserGroups", run: (c) => c.getUserGroups(1001), result: { groupIds: [2001n, 2002n] } },
  { kind: "same", call: "addGroupBan", run: (c) => c.addGroupBan(2001, 1002, 300), result: none },
  { kind: "same", call: "removeGroupBan", run: (c) => c.removeGroupBan(2001, 1002), result: none },
  { kind: "same", call: "isBanOfGroup", run: (c) => c.isBanOfGroup(2001, 1002), result: { isBan: true } },
  { kind: "same", call: "setGroupInfo", run: (c) => c.setGroupInfo(2001, "group open info", "group private info"), result: none },
  // C++ nullptr oinfo -> undefined: the key is left out.
  { kind: "same", call: "setGroupInfo", variant: "oinfo nullptr (key omitted)", run: (c) => c.setGroupInfo(2001, undefined, "only pinfo"), result: none },
  { kind: "same", call: "getGroupInfo", run: (c) => c.getGroupInfo(2001), result: { oinfo: "group open (answer)", pinfo: "group private (answer)" } },
  { kind: "same", call: "getToken", run: (c) => c.getToken(1001), result: { token: "login-token-1001" } },
  { kind: "same", call: "getOnlineUsers", run: (c) => c.getOnlineUsers([1001, 1002, BIG]), result: { onlineUserIds: [1001n, BIG] } },
  { kind: "same", call: "addRoomBan", run: (c) => c.addRoomBan(3001, 1002, 600), result: none },
  { kind: "same", call: "removeRoomBan", run: (c) => c.removeRoomBan(3001, 1002), result: none },
  { kind: "same", call: "addProjectBlack", run: (c) => c.addProjectBlack(1002, 86400), result: none },
  { kind: "same", call: "removeProjectBlack", run: (c) => c.removeProjectBlack(1002), result: none },
  { kind: "same", call: "isBanOfRoom", run: (c) => c.isBanOfRoom(3001, 1002), result: { isBan: true } },
  { kind: "same", call: "isProjectBlack", run: (c) => c.isProjectBlack(1002), result: { isBlack: true } },
  // C++ fileToken(from, FileTokenType, toId | toIds): FileTokenType 1..5 = sendfile, sendfiles, sendroomfile,
  // sendgroupfile, broadcastfile; ours takes the cmd and the one target key that goes with it.
  { kind: "same", call: "fileToken", variant: "toId overload, P2PFile", run: (c) => c.fileToken(1001, "sendfile", 1002), result: fileTokenResult },
  { kind: "same", call: "fileToken", variant: "toIds overload, MultiFiles", run: (c) => c.fileToken(1001, "sendfiles", undefined, [1002, 1003]), result: fileTokenResult },
  { kind: "same", call: "fileToken", variant: "toId overload, RoomFile", run: (c) => c.fileToken(1001, "sendroomfile", undefined, undefined, 3001), result: fileTokenResult },
  {
    kind: "same",
    call: "fileToken",
    variant: "toId overload, GroupFile",
    run: (c) => c.fileToken(1001, "sendgroupfile", undefined, undefined, undefined, 2001),
    result: fileTokenResult,
    // (a) The reference's cmd bug: it sends the enum's name; the gate quest itself is sendgroupfile.
    differs: { cmd: { ours: "sendgroupfile", reference: "GroupFile", why: "(a) the reference fileToken cmd bug" } },
  },
  {
    kind: "same",
    call: "fileToken",
    variant: "toId overload, BroadcastFile",
    run: (c) => c.fileToken(1001, "broadcastfile"),
    result: fileTokenResult,
    // (a) As above; broadcast sends no target key (C++ toId 0 -> no argument).
    differs: { cmd: { ours: "broadcastfile", reference: "BroadcastFile", why: "(a) the reference fileToken cmd bug" } },
  },
  { kind: "same", call: "addRoomMember", run: (c) => c.addRoomMember(3001, 1001), result: none },
  { kind: "same", call: "deleteRoomMember", run: (c) => c.deleteRoomMember(3001, 1001), result: none },
  { kind: "same", call: "addListen", run: (c) => c.addListen([2001], [3001], [1001, BIG], ["login", "logout"]), result: none },
  // addlisten/removelisten send all four arrays, empty ones too.
  { kind: "same", call: "removeListen", variant: "empty roomIds/userIds (still sent)", run: (c) => c.removeListen([2001], [], [], ["logout"]), result: none },
  // setlisten (ids form) sends only the non-empty sets.
  { kind: "same", call: "setListen", variant: "ids overload, empty roomIds (key omitted)", run: (c) => c.setListen([2001, 2002], [], [1001], ["login"]), result: none },
  { kind: "same", call: "setListen", variant: "ids overload, all sets empty (auth keys only)", run: (c) => c.setListen([], [], [], []), result: none },
  // C++ setListen(bools) -> SDK setListenAll.
  { kind: "same", call: "setListen", variant: "bools overload", run: (c) => c.setListenAll(true, false, true, false), result: none },
  { kind: "same", call: "addDevice", run: (c) => c.addDevice(1001, "apns", "device-token-abc123"), result: none },
  { kind: "same", call: "removeDevice", run: (c) => c.removeDevice(1001, "device-token-abc123"), result: none },
  { kind: "same", call: "removeToken", run: (c) => c.removeToken(1001), result: none },
  { kind: "same", call: "kickout", run: (c) => c.kickout(1001, "10.0.0.7:13325"), result: none },
  // (d) loadFile reads a local file into a string and sends nothing: there is no SDK call for it (fileData takes bytes).
  { kind: "excluded", call: "loadFile", variant: "local only (temp file holding fileData)", why: "(d) loadFile is local only: no SDK call, nothing on the wire" },
  fileSend("sendFile", undefined, (c) => c.sendFile(1001, 1002, 50, FILE, { fileName: "photo.jpg" })),
  fileSend("sendFiles", undefined, (c) => c.sendFiles(1001, [1002, 1003], 50, FILE, { fileName: "notes.tar.gz" })),
  fileSend("sendGroupFile", undefined, (c) => c.sendGroupFile(1001, 2001, 40, FILE, { fileName: "img.png" }), { cmd: "sendgroupfile" }),
  fileSend("sendRoomFile", undefined, (c) => c.sendRoomFile(1001, 3001, 41, FILE, { fileName: "voice.amr" })),
  fileSend("broadcastFile", "fileName without a dot (no ext key)", (c) => c.broadcastFile(1001, 42, FILE, { fileName: "README" }), { cmd: "broadcastfile" }),
  fileSend("sendFile", "empty fileName (attrs holds only sign)", (c) => c.sendFile(1001, 1002, 50, FILE, { fileName: "" })),
  fileSend("sendFile", "fileName with a double quote (not escaped in attrs)", (c) => c.sendFile(1001, 1002, 50, FILE, { fileName: 'say "hi".txt' }), {
    attrsInvalid: true,
  }),
  {
    kind: "same",
    call: "translate",
    // C++ TranslateLanguage zh_cn, TranslateType Mail, ProfanityType Censor go out as "zh-CN", "mail", "censor".
    run: (c) => c.translate("hello world", "zh-CN", "en", "mail", "censor", 1001),
    result: { sourceLanguage: "en", targetLanguage: "zh-CN", sourceText: "hello world", targetText: "你好，世界" },
  },
  {
    kind: "same",
    call: "translate",
    variant: "defaults (source None, Chat, Off, userId 0)",
    // All six keys go out with the defaults: src "", type chat, profanity off, uid 0.
    run: (c) => c.translate("hola", "en"),
    result: { sourceLanguage: "en", targetLanguage: "zh-CN", sourceText: "hello world", targetText: "你好，世界" },
  },
  { kind: "same", call: "profanity", run: (c) => c.profanity("you are a badword", true, 1001), result: { text: "you are a *******", classification: ["insult", "spam"] } },
  { kind: "same", call: "transcribe", run: (c) => c.transcribe(AUDIO, 1001, true), result: { text: "transcribed text", lang: "en-US" } },
  // userId 0 (or undefined): the uid key is left out; profanityFilter false is sent.
  { kind: "same", call: "transcribe", variant: "defaults (userId 0: uid key omitted; profanityFilter false)", run: (c) => c.transcribe(AUDIO), result: { text: "transcribed text", lang: "en-US" } },
  {
    kind: "custom",
    call: "transcribe",
    variant: "audio with RTM header: answered locally, nothing sent",
    why:
      "(c) the reference reads an RTM audio header's cached text and answers locally; ours always sends transcribe with the audio as given " +
      "(f459d7b crashes on such audio when byte 4 >= 0xf8, and the reference's HEAD removed transcribe)",
    run: (c) => c.transcribe(HEADER_AUDIO, 1001, false),
    check: (sent, result) => {
      expect(sent.map((s) => s.method)).toEqual(["transcribe"]);
      expectLikeTranscribe(sent[0]!, HEADER_AUDIO, { profanityFilter: false, uid: 1001n });
      expect(result).toEqual({ text: "transcribed text", lang: "en-US" });
    },
  },
  {
    kind: "custom",
    call: "transcribe",
    variant: "audio with RTM header + profanityFilter: sends profanity(cached text)",
    why: "(c) the reference sends profanity(text = the header's cached text, classify false, uid); ours sends transcribe with the audio and profanityFilter true",
    run: (c) => c.transcribe(HEADER_AUDIO, 1001, true),
    check: (sent, result, vector) => {
      expect(vector.method).toBe("profanity");
      expect(sent.map((s) => s.method)).toEqual(["transcribe"]);
      expectLikeTranscribe(sent[0]!, HEADER_AUDIO, { profanityFilter: true, uid: 1001n });
      expect(result).toEqual({ text: "transcribed text", lang: "en-US" });
    },
  },
  {
    kind: "same",
    call: "transcribeMessage",
    run: (c) => c.transcribeMessage(1001, MID, 1002, MessageCategory.P2PMessage, true),
    result: { text: "stranscribed text", lang: "zh-CN" },
  },
  { kind: "same", call: "setUserInfo", run: (c) => c.setUserInfo(1001, "user open info", "user private info"), result: none },
  { kind: "same", call: "setUserInfo", variant: "both nullptr (auth keys + uid only)", run: (c) => c.setUserInfo(1001), result: none },
  { kind: "same", call: "getUserInfo", run: (c) => c.getUserInfo(1001), result: { oinfo: "user open (answer)", pinfo: "user private (answer)" } },
  {
    kind: "same",
    call: "getUserOpenInfo",
    run: (c) => c.getUserOpenInfo([1001, 1002]),
    // The answer's map is keyed by decimal strings; ours reads it keyed by bigint.
    result: { info: new Map([[1001n, "open 1001"], [1002n, "open 1002"]]) },
  },
  { kind: "same", call: "setRoomInfo", variant: "pinfo nullptr (key omitted)", run: (c) => c.setRoomInfo(3001, "room open info"), result: none },
  { kind: "same", call: "getRoomInfo", run: (c) => c.getRoomInfo(3001), result: { oinfo: "room open (answer)", pinfo: "room private (answer)" } },
  { kind: "same", call: "dataSet", run: (c) => c.dataSet(1001, "profile", '{"lvl":3}'), result: none },
  { kind: "same", call: "dataGet", run: (c) => c.dataGet(1001, "profile"), result: { value: '{"lvl":3}' } },
  { kind: "same", call: "dataDelete", run: (c) => c.dataDelete(1001, "profile"), result: none },
  {
    kind: "same",
    call: "removeListen",
    variant: "async form",
    run: (c) => c.removeListen([2001], [], [], ["logout"]),
    result: none,
    // (b) The reference's async removeListen builds an addlisten quest (_getAddListenQuest); ours sends removelisten.
    methodDiffers: { ours: "removelisten", reference: "addlisten", why: "(b) the reference's async removeListen sends addlisten" },
  },
  {
    kind: "custom",
    call: "dataGet",
    variant: "async form",
    why: "(g) the reference's async dataGet reads val only on an error (inverted test) and reports \"\"; ours reads the value",
    run: (c) => c.dataGet(1001, "profile"),
    check: (sent, result, vector) => {
      expect(sent).toHaveLength(1);
      expectSameFrame(sent[0]!, vector);
      expect(vector.result).toEqual({ value: "" });
      expect(result).toEqual({ value: '{"lvl":3}' });
    },
  },
];

function sendResult(sent: Captured): unknown {
  // The reference truncates mtime into an int32 (modifyTime); ours reads the int64.
  return { mtime: SEND_MTIME, mid: topLevel(sent.raw).get("mid")!.value };
}

function fileTokenResult(): unknown {
  return { token: "file-token-xyz", endpoint: h.endpoint };
}

// ---------------------------------------------------------------------------------------------------------
// The comparison

const AUTH = ["pid", "sign", "salt", "ts"];

/** Our frame against the reference's: method, header, key set, values (but the auth keys and a generated mid), families. */
function expectSameFrame(ours: Captured, vector: VectorCall, options: Pick<SameCall, "differs" | "methodDiffers"> = {}): void {
  const reference = Buffer.from(vector.payloadHex!, "hex");
  const header = Buffer.from(vector.headerHex!, "hex");
  expect(ours.header, "version, flag, type").toEqual([header[4], header[5], header[6]]);
  if (options.methodDiffers) {
    expect(vector.method).toBe(options.methodDiffers.reference);
    expect(ours.method).toBe(options.methodDiffers.ours);
  } else {
    expect(ours.method).toBe(vector.method);
  }

  const mine = topLevel(ours.raw);
  const theirs = topLevel(reference);
  // The reader agrees with the vector's own account of the reference frame.
  expect([...theirs.keys()]).toEqual(vector.keys!.map((k) => k.key));
  for (const k of vector.keys!) expect(theirs.get(k.key)!.family, `${k.key} (${k.wire})`).toBe(familyOfWire(k.wire));

  expect([...mine.keys()].sort(), "key set").toEqual([...theirs.keys()].sort());
  const generatedMid = isSend(vector.method!);
  for (const [key, node] of theirs) {
    const our = mine.get(key)!;
    expect(familyOf(our), `family of ${key}`).toBe(familyOf(node));
    if (AUTH.includes(key) || (key === "mid" && generatedMid)) continue;
    const differs = options.differs?.[key];
    if (differs !== undefined) {
      expect(meaning(node), `${key}: ${differs.why}`).toEqual(differs.reference);
      expect(meaning(our), `${key}: ${differs.why}`).toEqual(differs.ours);
      continue;
    }
    expect(meaning(our), key).toEqual(meaning(node));
  }
  expectSigned(ours);
  if (generatedMid) expectPositiveInt64(mine.get("mid")!, "mid");
}

/** pid, a valid sign of our own quest, a positive int64 salt, a ts near now. */
function expectSigned(ours: Captured): void {
  const keys = topLevel(ours.raw);
  expect([...keys.keys()].slice(0, 4), "the envelope first").toEqual(AUTH);
  const pid = keys.get("pid")!;
  expect(pid.family).toBe("uint");
  expect(pid.value).toBe(BigInt(PID));
  const salt = keys.get("salt")!;
  expectPositiveInt64(salt, "salt");
  const ts = keys.get("ts")!;
  expect(ts.family).toBe("uint");
  expect(Math.abs(Number(ts.value) - Date.now() / 1000)).toBeLessThan(60);
  const sign = keys.get("sign")!;
  expect(sign.family).toBe("str");
  expect(meaning(sign)).toBe(computeSign(PID, SECRET, salt.value as bigint, ours.method, Number(ts.value)));
  expect(meaning(sign)).toMatch(/^[0-9A-F]{32}$/);
}

function expectPositiveInt64(node: Node, key: string): void {
  expect(node.family, key).toBe("uint");
  expect((node.value as bigint) > 0n && (node.value as bigint) < 2n ** 63n, key).toBe(true);
}

/** Ours for the header-audio calls: the key set and families of the reference's plain transcribe (call 68), the audio byte for byte. */
function expectLikeTranscribe(ours: Captured, audio: Uint8Array, values: { profanityFilter: boolean; uid: bigint }): void {
  const plain = vectors.calls[68]!;
  expect(plain.method).toBe("transcribe");
  expect(ours.method).toBe("transcribe");
  const mine = topLevel(ours.raw);
  const theirs = topLevel(Buffer.from(plain.payloadHex!, "hex"));
  expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
  for (const [key, node] of theirs) expect(familyOf(mine.get(key)!), key).toBe(familyOf(node));
  // A str, like the reference's audio: the bytes as given, not re-encoded.
  expect(Buffer.from(mine.get("audio")!.value as Uint8Array).equals(Buffer.from(audio))).toBe(true);
  expect(mine.get("profanityFilter")!.value).toBe(values.profanityFilter);
  expect(mine.get("uid")!.value).toBe(values.uid);
  expectSigned(ours);
}

interface GateFrame {
  method: string;
  headerHex: string;
  payloadHex: string;
  keys: VectorKey[];
}

/**
 * A file send: filetoken on the gateway (compared like any call) and the quest to the file gate it names (here the
 * capture itself): the same key set, families and values, but the generated mid; attrs compared as JSON.
 * `cmd`: (a) the reference's cmd bug, ours sends the gate method. `attrsInvalid`: the reference pastes the name
 * unescaped into attrs (invalid JSON); ours is JSON with the same name.
 */
function fileSend(call: string, variant: string | undefined, run: (sdk: Sdk) => Promise<unknown>, expected: { cmd?: string; attrsInvalid?: true } = {}): CustomCall {
  return {
    kind: "custom",
    call,
    ...(variant === undefined ? {} : { variant }),
    why: "filetoken, then the gate quest: both frames equal in meaning (mid generated, attrs as JSON)",
    run,
    check: (sent, result, vector) => {
      expect(sent.map((q) => q.method)).toEqual(["filetoken", (vector.gateFrames![0] as GateFrame).method]);
      const differs = expected.cmd === undefined ? undefined : { cmd: { ours: expected.cmd, reference: meaning(topLevel(Buffer.from(vector.payloadHex!, "hex")).get("cmd")!), why: "(a) the reference fileToken cmd bug" } };
      expectSameFrame(sent[0]!, vector, differs === undefined ? {} : { differs });
      const gate = vector.gateFrames![0] as GateFrame;
      const header = Buffer.from(gate.headerHex, "hex");
      expect(sent[1]!.header).toEqual([header[4], header[5], header[6]]);
      const mine = topLevel(sent[1]!.raw);
      const theirs = topLevel(Buffer.from(gate.payloadHex, "hex"));
      expect([...mine.keys()].sort(), "gate key set").toEqual([...theirs.keys()].sort());
      for (const [key, node] of theirs) {
        const our = mine.get(key)!;
        expect(familyOf(our), `gate ${key} family`).toBe(familyOf(node));
        if (key === "mid") expectPositiveInt64(our, "mid");
        else if (key === "attrs" && expected.attrsInvalid) {
          expect(() => JSON.parse(meaning(node) as string)).toThrow();
          expect(JSON.parse(meaning(our) as string)).toMatchObject({ filename: 'say "hi".txt', ext: "txt" });
        } else if (key === "attrs") expect(JSON.parse(meaning(our) as string), "attrs").toEqual(JSON.parse(meaning(node) as string));
        else expect(meaning(our), `gate ${key}`).toEqual(meaning(node));
      }
      const answer = cannedAnswer(gate.method, h.endpoint) as { mtime: number };
      expect(result).toEqual({ mtime: BigInt(answer.mtime), mid: mine.get("mid")!.value });
    },
  };
}

function isSend(method: string): boolean {
  return ["sendmsg", "sendmsgs", "sendgroupmsg", "sendroommsg", "broadcastmsg"].includes(method);
}

// ---------------------------------------------------------------------------------------------------------

interface Capture {
  endpoint: string;
  received: Captured[];
  strict: Sdk;
  lax: Sdk;
  close(): Promise<void>;
}

async function capture(): Promise<Capture> {
  const server = new FpnnServer();
  const received: Captured[] = [];
  let endpoint = "";
  // Every method of the vectors, and every one the SDK might send instead.
  const methods = new Set([...vectors.coverage.fpnnMethods, "transcribe", "removelisten"]);
  for (const method of methods) {
    server.handle(method, (_payload, { frame }) => {
      received.push({ method, raw: Uint8Array.from(frame.payload), header: [frame.version, frame.flag, frame.type] });
      return cannedAnswer(method, endpoint);
    });
  }
  const { port } = await server.listen(0, "127.0.0.1");
  endpoint = `127.0.0.1:${port}`;
  const strict = new RTMServerClient({ pid: PID, secret: SECRET, endpoint, autoReconnect: false });
  const lax = new RTMServerClient({ pid: PID, secret: SECRET, endpoint, autoReconnect: false, validate: false });
  return {
    endpoint,
    received,
    strict,
    lax,
    async close() {
      await strict.close();
      await lax.close();
      await server.close();
    },
  };
}

let h: Capture;

describe("rtm-server-wire.json: the reference C++ SDK's non-chat calls made through the SDK", () => {
  beforeAll(async () => {
    h = await capture();
  });
  afterAll(() => h.close());

  it("has one case per call, in the vectors' order (84 calls, 89 frames)", () => {
    expect(vectors.calls).toHaveLength(84);
    expect(vectors.coverage.callsInThisFile).toBe(84);
    const frames = vectors.calls.reduce((n, c) => n + (c.frameHex === undefined ? 0 : 1) + (c.gateFrames?.length ?? 0), 0);
    expect(frames).toBe(89);
    expect(vectors.coverage.framesInThisFile).toBe(89);
    expect(cases.map((c) => [c.call, c.variant])).toEqual(vectors.calls.map((c) => [c.call, c.variant]));
    // Every reference frame on the gateway was signed correctly, and computeSign (which checks ours) makes the same signs.
    for (const c of vectors.calls) {
      if (c.frameHex === undefined) continue;
      expect(c.signVerified, c.call).toBe(true);
      const keys = topLevel(Buffer.from(c.payloadHex!, "hex"));
      const [salt, ts, sign] = [keys.get("salt")!.value as bigint, Number(keys.get("ts")!.value), meaning(keys.get("sign")!)];
      expect(computeSign(PID, SECRET, salt, c.method!, ts), c.call).toBe(sign);
    }
  });

  it("reads a send's mtime as the int64 it is, where the reference truncates it into an int32 modifyTime", () => {
    // The sends' results below are { mtime: SEND_MTIME, mid }: the whole int64.
    for (const c of vectors.calls.slice(0, 5)) {
      const mtime = BigInt((c.answer!.object as { mtime: { value: number } }).mtime.value);
      expect(c.result.modifyTime, c.call).toBe(Number(BigInt.asIntN(32, mtime)));
      expect(BigInt(c.result.modifyTime as number)).not.toBe(mtime);
    }
  });

  it("excludes only loadFile, which sends nothing", () => {
    const excluded = cases.filter((c): c is ExcludedCall => c.kind === "excluded");
    expect(excluded.map((c) => c.call)).toEqual(["loadFile"]);
    expect(vectors.calls[cases.indexOf(excluded[0]!)]!.frameHex).toBeUndefined();
  });

  for (const [i, c] of cases.entries()) {
    if (c.kind === "excluded") continue;
    const label = `#${i} ${c.call}${c.variant === undefined ? "" : ` (${c.variant})`}`;
    it(`${label}: ${c.kind === "custom" ? c.why : "the same frame in meaning, and the typed result"}`, async () => {
      const vector = vectors.calls[i]!;
      const before = h.received.length;
      if (c.kind === "custom") {
        const result = await c.run(h.strict);
        c.check(h.received.slice(before), result, vector);
        return;
      }
      let sdk = h.strict;
      if (c.unvalidated) {
        const refused = await c.unvalidated.refusedBy(h.strict).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(RTMError.is(refused) && refused.code, c.unvalidated.why).toBe(200034);
        expect(h.received.length, "refused before sending").toBe(before);
        sdk = h.lax;
      }
      const result = await c.run(sdk);
      const sent = h.received.slice(before);
      expect(sent, "one quest").toHaveLength(1);
      expectSameFrame(sent[0]!, vector, c);
      expect(result).toEqual(typeof c.result === "function" ? (c.result as (s: Captured) => unknown)(sent[0]!) : c.result);
    });
  }
});
