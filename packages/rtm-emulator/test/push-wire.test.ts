// Every push kind on the wire: exactly the keys RTM's SDKs read (docs/emulator/push.md), in that order, each value of its
// msgpack type in the smallest encoding, bodies as the sender's bytes. Real sockets, the emulator's own server.
import { packValue, StrBytes, type Payload } from "@rtmkit/fpnn";
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulatorForTest, listening, onCleanup, PID, SECRET, sender, until, type ReceivedPush } from "./push-helpers.js";

const ALL = { p2p: true, group: true, room: true, ev: true };
const NOT_UTF8 = Buffer.from("61fffe8000c32862", "hex");

type Family = "int" | "str";

/** The top-level keys of a push payload, in wire order, each with its msgpack family and raw value bytes. */
function wireEntries(raw: Buffer): { key: string; family: Family; bytes: Buffer }[] {
  let at = 0;
  const header = raw[at++]!;
  if (header < 0x80 || header > 0x8f) throw new Error(`not a fixmap: 0x${header.toString(16)}`);
  const strLength = (): number => {
    const b = raw[at++]!;
    if (b >= 0xa0 && b <= 0xbf) return b & 0x1f;
    if (b === 0xd9) return raw[at++]!;
    if (b === 0xda) return ((at += 2), raw.readUInt16BE(at - 2));
    if (b === 0xdb) return ((at += 4), raw.readUInt32BE(at - 4));
    throw new Error(`not a str: 0x${b.toString(16)} at ${at - 1}`);
  };
  const intLength = (b: number): number | undefined => {
    if (b <= 0x7f || b >= 0xe0) return 0;
    return ({ 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8 } as Record<number, number>)[b];
  };
  const entries: { key: string; family: Family; bytes: Buffer }[] = [];
  for (let i = 0; i < (header & 0x0f); i++) {
    const keyLength = strLength();
    const key = raw.subarray(at, (at += keyLength)).toString("latin1");
    const start = at;
    const ints = intLength(raw[at]!);
    if (ints !== undefined) {
      at += 1 + ints;
      entries.push({ key, family: "int", bytes: raw.subarray(start, at) });
    } else {
      const length = strLength();
      at += length;
      entries.push({ key, family: "str", bytes: raw.subarray(start, at) });
    }
  }
  expect(at).toBe(raw.length);
  return entries;
}

/** Checks keys (in order), families, smallest integers and the values; answers the decoded payload. */
function expectWire(push: ReceivedPush, expected: Record<string, bigint | number | string | StrBytes>): Payload {
  const entries = wireEntries(push.raw);
  expect(entries.map((e) => e.key)).toEqual(Object.keys(expected));
  for (const entry of entries) {
    const value = expected[entry.key]!;
    const isInt = typeof value === "bigint" || typeof value === "number";
    expect(`${entry.key}: ${entry.family}`).toBe(`${entry.key}: ${isInt ? "int" : "str"}`);
    // packValue writes every integer in its smallest form and a str with its smallest header: the bytes must be those.
    expect(entry.bytes.toString("hex"), entry.key).toBe(packValue(value).toString("hex"));
  }
  return push.payload;
}

