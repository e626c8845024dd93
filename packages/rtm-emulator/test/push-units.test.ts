// The push modules on their own, with connections the test controls: how each outcome is counted, the drop log's
// pace, the ping going once to each connection, the user mids.
import { FpnnError, FpnnErrorCode } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { DropLog } from "../src/push/drop-log.js";
import type { PushConnection } from "../src/push/push-connection.js";
import { PushDelivery } from "../src/push/push-delivery.js";
import { PushHub } from "../src/push/push-hub.js";
import { UserMids } from "../src/push/user-mids.js";
import { Logger } from "../src/server/logger.js";
import { ListenService } from "../src/services/listen.js";

interface SentQuest {
  readonly method: string;
  readonly settle: { resolve: (answer: unknown) => void; reject: (error: unknown) => void };
}

/** A connection whose quests settle when the test says; `pendingCount` counts those not settled yet. */
class FakeConnection implements PushConnection {
  isOpen = true;
  pendingCount = 0;
  readonly remoteAddress = "10.0.0.7";
  readonly remotePort: number;
  readonly sent: SentQuest[] = [];
  readonly closed: Promise<void>;
  #close!: () => void;

  constructor(port = 5000) {
    this.remotePort = port;
    this.closed = new Promise((resolve) => (this.#close = resolve));
  }

  questEncoded(method: string): Promise<unknown> {
    this.pendingCount++;
    return new Promise((resolve, reject) => {
      const settled = () => this.pendingCount--;
      this.sent.push({ method, settle: { resolve: (answer) => (settled(), resolve(answer)), reject: (error) => (settled(), reject(error)) } });
    });
  }

  close(): void {
    this.isOpen = false;
    this.#close();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const silentLogger = new Logger("silent", () => {});

describe("PushDelivery", () => {
  it("counts each sent push once as answered, timed out or failed (error answer, closed, output full)", async () => {
    const delivery = new PushDelivery({ timeoutSeconds: 10, maxUnanswered: 100, logger: silentLogger });
    const connection = new FakeConnection();
    for (let i = 0; i < 5; i++) delivery.send(connection, "pushmsg", Uint8Array.of(0x80));
    const [answered, timedOut, errorAnswer, closed, outputFull] = connection.sent;
    answered!.settle.resolve({});
    timedOut!.settle.reject(new FpnnError(FpnnErrorCode.CoreTimeout, "quest pushmsg timed out"));
    errorAnswer!.settle.reject(new FpnnError(200001, "no"));
    closed!.settle.reject(new FpnnError(FpnnErrorCode.CoreConnectionClosed, "connection closed"));
    outputFull!.settle.reject(new FpnnError(FpnnErrorCode.CoreWorkQueueFull, "output full"));
    await tick();
    expect(delivery.stats()).toEqual({ sent: 5, answered: 1, dropped: 0, timedOut: 1, failed: 3 });
  });

  it("sends nothing, and counts nothing, to a connection that is closing", () => {
    const delivery = new PushDelivery({ timeoutSeconds: 10, maxUnanswered: 100, logger: silentLogger });
    const connection = new FakeConnection();
    connection.isOpen = false;
    delivery.send(connection, "pushmsg", Uint8Array.of(0x80));
    expect(connection.sent).toEqual([]);
    expect(delivery.stats()).toEqual({ sent: 0, answered: 0, dropped: 0, timedOut: 0, failed: 0 });
  });

  it("drops past maxUnanswered and sends again once an answer frees room", async () => {
    const delivery = new PushDelivery({ timeoutSeconds: 10, maxUnanswered: 2, logger: silentLogger });
    const connection = new FakeConnection();
    for (let i = 0; i < 4; i++) delivery.send(connection, "pushmsg", Uint8Array.of(0x80));
    expect(connection.sent).toHaveLength(2);
    connection.sent[0]!.settle.resolve({});
    await tick();
    delivery.send(connection, "pushmsg", Uint8Array.of(0x80));
    expect(connection.sent).toHaveLength(3);
    expect(delivery.stats()).toMatchObject({ sent: 3, answered: 1, dropped: 2 });
  });
});

describe("DropLog", () => {
  it("logs the first drop at once, then at most once a second per connection with the count since, and the rest at close", async () => {
    const lines: string[] = [];
    let now = 0;
    const log = new DropLog(new Logger("warn", (line) => lines.push(line.trim())), 7, () => now);
    const a = new FakeConnection(1111);
    const b = new FakeConnection(2222);
    log.dropped(a);
    log.dropped(b);
    for (let i = 0; i < 5; i++) log.dropped(a);
    now = 999;
    log.dropped(a);
    expect(lines.map((line) => line.replace(/^\S+ /, ""))).toEqual([
      "WARN  push: dropped 1 push(es) to 10.0.0.7:1111: it leaves 7 unanswered (maxUnansweredPushes / --max-unanswered-pushes)",
      "WARN  push: dropped 1 push(es) to 10.0.0.7:2222: it leaves 7 unanswered (maxUnansweredPushes / --max-unanswered-pushes)",
    ]);
    now = 1000;
    log.dropped(a); // 5 + 1 + 1 since the first line
    expect(lines.at(-1)).toContain("push: dropped 7 push(es) to 10.0.0.7:1111");
    log.dropped(a);
    log.dropped(a);
    a.close();
    b.close();
    await tick();
    expect(lines.slice(3).map((line) => line.replace(/^\S+ /, ""))).toEqual(["WARN  push: dropped 2 more push(es) to 10.0.0.7:1111 before it closed"]);
  });
});

describe("PushHub", () => {
  it("pings each listening connection once, however many projects it listens in; connections listening to nothing get none", () => {
    const listen = new ListenService<FakeConnection>();
    const delivery = new PushDelivery({ timeoutSeconds: 10, maxUnanswered: 100, logger: silentLogger });
    const hub = new PushHub(listen, { delivery, duplicate: true, endpoint: () => "e:1", now: () => 0 });
    const both = new FakeConnection(1);
    const one = new FakeConnection(2);
    const none = new FakeConnection(3);
    listen.setlisten(1, both, { group: true });
    listen.setlisten(2, both, { ev: true });
    listen.setlisten(2, one, { uids: [5n] });
    listen.setlisten(2, none, {});
    hub.ping();
    expect([both, one, none].map((c) => c.sent.map((quest) => quest.method))).toEqual([["ping"], ["ping"], []]);
  });

  it("wants no send of a project nobody listens in, nor any broadcast", () => {
    const listen = new ListenService<FakeConnection>();
    const hub = new PushHub(listen, { delivery: new PushDelivery({ timeoutSeconds: 1, maxUnanswered: 1, logger: silentLogger }), duplicate: false, endpoint: () => "", now: () => 0 });
    expect(hub.wants(1, 2)).toBe(false);
    listen.setlisten(1, new FakeConnection(), { group: true });
    expect([hub.wants(1, 1), hub.wants(1, 2), hub.wants(1, 3), hub.wants(1, 4), hub.wants(2, 2)]).toEqual([true, true, true, false, false]);
  });
});

describe("UserMids", () => {
  it("are ms * 4096 + n, increasing even when the clock stands still or steps back", () => {
    const mids = new UserMids();
    expect(mids.next(1_000)).toBe(4_096_000n);
    expect(mids.next(1_000)).toBe(4_096_001n);
    expect(mids.next(999)).toBe(4_096_002n);
    expect(mids.next(1_001)).toBe(4_100_096n);
  });
});
