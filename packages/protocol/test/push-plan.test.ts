import { describe, expect, it } from "vitest";
import { int8, int64, method, PushPlan, service, string } from "../src/index.js";

const pushes = service("demo", "none", "push");
const kinds = { chat: { mtypes: [30] }, file: { mtypes: [40, 41], hook: "withSize" }, message: {} } as const;
const params = {
  fromUid: ["from", int64],
  toId: ["gid", int64],
  messageType: ["mtype", int8],
  message: ["msg", string],
} as const;
const groupMessage = method(pushes, "pushGroupMessage", "pushgroupmsg", "d", { params, push: { conversation: "group", kinds } });
const groupFile = method(pushes, "pushGroupFile", "pushgroupfile", "d", { params, push: { conversation: "group", kinds, kind: "file" } });
const ping = method(pushes, "ping", "ping", "d", { params: {}, push: { event: "ping" } });
const hooks = { withSize: (data: Record<string, unknown>) => ({ ...data, size: String(data.message).length }) };

describe("PushPlan: a push descriptor read into the event it raises", () => {
  it("names the event by conversation and the kind of the mtype, the data by parameter name", () => {
    const plan = new PushPlan(groupMessage, hooks);
    const request = { from: 7n, gid: 9n, mtype: 30, msg: "hi" };
    expect(plan.read(request)).toEqual({ event: "groupChat", conversation: "group", data: { fromUid: 7n, toId: 9n, messageType: 30, message: "hi" } });
    expect(plan.read({ ...request, mtype: 77 }).event).toBe("groupMessage");
  });

  it("runs the kind's hook on the data of its mtypes only", () => {
    const plan = new PushPlan(groupMessage, hooks);
    expect(plan.read({ from: 7n, gid: 9n, mtype: 41, msg: "abc" })).toMatchObject({ event: "groupFile", data: { size: 3 } });
    expect(plan.read({ from: 7n, gid: 9n, mtype: 30, msg: "abc" }).data).not.toHaveProperty("size");
  });

  it("a fixed kind raises its event whatever the mtype", () => {
    expect(new PushPlan(groupFile, hooks).read({ from: 1n, gid: 2n, mtype: 30, msg: "x" })).toMatchObject({ event: "groupFile", data: { size: 1 } });
  });

  it("an event push without params carries no data and no conversation", () => {
    expect(new PushPlan(ping, hooks).read({})).toEqual({ event: "ping", data: undefined, conversation: undefined });
  });

  it("refuses a descriptor that is no push, and a hook the client lacks", () => {
    const call = method(service("demo", "signed"), "get", "get", "d", { params: {} });
    expect(() => new PushPlan(call, hooks)).toThrow("get: not a push");
    expect(() => new PushPlan(groupMessage, {})).toThrow('pushGroupMessage: the client has no hook "withSize"');
  });
});
