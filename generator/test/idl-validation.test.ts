import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatProblem, IdlError, loadIdl } from "../src/index.js";

const realIdl = new URL("../../idl", import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the real IDL with one edit to rtm/chat.yaml (or another file). */
function brokenCopy(edit: (text: string) => string, file = "rtm/chat.yaml"): string {
  const dir = mkdtempSync(join(tmpdir(), "rtmkit-idl-"));
  dirs.push(dir);
  cpSync(realIdl, join(dir, "idl"), { recursive: true });
  const path = join(dir, "idl", file);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return join(dir, "idl");
}

function lineOf(dir: string, file: string, needle: string, nth = 0): number {
  const lines = readFileSync(join(dir, file), "utf8").split("\n");
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  return hits[nth]!;
}

function problems(dir: string): string[] {
  try {
    loadIdl(dir, (p) => p.slice(p.indexOf("idl/")));
  } catch (e) {
    expect(e).toBeInstanceOf(IdlError);
    return (e as IdlError).problems.map(formatProblem);
  }
  throw new Error("the IDL loaded without errors");
}

describe("IDL validation", () => {
  it("loads the real IDL: 33 chat methods (21 calls + 11 generic + getMessageNum), and every other service", () => {
    const model = loadIdl(realIdl);
    expect(model.services.map((s) => s.name)).toEqual(["chat", "data", "devices", "fileGate", "files", "friends", "groups", "listen", "rooms", "rtc", "users", "valueAdded"]);
    expect(model.services[0]!.methods).toHaveLength(33);
    expect(model.services[0]!.methods.filter((m) => m.base === undefined).map((m) => m.fpnn)).toEqual([
      "sendmsg", "sendmsgs", "sendgroupmsg", "sendroommsg", "broadcastmsg", "getgroupmsg", "getroommsg", "getbroadcastmsg", "getp2pmsg", "getmsg", "delmsg", "getmsgnum",
    ]);
    const listen = model.services.find((s) => s.name === "listen")!;
    expect(listen.pushes.map((m) => [m.fpnn, m.direction])).toEqual(
      ["pushmsg", "pushgroupmsg", "pushroommsg", "pushfile", "pushgroupfile", "pushroomfile", "pushevent", "ping"].map((fpnn) => [fpnn, "push"]),
    );
    expect(listen.pushes.map((m) => m.push)).toContainEqual({ conversation: "group", kind: "file" });
  });

  describe("pushes", () => {
    const listenFile = "rtm/listen.yaml";
    it("a push with a hook (or variants, or filled fields) is refused, naming the key", () => {
      const dir = brokenCopy((t) => t.replace("    event: ping\n", "    event: ping\n    hook: { name: history }\n"), listenFile);
      expect(problems(dir)).toContainEqual(expect.stringMatching(/pushes\.ping\.hook: a push has no hook/));
    });

    it("a push names its event or its conversation, not both nor neither", () => {
      const both = brokenCopy((t) => t.replace("    event: ping\n", "    event: ping\n    conversation: p2p\n"), listenFile);
      expect(problems(both)).toContainEqual(expect.stringMatching(/pushes\.ping: a push names either the event it raises/));
      const neither = brokenCopy((t) => t.replace("    event: ping\n", ""), listenFile);
      expect(problems(neither)).toContainEqual(expect.stringMatching(/pushes\.ping: a push names either/));
    });

    it("refuses an unknown kind, an mtype in two kinds, and a method that says what only a push says", () => {
      const kind = brokenCopy((t) => t.replace("kind: file\n", "kind: files\n"), listenFile);
      expect(problems(kind)).toContainEqual(expect.stringMatching(/pushes\.pushFile\.kind: unknown message kind "files" \(messageKinds has: chat, cmd, file, message\)/));
      const twice = brokenCopy((t) => t.replace("cmd: { mtypes: [32]", "cmd: { mtypes: [30, 32]"), listenFile);
      expect(problems(twice)).toContainEqual(expect.stringMatching(/messageKinds\.cmd\.mtypes: mtype 30 is already of kind "chat"/));
      const method = brokenCopy((t) => t.replace("    fpnn: addlisten\n", "    fpnn: addlisten\n    event: ping\n"), listenFile);
      expect(problems(method)).toContainEqual(expect.stringMatching(/methods\.addListen\.event: only a push has event/));
    });

    it("checks that a push's params give its result struct, and that a message push carries mtype", () => {
      const field = brokenCopy((t) => t.replace("      attrs: { wire: attrs, type: string, doc: attributes }\n", ""), listenFile);
      expect(problems(field)).toContainEqual(expect.stringMatching(/pushes\.pushMessage\.result: the push does not provide field "attrs" of RTMMessage/));
      const mtype = brokenCopy((t) => t.replace("messageType: { wire: mtype, type: int8, doc: message type }\n      messageId: { wire: mid, type: int64, doc: message id }\n      message: { wire: msg, type: string, doc: content }\n      attrs: { wire: attrs, type: string, doc: attributes }\n      modifiedTime: { wire: mtime, type: int64, doc: \"server time of the message, ms\" }\n    result: RTMMessage\n    answer: {}\n\n  pushGroupMessage", "messageType: { wire: type, type: int8, doc: message type }\n      messageId: { wire: mid, type: int64, doc: message id }\n      message: { wire: msg, type: string, doc: content }\n      attrs: { wire: attrs, type: string, doc: attributes }\n      modifiedTime: { wire: mtime, type: int64, doc: \"server time of the message, ms\" }\n    result: RTMMessage\n    answer: {}\n\n  pushGroupMessage"), listenFile);
      expect(problems(mtype)).toContainEqual(expect.stringMatching(/pushes\.pushMessage\.params: a message push dispatched by mtype carries the wire key "mtype"/));
    });
  });

  it("an IDL extending the RTM IDL knows its types, and refuses hooks and id generators the client lacks", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtmkit-user-idl-"));
    dirs.push(dir);
    mkdirSync(join(dir, "idl/app"), { recursive: true });
    writeFileSync(
      join(dir, "idl/app/extra.yaml"),
      `service: extra
auth: signed
doc: d
methods:
  getExtra:
    fpnn: getextra
    doc: d
    params:
      category: { wire: type, type: MessageCategory }
    answer: { num: { type: int32 } }
    hook: { name: histroy }
`,
    );
    let problems: string[] = [];
    try {
      loadIdl(join(dir, "idl"), (p) => p.slice(p.indexOf("idl/")), loadIdl(realIdl));
    } catch (e) {
      problems = (e as IdlError).problems.map(formatProblem);
    }
    expect(problems).toEqual([expect.stringMatching(/^idl\/app\/extra\.yaml:\d+ methods\.getExtra\.hook\.name: the client has no hook "histroy" \(it has: history, p2pHistory, retrieved\)$/)]);
  });

  it("an unknown type names file, line and path", () => {
    const dir = brokenCopy((t) => t.replace("toUid: { wire: to, type: int64", "toUid: { wire: to, type: in64"));
    const line = lineOf(dir, "rtm/chat.yaml", "type: in64");
    expect(problems(dir)).toEqual([`idl/rtm/chat.yaml:${line} methods.sendMessage.params.toUid: unknown type "in64"`]);
  });

  it("an unknown key is reported at the key's line", () => {
    const dir = brokenCopy((t) => t.replace("    fpnn: getmsg\n", "    fpnn: getmsg\n    colour: red\n"));
    expect(problems(dir)).toEqual([`idl/rtm/chat.yaml:${lineOf(dir, "rtm/chat.yaml", "colour: red")} methods.getMessage.colour: unknown key "colour"`]);
  });

  it("a missing required key, a bad variant fix and an unknown hook param", () => {
    const missing = brokenCopy((t) => t.replace("    fpnn: delmsg\n", ""));
    expect(problems(missing)).toEqual([`idl/rtm/chat.yaml:${lineOf(missing, "rtm/chat.yaml", "deleteMessage:") + 1} methods.deleteMessage.fpnn: Invalid input: expected string, received undefined`]);
    const dir = brokenCopy((t) => t.replace("fix: { mtype: 32 }", "fix: { mtyp: 32 }").replace("args: { toId: roomId }", "args: { toId: rooomId }"));
    const p = problems(dir);
    expect(p.some((x) => /^idl\/rtm\/chat\.yaml:\d+ variantSets\.send\[2\]\.fix\.mtyp: method "sendMessage" has no parameter "mtyp"$/.test(x))).toBe(true);
    expect(p).toContain(`idl/rtm/chat.yaml:${lineOf(dir, "rtm/chat.yaml", "rooomId")} methods.getRoomMessage.hook.args.toId: unknown parameter "rooomId"`);
  });

  it("a YAML syntax error names its line", () => {
    const dir = brokenCopy((t) => t.replace("    doc: Get one message by its mid.\n", "    doc: [unclosed\n"));
    expect(problems(dir)[0]).toMatch(/^idl\/rtm\/chat\.yaml:\d+: /);
  });

  it("a result struct that the answer does not fill, and a duplicate method name", () => {
    const dir = brokenCopy((t) => t.replace("answer: { mtime: { type: int64", "answer: { mtim: { type: int64").replace("  getMessageNum:\n", "  sendChat:\n"));
    const p = problems(dir);
    expect(p).toContain(`idl/rtm/chat.yaml:${lineOf(dir, "rtm/chat.yaml", "result: SendResult")} methods.sendMessage.result: the answer does not provide field "mtime" of SendResult`);
    expect(p.some((x) => x.includes(`methods.sendChat: method "sendChat" is already defined`))).toBe(true);
  });

  it("errors in types.yaml and errors.yaml are located too", () => {
    const dir = brokenCopy((t) => t.replace("duration: { type: int32", "duration: { type: list<int33>"), "rtm/types.yaml");
    expect(problems(dir)).toEqual([`idl/rtm/types.yaml:${lineOf(dir, "rtm/types.yaml", "int33")} structs.FileInfo.fields.duration: unknown type "int33"`]);
    const dir2 = brokenCopy((t) => t.replace("10001: PROTO_UNKNOWN_ERROR", "10001: proto-unknown"), "errors.yaml");
    expect(problems(dir2)).toEqual([`idl/errors.yaml:${lineOf(dir2, "errors.yaml", "proto-unknown")} groups.fpnn.codes.10001: expected an UPPER_SNAKE error name`]);
  });
});
