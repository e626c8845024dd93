// Frames captured from the reference C++ SDK, replayed byte for byte to the emulator.
import { readFileSync } from "node:fs";
import { encodeQuest, packPayload } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { emulator, rawExchange, signed } from "./helpers.js";

interface WireVectors {
  pid: number;
  secret: string;
  calls: { call: string; method: string; frameHex: string; keys: { key: string; value: unknown }[] }[];
}

const vectors = JSON.parse(readFileSync(new URL("../vectors/rtm-chat-wire.json", import.meta.url), "utf8")) as WireVectors;
const frameTs = Number(vectors.calls[0]!.keys.find((k) => k.key === "ts")!.value);

describe("rtm-chat-wire.json replayed to the emulator", () => {
  it("accepts all 21 frames of the reference C++ SDK (pid, secret and clock of the capture)", async () => {
    expect(vectors.calls).toHaveLength(21);
    expect(new Set(vectors.calls.map((c) => Number(c.keys.find((k) => k.key === "ts")!.value)))).toEqual(new Set([frameTs]));
    const server = await emulator({ projects: [{ pid: vectors.pid, secret: vectors.secret }], now: () => frameTs * 1000 + 500 });

    // getmsg/delmsg of the capture address mid 123 from 1001 to 1002: store it first.
    const auth = signed("sendmsg", { pid: vectors.pid, secret: vectors.secret, ts: frameTs, salt: 1n });
    const [stored] = await rawExchange(server.endpoint, [
      encodeQuest("sendmsg", packPayload({ ...auth, mtype: 30, from: 1001, to: 1002, mid: 123, msg: "stored first", attrs: "" }), 1),
    ]);
    expect(stored!.status).toBe(0);

    const frames = vectors.calls.map((c) => Buffer.from(c.frameHex, "hex"));
    const answers = await rawExchange(server.endpoint, frames);
    const bySeq = new Map(answers.map((a) => [a.seq, a]));
    for (const [i, call] of vectors.calls.entries()) {
      const seq = frames[i]!.readUInt32LE(12);
      const answer = bySeq.get(seq);
      expect({ call: call.call, status: answer?.status, payload: answer?.status === 0 ? "ok" : answer?.payload }).toEqual({ call: call.call, status: 0, payload: "ok" });
    }
    const answerOf = (call: string) => bySeq.get(frames[vectors.calls.findIndex((c) => c.call === call)]!.readUInt32LE(12))!.payload;
    expect(Number(answerOf("sendChat").mtime)).toBe(frameTs * 1000 + 500);
    // Pipelined reads may run before the sends of the same chunk commit, so only the shape is checked here.
    expect(answerOf("getGroupChat")).toEqual({ num: expect.any(Number), lastid: expect.anything(), begin: expect.anything(), end: expect.anything(), msgs: expect.any(Array) });
    expect(answerOf("getChat")).toMatchObject({ mtype: 30, msg: "stored first", attrs: "" });
    expect(answerOf("deleteChat")).toEqual({});
  });
});
