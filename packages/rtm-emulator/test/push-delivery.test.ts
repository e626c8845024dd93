// How pushes are delivered: in commit order, to every listener, and a listener that does not answer (or goes
// away) costs the others nothing. Real sockets, the emulator's own server and SQLite.
import type { Payload } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import type { Socket } from "node:net";
import { emulatorForTest, Listener, listening, PID, sender, SilentRawListener, until } from "./push-helpers.js";

const groupChat = (i: number, gid = 2001n): Payload => ({ mtype: 30, from: 1001n, gid, mid: BigInt(i + 1), msg: `m${i}`, attrs: "" });
const mids = (listener: Listener, method = "pushgroupmsg") => listener.of(method).map((push) => Number(push.payload.mid));
const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
/** A promise that never settles: the listener never answers. */
const never = () => new Promise<Payload>(() => {});

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

describe("order", () => {
  it("500 pipelined sends in three conversations arrive in send order per conversation, at every listener", async () => {
    const emulator = await emulatorForTest();
    const listeners = await Promise.all([0, 1, 2].map(() => listening(emulator, { p2p: true, group: true })));
    const send = sender(emulator);
    const sends: Promise<Payload>[] = [];
    for (let i = 0; i < 500; i++) {
      if (i % 3 === 0) sends.push(send("sendgroupmsg", groupChat(i)));
      else if (i % 3 === 1) sends.push(send("sendmsg", { mtype: 30, from: 1n, to: 2n, mid: BigInt(i + 1), msg: `m${i}`, attrs: "" }));
      else sends.push(send("sendmsg", { mtype: 30, from: 2n, to: 1n, mid: BigInt(i + 1), msg: `m${i}`, attrs: "" }));
    }
    const answers = await Promise.all(sends);
    for (const listener of listeners) await listener.received(500);
    const expected = (rest: number) => range(500).filter((mid) => (mid - 1) % 3 === rest);
    for (const listener of listeners) {
      expect(mids(listener)).toEqual(expected(0));
      const p2p = listener.of("pushmsg");
      expect(p2p.filter((push) => Number(push.payload.from) === 1).map((push) => Number(push.payload.mid))).toEqual(expected(1));
      expect(p2p.filter((push) => Number(push.payload.from) === 2).map((push) => Number(push.payload.mid))).toEqual(expected(2));
      // And in the order of their mtimes, which the senders were answered with.
      const mtimes = listener.of().map((push) => BigInt(push.payload.mtime as number));
      expect(mtimes).toEqual([...mtimes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(listener.of().map((push) => BigInt(push.payload.mtime as number))).toEqual(answers.map((answer) => BigInt(answer.mtime as number)));
    }
  });
});

describe("a listener that does not answer", () => {
  it("costs the others nothing: they get every push, its pushes past the cap are dropped, counted and logged, sends keep their latency", async () => {
    const log: string[] = [];
    // The listeners that answer stay far below the cap: sends go in waves of 25, each answered before the next.
    const cap = 200;
    const emulator = await emulatorForTest({ maxUnansweredPushes: cap, logLevel: "warn", log: (line) => log.push(line) });
    const send = sender(emulator);
    const good = await listening(emulator, { group: true });
    const other = await listening(emulator, { gids: [2001n] });

    // Sequential sends with only answering listeners: the latency to compare with.
    const latencies = async (from: number, count: number) => {
      const samples: number[] = [];
      for (let i = from; i < from + count; i++) {
        const started = performance.now();
        await send("sendgroupmsg", groupChat(i));
        samples.push(performance.now() - started);
      }
      return samples;
    };
    const before = await latencies(0, 300);

    const silent = new Listener(emulator.endpoint, never);
    await silent.quest("setlisten", { group: true });
    const raw = await SilentRawListener.open(emulator, { gids: [2001n] });
    const silentSince = performance.now();
    for (let wave = 0; wave < 1000; wave += 25) await Promise.all(range(25).map((i) => send("sendgroupmsg", groupChat(299 + wave + i))));
    const after = await latencies(1300, 300);

    for (const listener of [good, other]) {
      await listener.received(1600);
      expect(mids(listener)).toEqual(range(1600));
    }
    await until(() => raw.quests === cap, 5000, "the raw listener's pushes up to the cap");
    expect(silent.pushes).toHaveLength(cap);
    expect(mids(silent)).toEqual(range(cap).map((i) => 300 + i));
    const stats = emulator.pushStats();
    expect(stats.dropped).toBe(2 * (1300 - cap));
    expect(stats.sent).toBe(2 * 1600 + 2 * cap);
    await until(() => emulator.pushStats().answered === 2 * 1600, 5000, "every answer counted");
    expect(emulator.pushStats()).toMatchObject({ timedOut: 0, failed: 0 });

    // The sends' latency with the silent listeners attached (saturated) is that of before, give or take the machine's noise.
    const p50Before = percentile(before, 0.5);
    const p50After = percentile(after, 0.5);
    expect(p50After, `p50 ${p50Before.toFixed(2)} ms before, ${p50After.toFixed(2)} ms after`).toBeLessThan(p50Before * 3 + 2);
    expect(Math.max(...after)).toBeLessThan(1000);

    // Logged: at most one line per connection per second, each naming the connection; the rest when it closes.
    const silentPeer = `127.0.0.1:${(silent.client.connection!.socket as Socket).localPort!}`;
    const rawPeer = `127.0.0.1:${raw.socket.localPort!}`;
    await silent.client.close();
    raw.socket.destroy();
    const seconds = (performance.now() - silentSince) / 1000;
    const dropLines = () => log.filter((line) => line.includes("push: dropped"));
    await until(() => dropLines().filter((line) => line.includes("before it closed")).length === 2, 5000, "the closing lines");
    for (const peer of [silentPeer, rawPeer]) {
      const lines = dropLines().filter((line) => line.includes(` ${peer}`));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
      expect(lines[0]).toMatch(/WARN .*push: dropped 1 push\(es\) to 127\.0\.0\.1:\d+: it leaves 200 unanswered/);
      const counted = lines.reduce((sum, line) => sum + Number(/dropped (\d+)/.exec(line)![1]), 0);
      expect(counted).toBe(1300 - cap);
    }
  });

  it("a push unanswered for pushTimeoutSeconds counts as timed out and frees its place under the cap", async () => {
    const emulator = await emulatorForTest({ pushTimeoutSeconds: 0.2, maxUnansweredPushes: 3 });
    const silent = new Listener(emulator.endpoint, never);
    await silent.quest("setlisten", { group: true });
    const send = sender(emulator);
    for (let i = 0; i < 5; i++) await send("sendgroupmsg", groupChat(i));
    await silent.received(3);
    expect(emulator.pushStats()).toMatchObject({ sent: 3, dropped: 2, timedOut: 0 });
    await until(() => emulator.pushStats().timedOut === 3, 5000, "three timeouts");
    await send("sendgroupmsg", groupChat(5));
    await silent.received(4);
    expect(mids(silent)).toEqual([1, 2, 3, 6]);
    expect(emulator.pushStats()).toMatchObject({ sent: 4, answered: 0, dropped: 2, failed: 0 });
  });

  it("pings follow the same cap", async () => {
    const emulator = await emulatorForTest({ pushPingSeconds: 0.02, maxUnansweredPushes: 3 });
    const silent = new Listener(emulator.endpoint, never);
    await silent.quest("setlisten", { ev: true });
    await until(() => emulator.pushStats().dropped >= 3, 5000, "pings dropped");
    expect(silent.of("ping")).toHaveLength(3);
    expect(emulator.pushStats().sent).toBe(3);
  });
});

describe("a listener that goes away", () => {
  it("mid-stream leaves the others complete", async () => {
    const emulator = await emulatorForTest();
    const stays = await Promise.all([0, 1].map(() => listening(emulator, { gids: [2001n] })));
    const leaves = await listening(emulator, { gids: [2001n] });
    const send = sender(emulator);
    const sends: Promise<Payload>[] = [];
    for (let i = 0; i < 600; i++) {
      sends.push(send("sendgroupmsg", groupChat(i)));
      if (i === 150) {
        await leaves.received(100);
        void leaves.client.close();
      }
    }
    await Promise.all(sends);
    for (const listener of stays) {
      await listener.received(600);
      expect(mids(listener)).toEqual(range(600));
    }
    expect(leaves.pushes.length).toBeLessThan(600);
    const stats = emulator.pushStats();
    await until(() => emulator.pushStats().answered + emulator.pushStats().failed === emulator.pushStats().sent, 5000, "every push settled");
    expect(stats.dropped).toBe(0);
    expect(emulator.pushStats().answered).toBeGreaterThanOrEqual(1200 + 100);
  });
});

describe("fault duplicatePushes", () => {
  it("sends every message push and pushevent twice (same payload, new seq); pings once", async () => {
    const emulator = await emulatorForTest({ faults: { duplicatePushes: true }, pushPingSeconds: 0.05 });
    const listener = await listening(emulator, { p2p: true, group: true, ev: true });
    const send = sender(emulator);
    await send("sendmsg", { mtype: 30, from: 1n, to: 2n, mid: 1n, msg: "once", attrs: "" });
    await send("sendgroupmsg", groupChat(1));
    emulator.userLogin(PID, 3n);
    await until(() => listener.of().length === 6 && listener.of("ping").length >= 2, 5000, "six pushes and two pings");
    const pushes = listener.of();
    expect(pushes.map((push) => push.method)).toEqual(["pushmsg", "pushmsg", "pushgroupmsg", "pushgroupmsg", "pushevent", "pushevent"]);
    for (let i = 0; i < 6; i += 2) {
      expect(pushes[i + 1]!.raw.equals(pushes[i]!.raw)).toBe(true);
      expect(pushes[i + 1]!.seq).not.toBe(pushes[i]!.seq);
    }
    // One ping per tick (50 ms apart): a repeat would arrive right after its twin.
    const pings = listener.of("ping");
    const gaps = pings.slice(1).map((ping, i) => ping.at - pings[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThan(10);
    await until(() => emulator.pushStats().answered === emulator.pushStats().sent, 5000, "every push answered");
    expect(emulator.pushStats().sent).toBe(6 + listener.of("ping").length);
  });
});