describe("push payloads on the wire", () => {
  it("pushmsg, pushgroupmsg and pushroommsg carry from, to|gid|rid, mtype, mid, msg, attrs, mtime", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, ALL);
    const send = sender(emulator);
    const p2p = await send("sendmsg", { mtype: 30, from: 1001n, to: 1002n, mid: 7n, msg: "hello", attrs: '{"k":1}' });
    const group = await send("sendgroupmsg", { mtype: 32, from: 1001n, gid: 2001n, mid: 2n ** 62n, msg: "cmd", attrs: "" });
    const room = await send("sendroommsg", { mtype: 127, from: 70_000n, rid: 3001n, mid: 9n, msg: "é".repeat(40), attrs: "a" });
    const [m, g, r] = await listener.received(3);
    expectWire(m!, { from: 1001n, to: 1002n, mtype: 30, mid: 7n, msg: "hello", attrs: '{"k":1}', mtime: p2p.mtime as bigint });
    expect(m!.method).toBe("pushmsg");
    expectWire(g!, { from: 1001n, gid: 2001n, mtype: 32, mid: 2n ** 62n, msg: "cmd", attrs: "", mtime: group.mtime as bigint });
    expect(g!.method).toBe("pushgroupmsg");
    expectWire(r!, { from: 70_000n, rid: 3001n, mtype: 127, mid: 9n, msg: "é".repeat(40), attrs: "a", mtime: room.mtime as bigint });
    expect(r!.method).toBe("pushroommsg");
  });

  it("a body that is not UTF-8 goes out as a str of exactly the sender's bytes", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, { p2p: true });
    const send = sender(emulator);
    const { mtime } = await send("sendmsg", { mtype: 31, from: 1n, to: 2n, mid: 1n, msg: new StrBytes(NOT_UTF8), attrs: new StrBytes(NOT_UTF8) });
    const [push] = await listener.received(1);
    expectWire(push!, { from: 1n, to: 2n, mtype: 31, mid: 1n, msg: new StrBytes(NOT_UTF8), attrs: new StrBytes(NOT_UTF8), mtime: mtime as bigint });
  });

  it("pushevent carries pid, event, uid, time (seconds), endpoint (the emulator's) and data ''", async () => {
    const at = Math.floor(Date.now() / 1000) * 1000 + 456; // a still clock, near the real one (the quests' ts are checked against it)
    const seconds = Math.floor(at / 1000);
    const emulator = await emulatorForTest({ now: () => at });
    const listener = await listening(emulator, { ev: true });
    emulator.userLogin(PID, 1001n);
    emulator.userLogout(PID, 2n ** 40n); // never online: its presence does not change, nothing is pushed
    emulator.userLogin(PID, 2n ** 40n);
    emulator.userLogout(PID, 2n ** 40n);
    const pushes = await listener.received(3);
    expect(pushes.map((p) => p.method)).toEqual(["pushevent", "pushevent", "pushevent"]);
    expectWire(pushes[0]!, { pid: PID, event: "login", uid: 1001n, time: seconds, endpoint: emulator.endpoint, data: "" });
    expectWire(pushes[1]!, { pid: PID, event: "login", uid: 2n ** 40n, time: seconds, endpoint: emulator.endpoint, data: "" });
    expectWire(pushes[2]!, { pid: PID, event: "logout", uid: 2n ** 40n, time: seconds, endpoint: emulator.endpoint, data: "" });
  });

  it("ping is the empty map, sent to listening connections every pushPingSeconds", async () => {
    const emulator = await emulatorForTest({ pushPingSeconds: 0.1 });
    const listener = await listening(emulator, { uids: [5n] });
    const quiet = await listening(emulator, {}); // listens to nothing: no ping
    await listener.received(2);
    expect(listener.pushes.slice(0, 2).map((p) => [p.method, p.raw.toString("hex")])).toEqual([
      ["ping", "80"],
      ["ping", "80"],
    ]);
    expect(quiet.pushes).toEqual([]);
    await until(() => emulator.pushStats().answered >= 2, 5000, "two pings answered");
  });

  it("file sends through the gate are pushed as message pushes with the stored msg (mtype 40..50)", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, ALL);
    const client = new RTMServerClient({ pid: PID, secret: SECRET, endpoint: emulator.endpoint, autoReconnect: false });
    onCleanup(() => client.close());
    const file = Buffer.from("89504e470d0a1a0a", "hex");
    const p2p = await client.sendFile(1001n, 1002n, 50, file, { fileName: "a.bin", mid: 11n });
    const many = await client.sendFiles(1001n, [1002n, 1003n], 42, file, { fileName: "b.mp4", mid: 12n });
    const group = await client.sendGroupFile(1001n, 2001n, 40, file, { fileName: "c.png", mid: 13n });
    const room = await client.sendRoomFile(1001n, 3001n, 41, file, { fileName: "d.amr", mid: 14n });
    const pushes = await listener.received(5);
    const big = (value: unknown) => BigInt(value as number | bigint);
    expect(pushes.map((p) => [p.method, p.payload.mtype, big(p.payload.mid), big(p.payload.to ?? p.payload.gid ?? p.payload.rid), big(p.payload.mtime)])).toEqual([
      ["pushmsg", 50, 11n, 1002n, p2p.mtime],
      ["pushmsg", 42, 12n, 1002n, many.mtime],
      ["pushmsg", 42, 12n, 1003n, many.mtime],
      ["pushgroupmsg", 40, 13n, 2001n, group.mtime],
      ["pushroommsg", 41, 14n, 3001n, room.mtime],
    ]);
    for (const push of pushes) {
      const stored = await client.getMessage(push.payload.mid as bigint, 1001n, (push.payload.to ?? push.payload.gid ?? push.payload.rid) as bigint, push.method === "pushmsg" ? 1 : push.method === "pushgroupmsg" ? 2 : 3);
      expect(push.payload.msg).toBe(stored.message);
      expect(push.payload.attrs).toBe(stored.attrs);
      expect(JSON.parse(push.payload.msg as string)).toMatchObject({ url: expect.stringMatching(/^rtm-emulator:\/\//), size: file.length });
    }
  });
});
