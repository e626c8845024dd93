// The console's JSON API over a real socket, against the real emulator and its admin model: what each route reads
// and does (checked through the SDK where it acts), and the errors it answers.
import { RTMError } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import type { ConsoleMessage, ConversationSummary, GroupState, ListenerState, MessagePage, ProjectOverview, UserState } from "../src/admin/types.js";
import { consoleApi, consoleEmulator, OTHER_PID, PID, sdk } from "./console-helpers.js";

async function codeOf(run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
  } catch (error) {
    if (error instanceof RTMError) return error.code;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("console API: reads", () => {
  it("lists projects and answers each view of a project as the admin model has it", async () => {
    const emulator = await consoleEmulator();
    const api = consoleApi(emulator.consoleUrl);
    const client = sdk(emulator);
    for (let i = 1; i <= 3; i++) await client.sendChat(1001n, 1002n, `hello ${i}`, `{"n":${i}}`);
    await client.sendGroupChat(1001n, 77n, "to the group", "");
    await client.addGroupMembers(77n, [1001n, 1002n]);
    await client.addGroupBan(77n, 1002n, 600);
    await client.setUserInfo(1001n, "public bio", "private note");
    await client.dataSet(1001n, "theme", "dark");
    await client.addFriends(1001n, [1003n]);
    await client.addBlacks(1001n, [1004n]);
    const listener = sdk(emulator);
    await listener.addListen([77n], [], [1001n], ["login"]);

    expect((await api("GET", "/api/projects")).json).toEqual({ projects: [PID, OTHER_PID] });

    const overview = (await api("GET", `/api/projects/${PID}/overview`)).json as ProjectOverview;
    expect(overview.pid).toBe(PID);
    expect(overview.calls.total).toBeGreaterThanOrEqual(10);
    expect(overview.listeners).toBe(1);

    const p2p = (await api("GET", `/api/projects/${PID}/conversations?kind=p2p`)).json as { conversations: ConversationSummary[] };
    expect(p2p.conversations).toHaveLength(1);
    const [conversation] = p2p.conversations;
    expect(conversation).toMatchObject({ kind: "p2p", messages: 3 });

    const query = (before: string | null) =>
      `/api/projects/${PID}/messages?kind=p2p&id=${conversation!.id}&otherId=${conversation!.otherId}&limit=2${before === null ? "" : `&before=${encodeURIComponent(before)}`}`;
    const first = (await api("GET", query(null))).json as MessagePage;
    expect(first.messages.map((m: ConsoleMessage) => [m.message, m.attrs, m.from, m.to])).toEqual([
      ["hello 3", '{"n":3}', "1001", "1002"],
      ["hello 2", '{"n":2}', "1001", "1002"],
    ]);
    expect(typeof first.messages[0]!.mid).toBe("string");
    const second = (await api("GET", query(first.next))).json as MessagePage;
    expect(second.messages.map((m) => m.message)).toEqual(["hello 1"]);
    expect(second.next).toBeNull();

    const groups = (await api("GET", `/api/projects/${PID}/groups`)).json as { groups: GroupState[] };
    expect(groups.groups.find((g) => g.gid === "77")).toMatchObject({ members: ["1001", "1002"], bans: [{ uid: "1002" }] });
    const users = (await api("GET", `/api/projects/${PID}/users`)).json as { users: UserState[] };
    expect(users.users.find((u) => u.uid === "1001")).toMatchObject({
      info: { public: "public bio", private: "private note" },
      data: { theme: "dark" },
      friends: ["1003"],
      blacks: ["1004"],
    });
    expect((await api("GET", `/api/projects/${PID}/rooms`)).json).toEqual({ rooms: [] });
    const listeners = (await api("GET", `/api/projects/${PID}/listeners`)).json as { listeners: ListenerState[] };
    expect(listeners.listeners).toHaveLength(1);
    expect(listeners.listeners[0]!.listens).toMatchObject({ gids: ["77"], uids: ["1001"], events: ["login"] });
    // Another project sees none of it.
    expect((await api("GET", `/api/projects/${OTHER_PID}/conversations?kind=p2p`)).json).toEqual({ conversations: [] });
  });
});

describe("console API: actions", () => {
  it("sends as a simulated user (stored and pushed), logs users in and out (pushevent), deletes a message", async () => {
    const emulator = await consoleEmulator();
    const api = consoleApi(emulator.consoleUrl);
    const client = sdk(emulator);
    const listener = sdk(emulator);
    const pushed: string[] = [];
    listener.onPush({ groupChat: (m) => void pushed.push(`group ${m.toId} ${m.message}`), event: (e) => void pushed.push(`${e.event} ${e.uid}`) });
    await listener.addListen([77n], [], [], ["login", "logout"]);

    const sent = await api("POST", `/api/projects/${PID}/send`, { from: "1001", gid: "77", message: "from the console", attrs: "{}" });
    expect(sent.status).toBe(200);
    const { mid } = sent.json as { mid: string; mtime: string };
    expect(mid).toMatch(/^\d+$/);
    const stored = await client.getChat(BigInt(mid), 1001n, 77n, 2);
    expect(stored.message).toBe("from the console");

    expect((await api("POST", `/api/projects/${PID}/users/1005/login`)).json).toEqual({ uid: "1005", online: true });
    expect((await client.getOnlineUsers([1005n, 1006n])).onlineUserIds.map(String)).toEqual(["1005"]);
    expect((await api("POST", `/api/projects/${PID}/users/1005/logout`)).json).toEqual({ uid: "1005", online: false });
    await expect.poll(() => pushed, { timeout: 2000 }).toEqual(["group 77 from the console", "login 1005", "logout 1005"]);

    // A refused send: 400 with the RTM code.
    await client.addGroupBan(77n, 1009n, 600);
    const refused = await api("POST", `/api/projects/${PID}/send`, { from: "1009", gid: "77", message: "banned" });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 200044 });

    const target = { kind: "group", from: "1001", to: "77", mid };
    expect((await api("POST", `/api/projects/${PID}/messages/delete`, target)).json).toEqual({ deleted: true });
    expect(await codeOf(() => client.getChat(BigInt(mid), 1001n, 77n, 2))).toBeGreaterThan(0);
    const again = await api("POST", `/api/projects/${PID}/messages/delete`, target);
    expect(again.status).toBe(404);
    expect((again.json as { error: string }).error).toMatch(/^mid: /);
  });

  it("sets, lists and clears faults per method: the next SDK call gets the chosen code", async () => {
    const emulator = await consoleEmulator();
    const api = consoleApi(emulator.consoleUrl);
    const client = sdk(emulator);
    await client.sendChat(1001n, 1002n, "before", "");
    expect((await api("PUT", "/api/faults/sendmsg", { errorCode: 200010 })).json).toEqual({ method: "sendmsg", fault: { errorCode: 200010 } });
    expect((await api("PUT", "/api/faults/getmsg", { delayMs: 10 })).status).toBe(200);
    const listed = (await api("GET", "/api/faults")).json as { faults: unknown; methods: string[] };
    expect(listed.faults).toEqual({ sendmsg: { errorCode: 200010 }, getmsg: { delayMs: 10 } });
    expect(listed.methods).toEqual(expect.arrayContaining(["sendmsg", "getgroupmsg", "addlisten"]));
    expect(await codeOf(() => client.sendChat(1001n, 1002n, "faulted", ""))).toBe(200010);
    expect((await api("DELETE", "/api/faults/sendmsg")).json).toEqual({ cleared: ["sendmsg"] });
    await client.sendChat(1001n, 1002n, "after", "");
    expect((await api("DELETE", "/api/faults")).json).toEqual({ cleared: ["getmsg"] });
    expect((await api("GET", "/api/faults")).json).toMatchObject({ faults: {} });
  });

  it("exports the state as an attachment, resets a project and imports the export back (compared through the SDK)", async () => {
    const emulator = await consoleEmulator();
    const api = consoleApi(emulator.consoleUrl);
    const client = sdk(emulator);
    await client.sendChat(1001n, 1002n, "kept", "{}");
    await client.addGroupMembers(77n, [1001n]);
    await client.setUserInfo(1001n, "o", "p");
    const read = async () => ({
      history: (await client.getP2PChat(1001n, 1002n, true, 10, 0n, 0n, 0n)).messages.map((m) => [m.messageId, m.message, m.attrs, m.modifiedTime]),
      members: (await client.getGroupMembers(77n)).members.map(String),
      info: await client.getUserInfo(1001n),
    });
    const before = await read();

    const exported = await api("GET", "/api/state");
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toBe('attachment; filename="rtmkit-emulator-state.json"');
    expect(exported.json).toMatchObject({ format: "rtmkit-emulator-state", version: 1 });

    expect((await api("POST", `/api/projects/${PID}/reset`)).json).toEqual({ reset: PID });
    expect((await read()).history).toEqual([]);

    const imported = await api("PUT", "/api/state", exported.text);
    expect(imported.json).toEqual({ imported: expect.arrayContaining([PID]) });
    expect(await read()).toEqual(before);
  });
});

