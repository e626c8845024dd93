import { readFileSync } from "node:fs";
import { createECDH } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningEmulator } from "@rtmkit/rtm-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulator, envOf, PID, rtmkit } from "./helpers.js";

let server: RunningEmulator;
beforeAll(async () => {
  server = await emulator();
});
afterAll(() => server.close());

describe("rtmkit call against the emulator", () => {
  it("sendChat, then getP2PChat prints the message back, int64 as decimal strings", async () => {
    const env = envOf(server);
    const sent = await rtmkit(["call", "sendChat", "1001", "1002", "hello", ""], { env });
    expect(sent).toMatchObject({ code: 0, stderr: "" });
    const result = JSON.parse(sent.stdout) as { mid: string; mtime: string };
    expect(result.mid).toMatch(/^\d+$/);
    expect(sent.stdout).toBe(`${JSON.stringify(result, null, 2)}\n`);

    const history = await rtmkit(["call", "getP2PChat", "1001", "1002", "true", "10", "0", "0", "0"], { env });
    expect(history).toMatchObject({ code: 0, stderr: "" });
    const page = JSON.parse(history.stdout) as { count: number; messages: Record<string, unknown>[] };
    expect(page.count).toBe(1);
    expect(page.messages[0]).toMatchObject({ fromUid: "1001", toId: "1002", messageType: 30, message: "hello", attrs: "", messageId: result.mid });
  });

  it("takes parameters as --<name> flags, the positional values filling the rest in order", async () => {
    const env = envOf(server);
    const sent = await rtmkit(["call", "sendGroupChat", "--message", "by flag", "--fromUid", "2001", "77", "{}", "--mid", "9007199254740993"], { env });
    expect(sent).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(sent.stdout)).toMatchObject({ mid: "9007199254740993" });

    const got = await rtmkit(["call", "getChat", "9007199254740993", "2001", "77", "GroupMessage"], { env });
    expect(got).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(got.stdout)).toMatchObject({ message: "by flag", attrs: "{}", messageType: 30 });

    const counted = await rtmkit(["call", "getMessageNum", "--xid", "77", "2", "[30, 31]"], { env });
    expect(counted).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(counted.stdout)).toEqual({ sender: 1, num: 1 });
  });

  it("connection settings from flags instead of the environment; a void result prints null", async () => {
    const sent = await rtmkit(["call", "sendChat", "--endpoint", server.endpoint, "--pid", String(PID), "--timeout", "5", "3001", "3002", "bye", "", "--secret", "cli-test-secret"]);
    expect(sent.code).toBe(0);
    const { mid } = JSON.parse(sent.stdout) as { mid: string };
    const deleted = await rtmkit(["call", "deleteChat", mid, "3001", "3002", "P2PMessage"], { env: envOf(server) });
    expect(deleted).toEqual({ code: 0, stdout: "null\n", stderr: "" });
  });

  it("a wrong secret exits 1 with the RTM error code and message on stderr", async () => {
    const run = await rtmkit(["call", "sendChat", "1001", "1002", "hello", ""], { env: envOf(server, "wrong-secret") });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^error 200002: /);
  });

  it("an RTM refusal of the server exits 1 too", async () => {
    const run = await rtmkit(["call", "getChat", "123456", "1001", "1002", "1"], { env: envOf(server) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error 200070: /);
  });

  it("a server that cannot be reached exits 1 with FPNN's code", async () => {
    const run = await rtmkit(["call", "sendChat", "1", "2", "x", "", "--timeout", "2"], { env: { ...envOf(server), RTM_ENDPOINT: "127.0.0.1:1" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error 20012: /);
  });
});

describe("rtmkit usage errors exit 2, naming what is wrong", () => {
  it.each([
    [["call", "sendChat", "1001", "abc", "hi", ""], /sendChat: toUid: "abc" is not an int64/],
    [["call", "sendChat", "1001", "9223372036854775808", "hi", ""], /toUid: "9223372036854775808" is not an int64/],
    [["call", "getP2PChat", "1", "2", "true", "21", "0", "0", "0"], /getP2PChat: count: expected at most 20/],
    [["call", "getP2PChat", "1", "2", "maybe", "10", "0", "0", "0"], /desc: "maybe" is not a bool/],
    [["call", "sendChats", "1", "2,x", "hi", ""], /sendChats: toUids: "x" is not an int64/],
    [["call", "sendChats", "1", "[2, 9007199254740993]", "hi", ""], /toUids: 9007199254740992 is not exact in JSON/],
    [["call", "getChat", "1", "2", "3", "Group"], /messageCategory: "Group" is not a MessageCategory \(P2PMessage=1, GroupMessage=2/],
    [["call", "getChat", "1", "2", "3", "9"], /messageCategory: "9" is not a MessageCategory/],
    [["call", "sendMessage", "1", "2", "300", "hi", ""], /mtype: "300" is not an int8/],
    [["call", "sendChat", "1001", "1002", "hi"], /sendChat: missing parameter attrs \(string\)/],
    [["call", "sendChat", "1", "2", "hi", "", "extra"], /sendChat: too many arguments/],
    [["call", "sendChat", "--mid", "x", "1", "2", "hi", ""], /sendChat: mid: "x" is not an int64/],
    [["call", "noSuchMethod"], /unknown command 'noSuchMethod'/],
    [["call", "sendChat", "--nope", "1"], /unknown option '--nope'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ])("%j", async (argv, message) => {
    const run = await rtmkit(argv, { env: envOf(server) });
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toMatch(message);
  });

  it.each([
    [{}, /no endpoint: give --endpoint HOST:PORT or set RTM_ENDPOINT/],
    [{ RTM_ENDPOINT: "127.0.0.1:1" }, /no project id/],
    [{ RTM_ENDPOINT: "127.0.0.1:1", RTM_PID: "1" }, /no project secret/],
    [{ RTM_ENDPOINT: "127.0.0.1:1", RTM_PID: "x", RTM_SECRET: "s" }, /--pid \/ RTM_PID: "x" is not a project id/],
    [{ RTM_ENDPOINT: "no-port", RTM_PID: "1", RTM_SECRET: "s" }, /no-port/],
  ])("settings %j", async (env, message) => {
    const run = await rtmkit(["call", "sendChat", "1", "2", "hi", ""], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("no command prints the help on stderr", async () => {
    for (const argv of [[], ["call"]]) {
      const run = await rtmkit(argv);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^Usage: rtmkit/);
    }
  });
});

describe("rtmkit methods and help, from the tables", () => {
  it("--version prints the version of its package.json", async () => {
    const run = await rtmkit(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version);
  });

  it("methods lists sendChat with its FPNN method, typed parameters and fixed field", async () => {
    const run = await rtmkit(["methods"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}sendChat +sendmsg +Send a P2P chat message\.\n +\(fromUid: int64, toUid: int64, message: string, attrs: string\) +fixed: mtype=30$/m);
    expect(run.stdout).toMatch(/getMessageNum +getmsgnum +Count the messages of a group or room, and their distinct senders\.\n +\(messageCategory: MessageCategory, xid: int64, mtypes\?: set<int8>/);
  });

  it("methods --json gives the same tables as data", async () => {
    const run = await rtmkit(["methods", "--json"]);
    const methods = JSON.parse(run.stdout) as { name: string }[];
    expect(methods.find((m) => m.name === "getP2PChat")).toEqual({
      service: "chat",
      name: "getP2PChat",
      fpnn: "getp2pmsg",
      doc: "Get a page of the P2P chat history between two users.",
      params: [
        { name: "userId", wire: "uid", type: "int64", optional: false },
        { name: "otherUserId", wire: "ouid", type: "int64", optional: false },
        { name: "desc", wire: "desc", type: "bool", optional: false },
        { name: "count", wire: "num", type: "int16", optional: false, bounds: { max: 20 } },
        { name: "beginMsec", wire: "begin", type: "int64", optional: false },
        { name: "endMsec", wire: "end", type: "int64", optional: false },
        { name: "lastId", wire: "lastid", type: "int64", optional: false },
      ],
      fixed: { mtypes: [30, 31, 32] },
      options: [],
    });
  });

  it("call <method> --help shows the method's parameters", async () => {
    const run = await rtmkit(["call", "getMessageNum", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: rtmkit call getMessageNum <messageCategory> <xid> \[mtypes\] \[beginMsec\] \[endMsec\] \[options\]/);
    expect(run.stdout).toContain("Count the messages of a group or room, and their distinct senders.");
    expect(run.stdout).toContain("getMessageNum: FPNN method getmsgnum (service chat)");
    expect(run.stdout).toMatch(/messageCategory +MessageCategory \(P2PMessage=1, GroupMessage=2,/);
    expect(run.stdout).toMatch(/mtypes +set<int8>, optional; wire key "mtypes"/);
    expect(run.stdout).toContain("--endpoint <host:port>");
  });
});

describe("rtmkit call over an encrypted connection", () => {
  it.each([
    { curve: "secp256r1", node: "prime256v1", flags: ["--curve", "secp256r1", "--bits", "256", "--stream"] },
    { curve: "secp256k1", node: "secp256k1", flags: [] },
  ])("--key on $curve $flags", async ({ curve, node, flags }) => {
    const serverKey = createECDH(node);
    serverKey.generateKeys();
    const encrypted = await emulator({ key: { privateKey: serverKey.getPrivateKey(), curve: curve as "secp256r1" | "secp256k1" } });
    const dir = mkdtempSync(join(tmpdir(), "rtmkit-key-"));
    try {
      const keyFile = join(dir, "server.pub");
      writeFileSync(keyFile, encrypted.publicKey!);
      const env = envOf(encrypted);
      const sent = await rtmkit(["call", "--key", keyFile, ...flags, "sendChat", "1001", "1002", "over AES", ""], { env });
      expect(sent).toMatchObject({ code: 0, stderr: "" });
      const history = await rtmkit(["call", "getP2PChat", "1001", "1002", "true", "1", "0", "0", "0", "--key", keyFile, ...flags], { env });
      expect(JSON.parse(history.stdout)).toMatchObject({ messages: [{ message: "over AES" }] });

      // Another server's key: the exchange cannot agree, so nothing gets through.
      const other = createECDH(node);
      other.generateKeys();
      writeFileSync(keyFile, other.getPublicKey().subarray(1));
      const refused = await rtmkit(["call", "sendChat", "1001", "1002", "x", "", "--key", keyFile, "--timeout", "2", ...flags], { env });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error 20012: encryption handshake failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await encrypted.close();
    }
  });

  it("bad key settings exit 2", async () => {
    const env = envOf(server);
    const readFile = () => new Uint8Array(7);
    expect((await rtmkit(["call", "--curve", "secp256r1", "sendChat", "1", "2", "x", ""], { env })).stderr).toMatch(/--curve needs --key <file>/);
    const wrongLength = await rtmkit(["call", "--key", "k", "sendChat", "1", "2", "x", ""], { env, readFile });
    expect(wrongLength.code).toBe(2);
    expect(wrongLength.stderr).toMatch(/wrong key length 7/);
    const missing = await rtmkit(["call", "--key", "/nonexistent/key", "sendChat", "1", "2", "x", ""], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--key \/nonexistent\/key: cannot read it/);
    expect((await rtmkit(["call", "--key", "k", "--bits", "192", "sendChat", "1", "2", "x", ""], { env, readFile })).stderr).toMatch(/--bits: "192" is not 128 or 256/);
  });
});
