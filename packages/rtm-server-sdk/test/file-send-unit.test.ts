import { readFileSync } from "node:fs";
import { FpnnErrorCode } from "@rtmkit/fpnn";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fileAttrs, fileSign, GateConnections, type GateClient } from "../src/index.js";
import { fileOptionsIssue } from "../src/file-attrs.js";

interface GateKey {
  key: string;
  value: unknown;
}
interface ServerWireVectors {
  sampleArgs: { fileDataHex: string };
  calls: { call: string; args: Record<string, unknown>; answer: { object: { token: string } }; gateFrames?: { keys: GateKey[] }[] }[];
}

const vectors = JSON.parse(readFileSync(new URL("../../../test/vectors/rtm-server-wire.json", import.meta.url), "utf8")) as ServerWireVectors;
const sendFileCall = vectors.calls.find((c) => c.call === "sendFile")!;
const capturedAttrs = String(sendFileCall.gateFrames![0]!.keys.find((k) => k.key === "attrs")!.value);
const fileData = Buffer.from(vectors.sampleArgs.fileDataHex, "hex");

describe("the file sign", () => {
  it("is the sign the reference C++ SDK wrote for the sendFile vector (token file-token-xyz)", () => {
    expect(sendFileCall.answer.object.token).toBe("file-token-xyz");
    const captured = (JSON.parse(capturedAttrs) as { sign: string }).sign;
    expect(captured).toBe("66b7175852f2524517ef49aa31655cdb");
    expect(fileSign(fileData, "file-token-xyz")).toBe(captured);
  });

  it("changes with the token and with every byte of the file", () => {
    expect(fileSign(fileData, "file-token-xyZ")).not.toBe(fileSign(fileData, "file-token-xyz"));
    const changed = Buffer.from(fileData);
    changed[9] = 0x01;
    expect(fileSign(changed, "file-token-xyz")).not.toBe(fileSign(fileData, "file-token-xyz"));
  });
});

describe("the attrs of a file send", () => {
  it("are the reference SDK's text for every name it escapes correctly (with and without a dot, none)", () => {
    const sign = fileSign(fileData, "file-token-xyz");
    const captured = vectors.calls.filter((c) => c.gateFrames !== undefined && !String(c.args.fileName).includes('"'));
    expect(captured).toHaveLength(6);
    for (const call of captured) {
      const attrs = String(call.gateFrames![0]!.keys.find((k) => k.key === "attrs")!.value);
      expect(fileAttrs(sign, { fileName: String(call.args.fileName) }), String(call.args.fileName)).toBe(attrs);
    }
  });

  it("take ext from the last dot, from fileExtension when given, and custom only when attrs are given", () => {
    expect(JSON.parse(fileAttrs("s", { fileName: "notes.tar.gz" }))).toEqual({ sign: "s", filename: "notes.tar.gz", ext: "gz" });
    expect(JSON.parse(fileAttrs("s", { fileName: "README" }))).toEqual({ sign: "s", filename: "README" });
    expect(JSON.parse(fileAttrs("s", { fileName: "a.b", fileExtension: "png" }))).toEqual({ sign: "s", filename: "a.b", ext: "png" });
    expect(JSON.parse(fileAttrs("s", { fileName: "", attrs: { k: "v" } }))).toEqual({ sign: "s", custom: { k: "v" } });
    expect(JSON.parse(fileAttrs("s", undefined))).toEqual({ sign: "s" });
  });

  it("stay valid JSON for a name with quotes and backslashes (the reference SDK pastes it unescaped)", () => {
    const name = 'say "hi"\\.txt';
    expect(JSON.parse(fileAttrs("s", { fileName: name }))).toEqual({ sign: "s", filename: name, ext: "txt" });
  });

  it("refuse file options of the wrong type, naming them", () => {
    expect(fileOptionsIssue({ fileName: 1 as unknown as string })).toEqual({ path: "options.fileName", message: "expected a string, got number" });
    expect(fileOptionsIssue({ attrs: { k: 2 as unknown as string } })).toEqual({ path: "options.attrs.k", message: "expected a string, got number" });
    expect(fileOptionsIssue({ attrs: [] as unknown as Record<string, string> })?.path).toBe("options.attrs");
    expect(fileOptionsIssue({ fileName: "a", fileExtension: "b", attrs: {} })).toBeUndefined();
  });
});

describe("GateConnections", () => {
  afterEach(() => void vi.useRealTimers());

  function fakeClients() {
    const made: { endpoint: string; closed: boolean }[] = [];
    const create = (endpoint: string): GateClient => {
      const record = { endpoint, closed: false };
      made.push(record);
      return {
        quest: () => Promise.resolve({}),
        close: () => {
          record.closed = true;
          return Promise.resolve();
        },
      };
    };
    return { made, create };
  }

  it("reuses one client per endpoint and closes it once idle for idleMs after its last send", () => {
    vi.useFakeTimers();
    const { made, create } = fakeClients();
    const pool = new GateConnections({ idleMs: 1000, maxEndpoints: 4, create });
    const a = pool.acquire("h:1");
    const b = pool.acquire("h:1");
    expect(a).toBe(b);
    pool.release("h:1", a);
    vi.advanceTimersByTime(5000);
    expect(made[0]!.closed).toBe(false); // one send still holds it
    pool.release("h:1", b);
    vi.advanceTimersByTime(999);
    expect(made[0]!.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(made[0]!.closed).toBe(true);
    expect(pool.size).toBe(0);
    expect(pool.acquire("h:1")).not.toBe(a);
    expect(made).toHaveLength(2);
  });

  it("keeps at most maxEndpoints, closing the least recently used idle one, never one with a send in flight", () => {
    const { made, create } = fakeClients();
    const pool = new GateConnections({ idleMs: 60_000, maxEndpoints: 2, create });
    const one = pool.acquire("h:1");
    pool.release("h:1", one);
    const two = pool.acquire("h:2");
    pool.release("h:2", pool.acquire("h:1")); // h:1 is now the most recently used
    pool.acquire("h:3");
    expect(made.map((m) => [m.endpoint, m.closed])).toEqual([
      ["h:1", false],
      ["h:2", false],
      ["h:3", false],
    ]);
    expect(pool.size).toBe(3); // h:2 has a send in flight: over the cap until it ends
    pool.release("h:2", two);
    expect(made[1]!.closed).toBe(true);
    expect(pool.size).toBe(2);
  });

  it("close() closes every client, clears the idle timers and refuses later acquires with 20002", async () => {
    const { made, create } = fakeClients();
    const pool = new GateConnections({ idleMs: 60_000, maxEndpoints: 4, create });
    pool.release("h:1", pool.acquire("h:1"));
    pool.acquire("h:2");
    await pool.close();
    expect(made.every((m) => m.closed)).toBe(true);
    expect(() => pool.acquire("h:1")).toThrow(expect.objectContaining({ code: FpnnErrorCode.CoreConnectionClosed }));
  });
});
