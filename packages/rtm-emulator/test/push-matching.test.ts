// Who gets which push: the listen state of each connection in the sender's project decides (docs/emulator/push.md).
// A listener that must get nothing is checked after a marker it does listen to has arrived: pushes to one
// connection go out in order, so anything pushed before the marker would have arrived before it.
import type { Payload } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/server/start.js";
import { emulatorForTest, listening, OTHER_PID, PID, sender, type Listener } from "./push-helpers.js";

const MARKER_GROUP = 777n;
let mid = 1000n;

/** What a listener got besides markers: [method, from, to|gid|rid, mid, extra]. */
function got(listener: Listener): unknown[][] {
  return listener
    .of()
    .filter((push) => !(push.method === "pushgroupmsg" && BigInt(push.payload.gid as number) === MARKER_GROUP))
    .map((push) => {
      const p = push.payload;
      if (push.method === "pushevent") return [push.method, p.event, BigInt(p.uid as number)];
      return [push.method, BigInt(p.from as number), BigInt((p.to ?? p.gid ?? p.rid) as number), BigInt(p.mid as number)];
    });
}

/** Sends a marker group message in each project and waits until every listener has its markers. */
async function settle(emulator: RunningEmulator, listeners: readonly Listener[]): Promise<void> {
  const send = sender(emulator);
  for (const pid of [PID, OTHER_PID]) await send("sendgroupmsg", { mtype: 30, from: 1n, gid: MARKER_GROUP, mid: ++mid, msg: "marker", attrs: "" }, pid);
  await Promise.all(
    listeners.map(async (listener) => {
      const markers = () => listener.of("pushgroupmsg").filter((push) => BigInt(push.payload.gid as number) === MARKER_GROUP).length;
      const deadline = Date.now() + 10_000;
      while (markers() < 1) {
        if (Date.now() > deadline) throw new Error("marker not received");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }),
  );
}

/** Listening as `state` plus the marker group. */
function withMarker(state: Payload): Payload {
  return { ...state, gids: [...((state.gids as bigint[] | undefined) ?? []), MARKER_GROUP] };
}

const chat = (from: bigint, to: bigint, id: bigint): Payload => ({ mtype: 30, from, to, mid: id, msg: "hi", attrs: "" });

describe("P2P messages", () => {
  it("go to connections listening to the sender, the recipient, or every P2P message; nobody else, no other project", async () => {
    const emulator = await emulatorForTest();
    const bySender = await listening(emulator, withMarker({ uids: [1001n] }));
    const byRecipient = await listening(emulator, withMarker({ uids: [1002n] }));
    const all = await listening(emulator, withMarker({ p2p: true }));
    const neither = await listening(emulator, withMarker({ uids: [9999n], group: false, room: true, ev: true }));
    const groupsOnly = await listening(emulator, { group: true });
    const otherProject = await listening(emulator, withMarker({ p2p: true, uids: [1001n, 1002n] }), OTHER_PID);
    const send = sender(emulator);
    await send("sendmsg", chat(1001n, 1002n, 1n));
    await send("sendmsg", chat(1002n, 1001n, 2n));
    await send("sendmsg", chat(1003n, 1004n, 3n));
    await settle(emulator, [bySender, byRecipient, all, neither, groupsOnly, otherProject]);
    const both = [
      ["pushmsg", 1001n, 1002n, 1n],
      ["pushmsg", 1002n, 1001n, 2n],
    ];
    expect(got(bySender)).toEqual(both);
    expect(got(byRecipient)).toEqual(both);
    expect(got(all)).toEqual([...both, ["pushmsg", 1003n, 1004n, 3n]]);
    expect(got(neither)).toEqual([]);
    expect(got(groupsOnly)).toEqual([]); // the marker group is pushed to it: it listens to every group
    expect(got(otherProject)).toEqual([]);
  });

  it("sendmsgs: one push per recipient row, with that recipient as `to`; a row refused by a blacklist is not pushed", async () => {
    const emulator = await emulatorForTest();
    const all = await listening(emulator, withMarker({ p2p: true }));
    const recipient = await listening(emulator, withMarker({ uids: [1003n] }));
    const blocked = await listening(emulator, withMarker({ uids: [1004n] }));
    const send = sender(emulator);
    await send("addblacks", { uid: 1004n, blacks: [1001n] });
    await send("sendmsgs", { mtype: 30, from: 1001n, tos: [1002n, 1003n, 1004n, 1003n], mid: 5n, msg: "to many", attrs: "" });
    await settle(emulator, [all, recipient, blocked]);
    expect(got(all)).toEqual([
      ["pushmsg", 1001n, 1002n, 5n],
      ["pushmsg", 1001n, 1003n, 5n],
    ]);
    expect(got(recipient)).toEqual([["pushmsg", 1001n, 1003n, 5n]]);
    expect(got(blocked)).toEqual([]);
  });

  it("a refused send is not pushed, and a repeated mid (a resend) is not pushed again", async () => {
    const emulator = await emulatorForTest();
    const all = await listening(emulator, withMarker({ p2p: true }));
    const send = sender(emulator);
    await send("sendmsg", chat(1001n, 1002n, 8n));
    await send("sendmsg", { ...chat(1001n, 1002n, 8n), msg: "the same mid again" });
    await expect(send("sendmsg", chat(1001n, 1001n, 9n))).rejects.toMatchObject({ code: 200052 });
    await expect(send("sendmsg", { ...chat(1001n, 1002n, 10n), mtype: 0 })).rejects.toMatchObject({ code: 200005 });
    await settle(emulator, [all]);
    expect(got(all)).toEqual([["pushmsg", 1001n, 1002n, 8n]]);
    expect(all.of("pushmsg")[0]!.payload.msg).toBe("hi");
  });
});

describe("group and room messages", () => {
  it("go to connections listening to that group or room, or to every group or room; listening to the sender is not enough", async () => {
    const emulator = await emulatorForTest();
    const group = await listening(emulator, withMarker({ gids: [2001n] }));
    const allGroups = await listening(emulator, { group: true });
    const room = await listening(emulator, withMarker({ rids: [3001n] }));
    const allRooms = await listening(emulator, withMarker({ room: true }));
    const sendersUid = await listening(emulator, withMarker({ uids: [1001n], p2p: true }));
    const otherProject = await listening(emulator, withMarker({ group: true, room: true, gids: [2001n], rids: [3001n] }), OTHER_PID);
    const send = sender(emulator);
    await send("sendgroupmsg", { mtype: 30, from: 1001n, gid: 2001n, mid: 1n, msg: "g", attrs: "" });
    await send("sendgroupmsg", { mtype: 31, from: 1001n, gid: 2002n, mid: 2n, msg: "g2", attrs: "" });
    await send("sendroommsg", { mtype: 32, from: 1001n, rid: 3001n, mid: 3n, msg: "r", attrs: "" });
    await send("sendroommsg", { mtype: 51, from: 1001n, rid: 3002n, mid: 4n, msg: "r2", attrs: "" });
    await settle(emulator, [group, allGroups, room, allRooms, sendersUid, otherProject]);
    expect(got(group)).toEqual([["pushgroupmsg", 1001n, 2001n, 1n]]);
    expect(got(allGroups)).toEqual([
      ["pushgroupmsg", 1001n, 2001n, 1n],
      ["pushgroupmsg", 1001n, 2002n, 2n],
    ]);
    expect(got(room)).toEqual([["pushroommsg", 1001n, 3001n, 3n]]);
    expect(got(allRooms)).toEqual([
      ["pushroommsg", 1001n, 3001n, 3n],
      ["pushroommsg", 1001n, 3002n, 4n],
    ]);
    expect(got(sendersUid)).toEqual([]);
    expect(got(otherProject)).toEqual([]);
  });

  it("a send refused by a ban is not pushed", async () => {
    const emulator = await emulatorForTest();
    const all = await listening(emulator, withMarker({ group: true, room: true }));
    const send = sender(emulator);
    await send("addgroupban", { gid: 2001n, uid: 1001n, btime: 60 });
    await expect(send("sendgroupmsg", { mtype: 30, from: 1001n, gid: 2001n, mid: 1n, msg: "g", attrs: "" })).rejects.toMatchObject({ code: 200044 });
    await settle(emulator, [all]);
    expect(got(all)).toEqual([]);
  });

  it("broadcasts are not pushed (listen has no filter for them)", async () => {
    const emulator = await emulatorForTest();
    const everything = await listening(emulator, { p2p: true, group: true, room: true, ev: true });
    const send = sender(emulator);
    await send("broadcastmsg", { mtype: 30, from: 1001n, mid: 1n, msg: "to all", attrs: "" });
    await settle(emulator, [everything]);
    expect(got(everything)).toEqual([]);
  });
});

describe("events", () => {
  it("login and logout go to connections listening to that event or to every event, for any user; other projects get none", async () => {
    const emulator = await emulatorForTest();
    const logins = await listening(emulator, withMarker({ events: ["login"] }));
    const logouts = await listening(emulator, withMarker({ events: ["logout"] }));
    const allEvents = await listening(emulator, withMarker({ ev: true }));
    const usersOnly = await listening(emulator, withMarker({ uids: [5n], p2p: true }));
    const otherProject = await listening(emulator, withMarker({ ev: true }), OTHER_PID);
    emulator.userLogin(PID, 5n);
    emulator.userLogin(PID, 5n); // no change: nothing
    emulator.setOnline(PID, 6n, true);
    emulator.userLogout(PID, 5n);
    await settle(emulator, [logins, logouts, allEvents, usersOnly, otherProject]);
    expect(got(logins)).toEqual([
      ["pushevent", "login", 5n],
      ["pushevent", "login", 6n],
    ]);
    expect(got(logouts)).toEqual([["pushevent", "logout", 5n]]);
    expect(got(allEvents)).toEqual([
      ["pushevent", "login", 5n],
      ["pushevent", "login", 6n],
      ["pushevent", "logout", 5n],
    ]);
    expect(got(usersOnly)).toEqual([]);
    expect(got(otherProject)).toEqual([]);
  });

  it("kickout and addprojectblack of an online user push logout; of an offline user, nothing", async () => {
    const emulator = await emulatorForTest();
    const allEvents = await listening(emulator, withMarker({ ev: true }));
    const send = sender(emulator);
    emulator.userLogin(PID, 7n);
    emulator.userLogin(PID, 8n);
    await send("kickout", { uid: 7n });
    await send("kickout", { uid: 7n });
    await send("addprojectblack", { uid: 8n, btime: 60 });
    await settle(emulator, [allEvents]);
    expect(got(allEvents)).toEqual([
      ["pushevent", "login", 7n],
      ["pushevent", "login", 8n],
      ["pushevent", "logout", 7n],
      ["pushevent", "logout", 8n],
    ]);
  });
});

describe("changing what a connection listens to", () => {
  it("addlisten adds, removelisten removes, setlisten replaces everything", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, withMarker({ uids: [1n] }));
    const send = sender(emulator);
    await listener.quest("addlisten", { gids: [], rids: [], uids: [2n], events: [] });
    await send("sendmsg", chat(1n, 10n, 1n));
    await send("sendmsg", chat(2n, 10n, 2n));
    await listener.quest("removelisten", { gids: [], rids: [], uids: [1n], events: [] });
    await send("sendmsg", chat(1n, 10n, 3n));
    await send("sendmsg", chat(2n, 10n, 4n));
    await listener.quest("setlisten", { gids: [MARKER_GROUP] });
    await send("sendmsg", chat(2n, 10n, 5n));
    await settle(emulator, [listener]);
    expect(got(listener)).toEqual([
      ["pushmsg", 1n, 10n, 1n],
      ["pushmsg", 2n, 10n, 2n],
      ["pushmsg", 2n, 10n, 4n],
    ]);
  });

  it("one connection may listen in two projects: each project's pushes by its own state", async () => {
    const emulator = await emulatorForTest();
    const listener = await listening(emulator, withMarker({ uids: [1n] }));
    await listener.quest("setlisten", { gids: [MARKER_GROUP], uids: [2n] }, OTHER_PID);
    const send = sender(emulator);
    await send("sendmsg", chat(1n, 10n, 1n));
    await send("sendmsg", chat(2n, 10n, 2n));
    await send("sendmsg", chat(1n, 10n, 3n), OTHER_PID);
    await send("sendmsg", chat(2n, 10n, 4n), OTHER_PID);
    await settle(emulator, [listener]);
    expect(got(listener)).toEqual([
      ["pushmsg", 1n, 10n, 1n],
      ["pushmsg", 2n, 10n, 4n],
    ]);
  });
});
