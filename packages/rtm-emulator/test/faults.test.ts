import { describe, expect, it } from "vitest";
import { FaultInjector, NO_FAULT } from "../src/faults.js";

/** A reproducible random source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("FaultInjector", () => {
  it("is disabled without options and never faults", () => {
    const injector = new FaultInjector();
    expect(injector.enabled).toBe(false);
    expect(injector.connection().onQuest("sendmsg")).toBe(NO_FAULT);
  });

  it("adds a fixed latency, or one drawn from [min, max]", () => {
    expect(new FaultInjector({ latencyMs: 25 }).connection().onQuest("sendmsg")).toEqual({ delayMs: 25, dropAnswer: false, closeAfterAnswer: false });
    const connection = new FaultInjector({ latencyMs: [10, 12], random: seeded(1) }).connection();
    const delays = new Set(Array.from({ length: 200 }, () => connection.onQuest("sendmsg").delayMs));
    expect([...delays].sort()).toEqual([10, 11, 12]);
  });

  it("drops every Nth answer, counting per connection", () => {
    const injector = new FaultInjector({ dropEveryNth: 3 });
    const a = injector.connection();
    expect(Array.from({ length: 7 }, () => a.onQuest("sendmsg").dropAnswer)).toEqual([false, false, true, false, false, true, false]);
    expect(injector.connection().onQuest("sendmsg").dropAnswer).toBe(false);
  });

  it("drops answers with a probability", () => {
    const connection = new FaultInjector({ dropProbability: 0.25, random: seeded(7) }).connection();
    const dropped = Array.from({ length: 4000 }, () => connection.onQuest("getmsg").dropAnswer).filter(Boolean).length;
    expect(dropped).toBeGreaterThan(800);
    expect(dropped).toBeLessThan(1200);
    expect(new FaultInjector({ dropProbability: 1 }).connection().onQuest("x").dropAnswer).toBe(true);
  });

  it("closes a connection after its Nth quest", () => {
    const connection = new FaultInjector({ closeAfterQuests: 2 }).connection();
    expect(connection.onQuest("sendmsg")).toBe(NO_FAULT);
    expect(connection.onQuest("sendmsg")).toEqual({ delayMs: 0, dropAnswer: false, closeAfterAnswer: true });
  });

  it("leaves built-ins alone (not counted either), or faults only the listed methods", () => {
    const connection = new FaultInjector({ closeAfterQuests: 1 }).connection();
    expect(connection.onQuest("*ping")).toBe(NO_FAULT);
    expect(connection.onQuest("*key")).toBe(NO_FAULT);
    expect(connection.onQuest("sendmsg").closeAfterAnswer).toBe(true);
    const only = new FaultInjector({ dropEveryNth: 1, methods: ["getmsg"] }).connection();
    expect(only.onQuest("sendmsg")).toBe(NO_FAULT);
    expect(only.onQuest("getmsg").dropAnswer).toBe(true);
  });

  it("refuses bad options naming them", () => {
    expect(() => new FaultInjector({ latencyMs: [5, 1] })).toThrow(/latencyMs/);
    expect(() => new FaultInjector({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => new FaultInjector({ dropProbability: 1.5 })).toThrow(/dropProbability/);
    expect(() => new FaultInjector({ dropEveryNth: 0.5 })).toThrow(/dropEveryNth/);
    expect(() => new FaultInjector({ closeAfterQuests: -2 })).toThrow(/closeAfterQuests/);
  });
});
