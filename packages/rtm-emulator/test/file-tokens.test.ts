import { describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { fileCommandOf, targetOf } from "../src/files/file-commands.js";
import { FileTokens } from "../src/files/file-tokens.js";
import { codeOf, PID } from "./helpers.js";

const grant = { pid: PID, from: 1001n, command: "sendfile" as const, target: "to:1002" };

describe("file tokens", async () => {
  it("are random, one use each, and valid for 300 s", async () => {
    let now = 0;
    const tokens = new FileTokens({ now: () => now });
    const first = tokens.issue(grant);
    const second = tokens.issue(grant);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    expect(tokens.use(first, grant)).toBe(PID);
    expect(await codeOf(() => tokens.use(first, grant))).toBe(RtmErrorCode.InvalidFileOrSignOrToken);
    now = 299_999;
    expect(tokens.use(second, { ...grant, pid: undefined })).toBe(PID);
    const third = tokens.issue(grant);
    now += 300_000;
    expect(await codeOf(() => tokens.use(third, grant))).toBe(RtmErrorCode.InvalidFileOrSignOrToken);
    expect(tokens.size).toBe(0);
  });

  it("hold at most maxPerProject per project, dropping the oldest; other projects keep theirs", async () => {
    const tokens = new FileTokens({ maxPerProject: 3 });
    const other = tokens.issue({ ...grant, pid: PID + 1 });
    const issued = [1, 2, 3, 4, 5].map(() => tokens.issue(grant));
    expect(tokens.size).toBe(4);
    expect(await codeOf(() => tokens.use(issued[0]!, grant))).toBe(RtmErrorCode.InvalidFileOrSignOrToken);
    expect(await codeOf(() => tokens.use(issued[1]!, grant))).toBe(RtmErrorCode.InvalidFileOrSignOrToken);
    for (const token of issued.slice(2)) expect(tokens.use(token, grant)).toBe(PID);
    expect(tokens.use(other, { ...grant, pid: PID + 1 })).toBe(PID + 1);
  });

  it("bind the project, sender, method and target; a mismatch leaves the token usable", async () => {
    const tokens = new FileTokens();
    const token = tokens.issue(grant);
    for (const claim of [{ ...grant, pid: PID + 1 }, { ...grant, from: 1002n }, { ...grant, command: "sendfiles" as const }, { ...grant, target: "to:1003" }]) {
      expect(await codeOf(() => tokens.use(token, claim))).toBe(RtmErrorCode.InvalidFileOrSignOrToken);
    }
    expect(tokens.use(token, grant)).toBe(PID);
  });
});

describe("filetoken's cmd and target", async () => {
  it("takes the five methods and the reference C++ SDK's GroupFile and BroadcastFile", async () => {
    for (const cmd of ["sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"]) expect(fileCommandOf(cmd)).toBe(cmd);
    expect(fileCommandOf("GroupFile")).toBe("sendgroupfile");
    expect(fileCommandOf("BroadcastFile")).toBe("broadcastfile");
    expect(await codeOf(() => fileCommandOf("SendFile"))).toBe(RtmErrorCode.InvalidParameter);
    expect(await codeOf(() => fileCommandOf("toString"))).toBe(RtmErrorCode.InvalidParameter);
  });

  it("binds recipients as a set, and needs the key of the method (EmptyParameter naming it)", async () => {
    expect(targetOf("sendfiles", { tos: [3n, 1n, 3n, 2n] })).toBe(targetOf("sendfiles", { tos: [1n, 2n, 3n] }));
    expect(targetOf("broadcastfile", { to: 5n })).toBe("");
    expect(await codeOf(() => targetOf("sendroomfile", { gid: 1n }))).toBe(RtmErrorCode.EmptyParameter);
  });
});
