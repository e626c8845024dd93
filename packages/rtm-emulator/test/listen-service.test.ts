import { describe, expect, it } from "vitest";
import { RtmErrorCode } from "../src/errors.js";
import { ListenService, MAX_LISTENED_IDS, type ListeningConnection } from "../src/services/listen.js";
import { codeOf } from "./helpers.js";

/** A connection the test closes by hand. */
class FakeConnection implements ListeningConnection {
  isOpen = true;
  readonly closed: Promise<void>;
  #resolve!: () => void;
  constructor(readonly name: string) {
    this.closed = new Promise((resolve) => (this.#resolve = resolve));
  }
  close(): Promise<void> {
    this.isOpen = false;
    this.#resolve();
    return this.closed.then(() => new Promise((resolve) => setImmediate(resolve)));
  }
}

const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => BigInt(from + i));
const names = (service: ListenService<FakeConnection>, pid: number) => [...(service.listenersOf(pid)?.keys() ?? [])].map((c) => c.name).sort();

describe("the listen registry", () => {
  it("keeps each connection's state per project: a pid's listeners are those that listened with that pid", () => {
    const listen = new ListenService<FakeConnection>();
    const a = new FakeConnection("a");
    const b = new FakeConnection("b");
    listen.setlisten(1, a, { gids: [5n] });
    listen.addlisten(2, a, { uids: [7n] });
    listen.setlisten(2, b, { p2p: true });
    expect(names(listen, 1)).toEqual(["a"]);
    expect(names(listen, 2)).toEqual(["a", "b"]);
    expect(listen.listenersOf(3)).toBeUndefined();
    expect([...listen.stateOf(1, a)!.gids]).toEqual([5n]);
    expect([...listen.stateOf(2, a)!.uids]).toEqual([7n]);
    expect(listen.stateOf(1, a)!.uids.size).toBe(0);
    // Each connection once, however many projects it listens in (the ping goes once to each).
    expect(listen.connectionCount).toBe(2);
    expect([...listen.connections()].map((c) => c.name).sort()).toEqual(["a", "b"]);
  });

  it("drops an entry that listens to nothing, and a project nobody listens in", () => {
    const listen = new ListenService<FakeConnection>();
    const a = new FakeConnection("a");
    listen.setlisten(1, a, {}); // nothing
    expect(listen.listenersOf(1)).toBeUndefined();
    listen.addlisten(1, a, { gids: [], rids: [], uids: [], events: [] });
    expect(listen.listenersOf(1)).toBeUndefined();
    listen.addlisten(1, a, { events: ["login"] });
    expect(names(listen, 1)).toEqual(["a"]);
    listen.removelisten(1, a, { events: ["login"] });
    expect(listen.listenersOf(1)).toBeUndefined();
    listen.setlisten(1, a, { ev: true });
    listen.setlisten(1, a, { ev: false });
    expect(listen.listenersOf(1)).toBeUndefined();
    expect(listen.connectionCount).toBe(0);
  });

  it("forgets a connection once it closes, in every project, and never takes a closed one", async () => {
    const listen = new ListenService<FakeConnection>();
    const a = new FakeConnection("a");
    const b = new FakeConnection("b");
    listen.setlisten(1, a, { group: true });
    listen.setlisten(2, a, { room: true });
    listen.setlisten(1, b, { room: true });
    await a.close();
    expect(names(listen, 1)).toEqual(["b"]);
    expect(listen.listenersOf(2)).toBeUndefined();
    expect(listen.connectionCount).toBe(1);
    listen.setlisten(1, a, { group: true }); // a late quest of a closed connection
    expect(names(listen, 1)).toEqual(["b"]);
    await b.close();
    expect(listen.listenersOf(1)).toBeUndefined();
    expect(listen.connectionCount).toBe(0);
  });

  it("forget() drops a connection at once (the server gave it up before its socket closed)", () => {
    const listen = new ListenService<FakeConnection>();
    const a = new FakeConnection("a");
    listen.setlisten(1, a, { group: true });
    listen.setlisten(2, a, { group: true });
    listen.forget(a);
    expect([listen.listenersOf(1), listen.listenersOf(2), listen.connectionCount]).toEqual([undefined, undefined, 0]);
    listen.forget(a); // again: nothing to do
    expect(listen.connectionCount).toBe(0);
  });

  it("a connection that stops listening and listens again is still forgotten when it closes", async () => {
    const listen = new ListenService<FakeConnection>();
    const a = new FakeConnection("a");
    listen.setlisten(1, a, { group: true });
    listen.setlisten(1, a, {});
    listen.setlisten(1, a, { room: true });
    await a.close();
    expect(listen.listenersOf(1)).toBeUndefined();
    expect(listen.connectionCount).toBe(0);
  });

  it("keeps its documented refusals: an unknown event, more than 10,000 ids of a kind (nothing changes)", async () => {
    const listen = new ListenService<FakeConnection>();
    const a = new FakeConnection("a");
    listen.setlisten(1, a, { uids: [1n] });
    expect(await codeOf(() => listen.addlisten(1, a, { events: ["typing"] }))).toBe(RtmErrorCode.InvalidParameter);
    expect(await codeOf(() => listen.addlisten(1, a, { uids: ids(MAX_LISTENED_IDS, 2) }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect(await codeOf(() => listen.setlisten(1, a, { gids: ids(MAX_LISTENED_IDS + 1) }))).toBe(RtmErrorCode.TooManyItemsInParameters);
    expect([...listen.stateOf(1, a)!.uids]).toEqual([1n]);
    listen.addlisten(1, a, { uids: ids(MAX_LISTENED_IDS) }); // 1 is among them: 10,000 in all
    expect(listen.stateOf(1, a)!.uids.size).toBe(MAX_LISTENED_IDS);
  });
});
