// The official RTM Node SDK's listener: the frames that SDK sends, recorded byte for byte in
// fixtures/node-sdk-listener.json (salt, ts and sign left as placeholders), sent over a raw socket; the pushes
// answered as that SDK answers them. No rtmkit code on the listener's side but the frame header parsing here.
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { unpackPayload, type Payload } from "@rtmkit/fpnn";
import { computeSign } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulatorForTest, onCleanup, PID, SECRET, until } from "./push-helpers.js";

interface Fixture {
  pid: number;
  setlisten: { method: string; seq: number; keys: string[]; frameHex: string };
  pushAnswer: { frameHex: string };
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/node-sdk-listener.json", import.meta.url), "utf8")) as Fixture;

/** A frame as received: two-way quest (1) or answer (2), its seq, method (quests), status (answers), payload bytes. */
interface RawFrame {
  type: number;
  seq: number;
  method: string;
  status: number;
  payload: Buffer;
  bytes: Buffer;
}

/** Splits FPNN frames off a byte stream by their headers (docs/protocol/fpnn-frame.md). */
class FrameReader {
  readonly frames: RawFrame[] = [];
  #rest = Buffer.alloc(0);

  push(chunk: Buffer): void {
    let data = Buffer.concat([this.#rest, chunk]);
    while (data.length >= 16) {
      expect(data.subarray(0, 4).toString("latin1")).toBe("FPNN");
      expect(data[5]).toBe(0x80); // msgpack
      const type = data[6]!;
      const size = data.readUInt32LE(8);
      const seq = data.readUInt32LE(12);
      const methodLength = type === 1 ? data[7]! : 0;
      const total = 16 + methodLength + size;
      if (data.length < total) break;
      this.frames.push({
        type,
        seq,
        method: data.subarray(16, 16 + methodLength).toString("latin1"),
        status: type === 2 ? data[7]! : 0,
        payload: Buffer.from(data.subarray(16 + methodLength, total)),
        bytes: Buffer.from(data.subarray(0, total)),
      });
      data = data.subarray(total);
    }
    this.#rest = Buffer.from(data);
  }
}

function fill(template: string, values: Record<string, string>): Buffer {
  const hex = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {{${name}}}`);
    return value;
  });
  expect(hex).toMatch(/^([0-9a-f]{2})+$/);
  return Buffer.from(hex, "hex");
}

describe("the official RTM Node SDK's listener", () => {
  it("listens with its setlisten frame, gets every push kind with the keys RTM's SDKs read, and its answers count as answered", async () => {
    const emulator = await emulatorForTest();
    expect(fixture.pid).toBe(PID);
    const socket: Socket = connect({ host: emulator.host, port: emulator.port });
    onCleanup(() => socket.destroy());
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const reader = new FrameReader();
    const answered = new Set<number>();
    socket.on("data", (chunk: Buffer) => {
      reader.push(chunk);
      // Like the SDK: every push is answered as soon as its frame is parsed, with the empty map and the push's seq.
      for (const frame of reader.frames) {
        if (frame.type !== 1 || answered.has(frame.seq)) continue;
        answered.add(frame.seq);
        const seq = Buffer.alloc(4);
        seq.writeUInt32LE(frame.seq);
        socket.write(fill(fixture.pushAnswer.frameHex, { seq: seq.toString("hex") }));
      }
    });

    // Node's MidGenerator salt: ms * 1000 + a counter; ts in seconds; the sign in uppercase hex.
    const ts = Math.floor(Date.now() / 1000);
    const salt = BigInt(Date.now()) * 1000n + 1n;
    const sign = computeSign(PID, SECRET, salt, fixture.setlisten.method, ts);
    expect(sign).toMatch(/^[0-9A-F]{32}$/);
    const saltBytes = Buffer.alloc(8);
    saltBytes.writeBigInt64BE(salt);
    const tsBytes = Buffer.alloc(4);
    tsBytes.writeUInt32BE(ts);
    const setlisten = fill(fixture.setlisten.frameHex, { sign: Buffer.from(sign, "latin1").toString("hex"), salt: saltBytes.toString("hex"), ts: tsBytes.toString("hex") });
    // The frame is what the fixture says it is: those keys, in that order, with the values just signed.
    const quest = unpackPayload(setlisten.subarray(16 + fixture.setlisten.method.length));
    expect(Object.keys(quest)).toEqual(fixture.setlisten.keys);
    expect({ ...quest, salt: BigInt(quest.salt as number) }).toEqual({ pid: PID, sign, salt, ts, group: true, room: true, p2p: true, ev: true });
    socket.write(setlisten);
    await until(() => reader.frames.some((frame) => frame.type === 2), 5000, "the setlisten answer");
    const answer = reader.frames.find((frame) => frame.type === 2)!;
    expect([answer.seq, answer.status, answer.payload.toString("hex")]).toEqual([fixture.setlisten.seq, 0, "80"]);

    const p2p = await emulator.userSends({ pid: PID, from: 1001n, to: 1002n, message: "hi" });
    const group = await emulator.userSends({ pid: PID, from: 1001n, gid: 2001n, mtype: 32, message: "cmd" });
    const room = await emulator.userSends({ pid: PID, from: 1001n, rid: 3001n, mtype: 51, message: "room", attrs: "{}" });
    emulator.userLogin(PID, 1001n);
    await until(() => reader.frames.filter((frame) => frame.type === 1).length === 4, 5000, "four pushes");

    const pushes = reader.frames.filter((frame) => frame.type === 1).map((frame) => ({ method: frame.method, payload: unpackPayload(frame.payload) as Payload }));
    expect(pushes.map((push) => [push.method, Object.keys(push.payload)])).toEqual([
      ["pushmsg", ["from", "to", "mtype", "mid", "msg", "attrs", "mtime"]],
      ["pushgroupmsg", ["from", "gid", "mtype", "mid", "msg", "attrs", "mtime"]],
      ["pushroommsg", ["from", "rid", "mtype", "mid", "msg", "attrs", "mtime"]],
      ["pushevent", ["pid", "event", "uid", "time", "endpoint", "data"]],
    ]);
    const big = (value: unknown) => BigInt(value as number | bigint);
    expect(pushes.slice(0, 3).map(({ payload }) => [big(payload.from), big(payload.to ?? payload.gid ?? payload.rid), payload.mtype, big(payload.mid), payload.msg, payload.attrs, big(payload.mtime)])).toEqual([
      [1001n, 1002n, 30, p2p.mid, "hi", "", p2p.mtime],
      [1001n, 2001n, 32, group.mid, "cmd", "", group.mtime],
      [1001n, 3001n, 51, room.mid, "room", "{}", room.mtime],
    ]);
    expect(pushes[3]!.payload).toMatchObject({ pid: PID, event: "login", uid: 1001, endpoint: emulator.endpoint, data: "" });
    expect(pushes[3]!.payload.time).toBe(Math.floor(Number(pushes[3]!.payload.time)));

    // Its answers are answers: every push counts as answered, none timed out or failed.
    await until(() => emulator.pushStats().answered === 4, 5000, "four answers counted");
    expect(emulator.pushStats()).toEqual({ sent: 4, answered: 4, dropped: 0, timedOut: 0, failed: 0 });
  });
});
