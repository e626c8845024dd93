// State export and import: export → reset → import gives back the same state (read through the SDK and the admin
// views, history cursors included), also into another emulator; rows whose ids are taken get new ones and still
// page in order; a bad document is refused naming the place, before anything changes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageCategory } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { STATE_FORMAT } from "../src/admin/state-document.js";
import type { EmulatorState } from "../src/admin/types.js";
import { emulatorForTest, failure, onCleanup, OTHER_PID, PID, populate, sdk, snapshot } from "./admin-helpers.js";

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "rtm-admin-state-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "emulator.sqlite");
}

/** The document without its export time, for comparing two exports. */
function rows(state: EmulatorState): unknown {
  return state.projects;
}

describe("export and import", () => {
  it("export → reset → import gives back the same state, in the emulator and in another one (file databases)", async () => {
    const emulator = await emulatorForTest({ db: tempDb() });
    const client = sdk(emulator);
    const { fileUrl, mids } = await populate(emulator, client);
    await sdk(emulator, OTHER_PID).sendChat(1n, 2n, "other project", "");
    const before = await snapshot(emulator, client, fileUrl, mids);
    const state = emulator.admin.exportState();
    expect(state).toMatchObject({ format: STATE_FORMAT, version: 1, exportedAt: expect.any(Number) });
    // JSON-safe: through JSON text and back it is the same document.
    const json: EmulatorState = JSON.parse(JSON.stringify(state));
    expect(json).toEqual(state);
    // Every table of the schema is in the document, and populate() put rows in each (a new table needs rows there too).
    const project = state.projects[String(PID)] as Record<string, unknown[]>;
    const tables = ["messages", "files", "friends", "blacks", "project_blacks", "user_info", "user_tokens", "user_data", "devices", "push_options", "group_members", "group_bans", "group_info", "room_members", "room_bans", "room_info", "rtc_rooms", "rtc_members", "rtc_invitations"];
    expect(Object.keys(project).sort()).toEqual([...tables].sort());
    for (const table of tables) expect(project[table]!.length, table).toBeGreaterThan(0);

    emulator.admin.resetProject(PID);
    expect(await client.getGroupMembers(5n)).toEqual({ members: [] });
    emulator.admin.importState(json);
    expect(await snapshot(emulator, client, fileUrl, mids)).toEqual(before);
    expect(rows(emulator.admin.exportState())).toEqual(rows(state));

    // Another emulator: the same state, the other project's rows included.
    const second = await emulatorForTest({ db: tempDb() });
    second.admin.importState(json);
    const secondClient = sdk(second);
    // The file's URL names the gate it was sent through: read it from the second one's.
    const secondUrl = fileUrl.replace(emulator.fileGateEndpoint, second.fileGateEndpoint);
    const after = (await snapshot(second, secondClient, secondUrl, mids)) as Record<string, unknown>;
    expect(after).toEqual(before);
    expect(rows(second.admin.exportState())).toEqual(rows(state));
    await second.close();
  });

  it("the imported state survives a restart: the history index and the next mtime come back from the table", async () => {
    const db = tempDb();
    const source = await emulatorForTest();
    const { fileUrl, mids } = await populate(source, sdk(source));
    const state = source.admin.exportState();
    let emulator = await emulatorForTest({ db });
    emulator.admin.importState(state);
    await emulator.close();
    emulator = await emulatorForTest({ db });
    const client = sdk(emulator);
    const url = fileUrl.replace(source.fileGateEndpoint, emulator.fileGateEndpoint);
    expect(await snapshot(emulator, client, url, mids)).toEqual(await snapshot(source, sdk(source), fileUrl, mids));
  });

  it("rows whose ids are taken by another project get new ones, and every conversation still pages in order both ways", async () => {
    const clock = { ms: 1_700_000_000_000 };
    const source = await emulatorForTest({ now: () => clock.ms, tsSkewSeconds: 1e9 });
    const sourceClient = sdk(source);
    for (let i = 0; i < 10; i++) {
      await sourceClient.sendGroupChat(1n, 5n, `old ${i}`, "");
      clock.ms += 1;
    }
    const state = source.admin.exportState();
    delete (state.projects as Record<string, unknown>)[String(OTHER_PID)]; // else the import replaces it too

    // The target's rows are newer (a later clock) and hold ids 1..4.
    const target = await emulatorForTest({ now: () => clock.ms + 60_000, tsSkewSeconds: 1e9 });
    const other = sdk(target, OTHER_PID);
    for (let i = 0; i < 4; i++) await other.sendGroupChat(1n, 5n, `other ${i}`, "");
    target.admin.importState(state);
    const client = sdk(target);
    const sourcePage = source.admin.messages(PID, "group", "5", null, null, 100).messages;
    const page = target.admin.messages(PID, "group", "5", null, null, 100).messages;
    expect(page.map((m) => [m.mid, m.message, m.mtime])).toEqual(sourcePage.map((m) => [m.mid, m.message, m.mtime]));
    expect(page.map((m) => Number(m.cursor))).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);

    // Paging through the SDK with cursors, both ways, pages of 3: every message once, in order.
    for (const desc of [false, true]) {
      const seen: string[] = [];
      let lastId = 0n;
      for (;;) {
        const result = await client.getGroupChat(5n, desc, 3, 0n, 0n, lastId, 1n);
        if (result.messages.length === 0) break;
        seen.push(...result.messages.map((m) => m.message));
        lastId = result.lastCursorId;
      }
      const expected = Array.from({ length: 10 }, (_, i) => `old ${i}`);
      expect(seen).toEqual(desc ? expected.reverse() : expected);
    }
    // A send after the import comes after the imported rows.
    await client.sendGroupChat(2n, 5n, "new", "");
    expect((await client.getGroupChat(5n, true, 1, 0n, 0n, 0n, 1n)).messages[0]!.message).toBe("new");
    expect((await sdk(target, OTHER_PID).getGroupChat(5n, false, 20, 0n, 0n, 0n, 1n)).messages.map((m) => m.message)).toEqual(["other 0", "other 1", "other 2", "other 3"]);
  });

  it("ids that are free but would break the id/mtime order are not kept either", async () => {
    const clock = { ms: 1_700_000_000_000 };
    const source = await emulatorForTest({ now: () => clock.ms, tsSkewSeconds: 1e9 });
    const sourceOther = sdk(source, OTHER_PID);
    for (let i = 0; i < 4; i++) await sourceOther.sendChat(1n, 2n, `filler ${i}`, ""); // ids 1..4
    for (let i = 0; i < 3; i++) await sdk(source).sendChat(1n, 2n, `kept text ${i}`, ""); // ids 5..7
    const state = source.admin.exportState();
    delete (state.projects as Record<string, unknown>)[String(OTHER_PID)];

    const target = await emulatorForTest({ now: () => clock.ms + 60_000, tsSkewSeconds: 1e9 });
    await sdk(target, OTHER_PID).sendChat(1n, 2n, "newer", ""); // id 1, newer than every imported row
    target.admin.importState(state);
    const page = target.admin.messages(PID, "p2p", "1", "2", null, 10).messages;
    expect(page.map((m) => m.message)).toEqual(["kept text 2", "kept text 1", "kept text 0"]);
    expect(page.map((m) => m.cursor)).not.toEqual(["7", "6", "5"]);
    const history = await sdk(target).getP2PChat(1n, 2n, false, 2, 0n, 0n, 0n);
    const rest = await sdk(target).getP2PChat(1n, 2n, false, 2, 0n, 0n, history.lastCursorId);
    expect([...history.messages, ...rest.messages].map((m) => m.message)).toEqual(["kept text 0", "kept text 1", "kept text 2"]);
  });

  it("imported bans and blacklists hold at once (the send checks' caches learn of them)", async () => {
    const source = await emulatorForTest();
    const sourceClient = sdk(source);
    await sourceClient.addGroupBan(5n, 1001n, 3600);
    await sourceClient.addRoomBan(7n, 1001n, 3600);
    await sourceClient.addBlacks(1002n, [1001n]);
    const target = await emulatorForTest();
    target.admin.importState(source.admin.exportState());
    const client = sdk(target);
    expect(await failure(client.sendGroupChat(1001n, 5n, "banned", ""))).toBe(200044);
    expect(await failure(client.sendRoomChat(1001n, 7n, "banned", ""))).toBe(200045);
    expect(await failure(client.sendChat(1001n, 1002n, "blocked", ""))).toBe(200049);
    // And a reset lifts them.
    target.admin.resetProject(PID);
    await client.sendGroupChat(1001n, 5n, "fine", "");
    await client.sendChat(1001n, 1002n, "fine", "");
  });

  it("refuses a bad document, naming the place, before anything changes", async () => {
    const emulator = await emulatorForTest();
    const client = sdk(emulator);
    await client.sendGroupChat(1n, 5n, "stays", "");
    await client.addFriends(1n, [2n]);
    const good = emulator.admin.exportState();
    const project = () => structuredClone(good.projects[String(PID)]) as Record<string, Record<string, unknown>[]>;
    const withProject = (rows: Record<string, unknown>, key = String(PID)): EmulatorState => ({ ...good, projects: { [key]: rows } });
    const message = good.projects[String(PID)] as { messages: Record<string, unknown>[] };
    const bad: [unknown, string][] = [
      [null, "state: expected an object, got null"],
      [{ ...good, format: "other" }, 'state.format: expected "rtmkit-emulator-state", got "other"'],
      [{ ...good, version: 2 }, "state.version: expected 1, got 2"],
      [{ ...good, exportedAt: "now" }, 'state.exportedAt: expected a number (ms), got "now"'],
      [{ ...good, projects: [] }, "state.projects: expected an object, got an array"],
      [withProject({}, "99"), 'state.projects["99"]: "99" is not a project of this emulator'],
      [withProject({}, `0${PID}`), `state.projects["0${PID}"]: "0${PID}" is not a project`],
      [withProject({ nosuch: [] }), `state.projects["${PID}"].nosuch: not a table of this emulator`],
      [withProject({ friends: {} }), `state.projects["${PID}"].friends: expected an array of rows, got an object`],
      [withProject({ friends: [{ uid: "1" }] }), `state.projects["${PID}"].friends[0].friend: missing`],
      [withProject({ friends: [{ uid: "1", friend: "2", extra: 1 }] }), `state.projects["${PID}"].friends[0].extra: not a column of friends (uid, friend)`],
      [withProject({ friends: [{ uid: "1", friend: "x" }] }), `state.projects["${PID}"].friends[0].friend: expected an int64 as decimal text, got "x"`],
      [withProject({ friends: [{ uid: "1", friend: "9223372036854775808" }] }), `state.projects["${PID}"].friends[0].friend: expected an int64`],
      [withProject({ user_info: [{ uid: "1", oinfo: 5, pinfo: "" }] }), `state.projects["${PID}"].user_info[0].oinfo: expected text, got 5`],
      [withProject({ files: [{ file_id: "f", size: "1", data: "zz", stored_at: "1" }] }), `state.projects["${PID}"].files[0].data: expected bytes as hex text, got "zz"`],
      [withProject({ messages: [{ ...message.messages[0], msg: { hex: "f" } }] }), `state.projects["${PID}"].messages[0].msg.hex: expected bytes as hex text, got "f"`],
      [withProject({ messages: [{ ...message.messages[0], msg: 5 }] }), `state.projects["${PID}"].messages[0].msg: expected text or {hex}, got 5`],
      [withProject({ messages: [{ ...message.messages[0], conv_lo: "6" }] }), `state.projects["${PID}"].messages[0]: conv_lo/conv_hi must be 5/0`],
      [withProject({ messages: [{ ...message.messages[0], category: "9" }] }), `state.projects["${PID}"].messages[0].category: expected 1 (p2p), 2 (group), 3 (room) or 4 (broadcast), got 9`],
      [withProject({ messages: [{ ...message.messages[0], deleted: "2" }] }), `state.projects["${PID}"].messages[0].deleted: expected 0 or 1, got 2`],
      [withProject({ messages: [{ ...message.messages[0], id: "0" }] }), `state.projects["${PID}"].messages[0].id: expected a positive id, got 0`],
      [withProject({ messages: [message.messages[0], { ...message.messages[0], mid: "77" }] }), `state.projects["${PID}"].messages[1].id: id 1 is given twice`],
      // What only SQLite can tell: a key given twice, a CHECK.
      [withProject({ ...project(), friends: [{ uid: "1", friend: "2" }, { uid: "1", friend: "2" }] }), `state.projects["${PID}"].friends[1]: does not fit: UNIQUE constraint failed`],
      [withProject({ push_options: [{ uid: "1", type: "0", xid: "2", mtypes: "not json" }] }), `state.projects["${PID}"].push_options[0]: does not fit: CHECK constraint failed`],
      [
        withProject({ messages: [message.messages[0], { ...message.messages[0], id: "2" }] }),
        `state.projects["${PID}"].messages[1]: does not fit: UNIQUE constraint failed: messages.mid, messages.from_uid, messages.target, messages.category, messages.pid`,
      ],
    ];
    for (const [state, error] of bad) {
      expect(() => emulator.admin.importState(state as EmulatorState), error).toThrow(TypeError);
      expect(() => emulator.admin.importState(state as EmulatorState)).toThrow(error);
      expect(rows(emulator.admin.exportState())).toEqual(rows(good));
    }
    expect((await client.getGroupChat(5n, false, 10, 0n, 0n, 0n, 1n)).messages.map((m) => m.message)).toEqual(["stays"]);
    // A project left out of the document is left as it is; a table left out of a project has no rows.
    emulator.admin.importState({ ...good, projects: { [String(PID)]: { friends: [{ uid: "3", friend: "4" }] } } });
    expect(await client.getFriends(3n)).toEqual({ friendUserIds: [4n] });
    expect(await client.getGroupChat(5n, false, 10, 0n, 0n, 0n, 1n)).toMatchObject({ messages: [] });
    expect(await client.getMessage(1n, 1n, 5n, MessageCategory.GroupMessage).catch(() => "gone")).toBe("gone");
  });
});
