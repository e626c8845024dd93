import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Conversation } from "../src/storage/history-index.js";
import { MessageCategory, type NewMessage } from "../src/storage/types.js";
import { history, openChat, PID } from "./helpers.js";

const groupMessage = (mid: number): NewMessage => ({
  pid: PID, category: MessageCategory.GroupMessage, from: 1001n, target: 1n, mid: BigInt(mid), mtype: 30, msg: `m${mid}`, attrs: "",
});

describe("history index and transactions", () => {
  it("shows a row only after its transaction commits, and never one that was rolled back", async () => {
    const { storage, chat } = openChat();
    const page = async () => (await chat.getgroupmsg(PID, { ...history, gid: 1n, uid: 1n })).msgs.map((row) => row[3]);
    let inside: Promise<bigint[]> | undefined;
    expect(() =>
      storage.store.transaction(() => {
        storage.store.storeSend([groupMessage(1)]);
        inside = page(); // a short page is read during the call, here inside the transaction
        throw new Error("abort");
      }),
    ).toThrow("abort");
    expect(await inside).toEqual([]); // written, not committed: the index did not have it yet
    expect(await page()).toEqual([]);

    storage.store.transaction(() => {
      storage.store.storeSend([groupMessage(2)]);
      expect(() =>
        storage.store.transaction(() => {
          storage.store.storeSend([groupMessage(3)]);
          throw new Error("inner");
        }),
      ).toThrow("inner");
      storage.store.storeSend([groupMessage(4)]);
    });
    expect(await page()).toEqual([2n, 4n]);

    storage.store.storeSend([groupMessage(5)]); // outside any transaction: committed at once
    expect(await page()).toEqual([2n, 4n, 5n]);
    expect(await chat.getmsgnum(PID, { type: 2, xid: 1n, mtypes: [], begin: 0n, end: 0n })).toEqual({ sender: 1, num: 3 });
    storage.close();
  });

  it("counts a conversation longer than one counting slice, with senders across slices", async () => {
    const { storage, chat } = openChat();
    const total = 20_000;
    storage.store.transaction(() => {
      for (let mid = 1; mid <= total; mid++) {
        storage.store.storeSend([{ ...groupMessage(mid), from: BigInt(1000 + Math.floor(mid / 5000)), mtype: mid % 2 === 0 ? 30 : 31 }]);
      }
    });
    storage.store.markDeleted({ pid: PID, category: MessageCategory.GroupMessage, from: 1000n, target: 1n, mid: 2n });
    expect(await chat.getmsgnum(PID, { type: 2, xid: 1n, mtypes: [], begin: 0n, end: 0n })).toEqual({ sender: 5, num: total - 1 });
    expect(await chat.getmsgnum(PID, { type: 2, xid: 1n, mtypes: [30], begin: 0n, end: 0n })).toEqual({ sender: 5, num: total / 2 - 1 });
    storage.close();
  });

  it("rebuilds the whole index of a reopened file, over several load pages, one-message conversations included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtm-index-"));
    try {
      const path = join(dir, "index.sqlite");
      const first = openChat({ path });
      first.storage.store.transaction(() => {
        for (let mid = 1; mid <= 20_000; mid++) first.storage.store.storeSend([{ ...groupMessage(mid), target: BigInt(1 + (mid % 3)) }]);
        first.storage.store.storeSend([{ ...groupMessage(20_001), target: 99n }]);
      });
      first.storage.close();
      const { storage, chat } = openChat({ path });
      const count = (gid: number) => chat.getmsgnum(PID, { type: 2, xid: BigInt(gid) });
      expect(await Promise.all([1, 2, 3, 99].map(count))).toEqual([6666, 6667, 6667, 1].map((num) => ({ sender: 1, num })));
      const newest = await chat.getgroupmsg(PID, { ...history, desc: true, num: 2, gid: 1n, uid: 1n });
      expect(newest.msgs.map((r) => r[3])).toEqual([19_998n, 19_995n]);
      const oldest = await chat.getgroupmsg(PID, { ...history, num: 2, gid: 1n, uid: 1n });
      expect(oldest.msgs.map((r) => r[3])).toEqual([3n, 6n]);
      expect((await chat.getgroupmsg(PID, { ...history, gid: 99n, uid: 1n })).msgs.map((r) => r[5])).toEqual(["m20001"]);
      storage.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds positions around (mtime, id) pairs like a linear scan does, with many messages per millisecond", () => {
    const pair = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: -1, max: 40 }));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), fc.array(pair, { maxLength: 10 }), (steps, probes) => {
        const conversation = new Conversation();
        let mtime = 0;
        steps.forEach((step, i) => {
          mtime += step;
          conversation.ids.push(i + 1);
          conversation.mtimes.push(mtime);
        });
        const positions = conversation.ids.map((_, at) => at);
        const after = (at: number, [m, id]: [number, number]) => conversation.mtimes[at]! > m || (conversation.mtimes[at] === m && conversation.ids[at]! > id);
        const before = (at: number, [m, id]: [number, number]) => conversation.mtimes[at]! < m || (conversation.mtimes[at] === m && conversation.ids[at]! < id);
        for (const probe of [...probes, [mtime, Infinity] as [number, number], [0, -Infinity] as [number, number]]) {
          const first = positions.find((at) => after(at, probe)) ?? conversation.length;
          const last = positions.filter((at) => before(at, probe)).at(-1) ?? -1;
          expect(conversation.firstAfter(...probe)).toBe(first);
          expect(conversation.lastBefore(...probe)).toBe(last);
        }
      }),
      { numRuns: 500 },
    );
  });
});
