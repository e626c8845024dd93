import { afterEach, describe, expect, it } from "vitest";
import { encodeAnswer, encodeQuest, FrameFlag } from "../src/frame.js";
import { packPayload, packValue, unpackPayload } from "../src/msgpack/index.js";
import type { FpnnServer } from "../src/server.js";
import { newClient, rawClient, startServer, type RawPeer } from "./helpers.js";

let server: FpnnServer;
let port: number;
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.destroy();
  await server.close();
});

async function serve(maxFrameSize?: number): Promise<void> {
  ({ server, port } = await startServer(maxFrameSize === undefined ? undefined : { maxFrameSize }));
  server.handle("echo", (p) => p);
}

async function peer(): Promise<RawPeer> {
  const p = await rawClient(port);
  peers.push(p);
  return p;
}

const good = encodeQuest("echo", packPayload({ ok: 1 }), 1);

const badInputs: [string, Buffer][] = [
  ["bad magic", Buffer.concat([Buffer.from("GET / HTTP/1.1\r\n"), good])],
  ["bad flag", Buffer.from(good).fill(0x00, 5, 6)],
  ["bad message type", Buffer.from(good).fill(7, 6, 7)],
  ["zero-length payload", encodeQuest("echo", Buffer.alloc(0), 1)],
  ["non-map payload (array)", encodeQuest("echo", packValue([1, 2, 3]), 1)],
  ["non-map payload (string)", encodeQuest("echo", packValue("hello"), 1)],
  ["malformed map", encodeQuest("echo", Buffer.from([0x82, 0xa1, 0x61]), 1)],
  ["malformed JSON", encodeQuest("echo", Buffer.from("{nope"), 1, { flag: FrameFlag.Json })],
  ["answer with a zero-length payload", encodeAnswer(1, Buffer.alloc(0))],
];

describe("FpnnServer against misbehaving peers", () => {
  it.each(badInputs)("%s: closes that connection without answering, keeps serving others", async (_name, bytes) => {
    await serve();
    const healthy = newClient(`127.0.0.1:${port}`, { autoReconnect: false });
    try {
      expect(await healthy.quest("echo", { before: 1 })).toEqual({ before: 1 });
      const bad = await peer();
      bad.write(bytes);
      await bad.waitClosed();
      expect(bad.frames).toHaveLength(0);
      expect(await healthy.quest("echo", { after: 1 })).toEqual({ after: 1 });
      expect(server.connections.size).toBe(1);
    } finally {
      await healthy.close();
    }
  });

  it("closes a connection announcing an oversize frame, before its body arrives", async () => {
    await serve(1024);
    const bad = await peer();
    const oversize = encodeQuest("echo", packPayload({ blob: Buffer.alloc(2000) }), 1);
    bad.write(oversize.subarray(0, 40));
    await bad.waitClosed();
    const ok = await peer();
    ok.write(encodeQuest("echo", packPayload({ blob: Buffer.alloc(900) }), 2));
    const [answer] = await ok.waitFrames(1);
    expect((unpackPayload(answer!.payload).blob as Buffer).length).toBe(900);
  });

  it("a bad frame after good ones: the good ones are answered, then the connection closes", async () => {
    await serve();
    const p = await peer();
    p.write(Buffer.concat([encodeQuest("echo", packPayload({ n: 1 }), 1), encodeQuest("echo", packPayload({ n: 2 }), 2), Buffer.from("garbage-garbage!")]));
    await p.waitClosed();
    expect(p.frames.map((f) => unpackPayload(f.payload))).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("answers a JSON quest in JSON", async () => {
    await serve();
    const p = await peer();
    p.write(encodeQuest("echo", Buffer.from('{"id": 9007199254740993, "s": "x"}'), 5, { flag: FrameFlag.Json }));
    const [answer] = await p.waitFrames(1);
    expect(answer!.flag).toBe(FrameFlag.Json);
    expect(answer!.seq).toBe(5);
    expect(JSON.parse(Buffer.from(answer!.payload).toString())).toMatchObject({ s: "x" });
  });

  it("a one-way quest for an unknown method is ignored; a two-way one answers 20004", async () => {
    await serve();
    const p = await peer();
    p.write(Buffer.concat([encodeQuest("nothing", packPayload({}), 0, { oneway: true }), encodeQuest("nothing", packPayload({}), 9)]));
    const [answer] = await p.waitFrames(1);
    expect(answer!.seq).toBe(9);
    expect(answer!.status).not.toBe(0);
    expect(unpackPayload(answer!.payload)).toEqual({ code: 20004, ex: "unknown method nothing" });
  });
});
