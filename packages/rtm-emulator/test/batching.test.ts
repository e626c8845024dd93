import { afterEach, describe, expect, it } from "vitest";
import { MessageCategory } from "../src/storage/types.js";
import { history, openChat, PID, send } from "./helpers.js";

/** Statements SQLite executed, seen through better-sqlite3's trace (independent of the batcher's own bookkeeping). */
function traced() {
  const statements: string[] = [];
  const env = openChat({ trace: (sql) => statements.push(String(sql).trim()) });
  statements.length = 0; // forget the schema setup
  const count = (prefix: string) => statements.filter((s) => s.startsWith(prefix)).length;
  return { ...env, statements, count };
}

let env: ReturnType<typeof traced> | undefined;
afterEach(() => {
  env?.storage.close();
  env = undefined;
});

describe("write batching", () => {
  it("commits all sends of one event-loop turn in one transaction", async () => {
    env = traced();
    const { chat, count } = env;
    const sends = Array.from({ length: 50 }, (_, i) => send(chat, 1 + (i % 3), i + 1));
    await Promise.all(sends);
    expect(count("BEGIN")).toBe(1);
    expect(count("COMMIT")).toBe(1);
    expect(count("INSERT INTO messages")).toBe(50);
    // A later turn is a second transaction.
    await Promise.all([send(chat, 1, 100), chat.delmsg(PID, { mid: 1n, from: 1001n, xid: 1n, type: MessageCategory.GroupMessage })]);
    expect(count("BEGIN")).toBe(2);
    expect(count("COMMIT")).toBe(2);
  });

  it("settles a send only after its commit", async () => {
    env = traced();
    const { chat, statements, storage } = env;
    const seen: string[] = [];
    const pending = send(chat, 1, 1).then(() => seen.push(statements.at(-1) ?? ""));
    expect(storage.writes.pending).toBe(1);
    // Not committed yet: a read in the same turn does not see it.
    expect((await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n })).num).toBe(0);
    await pending;
    expect(seen).toEqual(["COMMIT"]);
    expect(storage.writes.pending).toBe(0);
  });

  it("keeps idempotency inside one batch: the repeat answers the first mtime and adds no row", async () => {
    env = traced();
    const { chat, clock } = env;
    const first = send(chat, 1, 42, { msg: "first" });
    clock.ms += 5;
    const second = send(chat, 1, 42, { msg: "second" });
    const [a, b] = await Promise.all([first, second]);
    expect(b.mtime).toBe(a.mtime);
    const page = await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n });
    expect(page.msgs.map((r) => r[5])).toEqual(["first"]);
    expect(env.count("COMMIT")).toBe(1);
  });

  it("a failing write rejects alone; the rest of its batch commits; a failing multi-row send stores none of its rows", async () => {
    env = traced();
    const { storage, chat } = env;
    const row = { pid: PID, category: MessageCategory.P2PMessage, from: 1n, mid: 1n, mtype: 30, msg: "x", attrs: "" };
    const good = storage.writes.send([{ ...row, target: 2n }]);
    const bad = storage.writes.send([{ ...row, target: 2n ** 64n }]); // not an int64: SQLite refuses the bind
    const partlyBad = storage.writes.send([{ ...row, target: 3n }, { ...row, target: 2n ** 64n }]);
    await expect(bad).rejects.toThrow();
    await expect(partlyBad).rejects.toThrow();
    expect(typeof (await good)).toBe("bigint");
    expect(env.count("COMMIT")).toBe(1);
    expect((await chat.getp2pmsg(PID, { ...history, uid: 1n, ouid: 2n })).num).toBe(1);
    expect((await chat.getp2pmsg(PID, { ...history, uid: 1n, ouid: 3n })).num).toBe(0);
  });

  it("close() commits what is queued and refuses later writes", async () => {
    env = traced();
    const { chat, storage } = env;
    const queued = send(chat, 1, 1);
    storage.close();
    expect(typeof (await queued).mtime).toBe("bigint");
    await expect(send(chat, 1, 2)).rejects.toThrow(/closed/);
  });
});