describe("console API: errors", () => {
  it("answers 400 naming the field, 404 for what is not there, 413 past the body limits", async () => {
    const emulator = await consoleEmulator();
    const api = consoleApi(emulator.consoleUrl);
    const error = async (method: string, path: string, body?: unknown) => {
      const answer = await api(method, path, body);
      return [answer.status, (answer.json as { error: string }).error];
    };
    expect(await error("GET", "/api/projects/42/overview")).toEqual([404, "pid: 42 is not a project of this emulator"]);
    expect(await error("GET", "/api/projects/abc/users")).toEqual([404, "pid: abc is not a project of this emulator"]);
    expect(await error("GET", "/api/nothing")).toEqual([404, "no API route GET /api/nothing"]);
    expect(await error("GET", `/api/projects/${PID}/conversations?kind=chat`)).toEqual([400, "kind: must be one of p2p, group, room, broadcast"]);
    expect(await error("GET", `/api/projects/${PID}/conversations`)).toEqual([400, "kind: required"]);
    expect((await error("GET", `/api/projects/${PID}/messages?kind=p2p&id=x`))[1]).toMatch(/^id: must be an int64/);
    expect(await error("GET", `/api/projects/${PID}/messages?kind=p2p&id=1&otherId=2&limit=101`)).toEqual([400, 'limit: must be an integer in 1..100, got "101"']);
    expect((await error("POST", `/api/projects/${PID}/send`, { from: "1", message: "x" }))).toEqual([400, "to|gid|rid: give exactly one, got none"]);
    expect((await error("POST", `/api/projects/${PID}/send`, { from: "1", to: "2", gid: "3", message: "x" }))).toEqual([400, "to|gid|rid: give exactly one, got to, gid"]);
    expect((await error("POST", `/api/projects/${PID}/send`, { from: "99999999999999999999", to: "2", message: "x" }))[1]).toMatch(/^from: must be an int64/);
    expect((await error("POST", `/api/projects/${PID}/send`, { from: "1", to: "2", message: "x", mtype: 0 }))[1]).toMatch(/^mtype: /);
    expect((await error("POST", `/api/projects/${PID}/send`, { from: "1", to: "2" }))[1]).toMatch(/^message: /);
    expect((await error("POST", `/api/projects/${PID}/send`, "{not json"))).toEqual([400, "body: must be JSON"]);
    expect((await error("POST", `/api/projects/${PID}/users/x1/login`))[1]).toMatch(/^uid: must be an int64/);
    expect((await error("PUT", "/api/faults/sendmsg", {}))).toEqual([400, "body: give at least one of dropAnswer: true, delayMs, errorCode"]);
    expect((await error("PUT", "/api/faults/sendmsg", { delayMs: -1 }))[1]).toMatch(/^delayMs: /);
    expect((await error("PUT", "/api/faults/bad%20name", { dropAnswer: true }))[1]).toMatch(/^method: /);
    expect((await error("PUT", "/api/faults/nosuchmethod", { dropAnswer: true }))[0]).toBe(400);
    expect((await error("PUT", "/api/state", { format: "something else" }))[0]).toBe(400);
    expect(await error("POST", `/api/projects/${PID}/send`, { from: "1", to: "2", message: "x".repeat(65 * 1024) })).toEqual([413, "body: larger than 64 KiB"]);
    expect(await error("PUT", "/api/state", `{"pad":"${"x".repeat(16 * 2 ** 20)}"}`)).toEqual([413, "body: larger than 16 MiB"]);
  });
});
