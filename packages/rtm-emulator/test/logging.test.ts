import { FpnnClient, FpnnError, FpnnErrorCode, type AnswerEvent } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { ERROR_ANSWER_LINES_PER_SECOND, Logger, questLogHooks } from "../src/server/logger.js";

const refused: AnswerEvent = {
  direction: "in",
  method: "sendmsg",
  size: 40,
  latencyMs: 0.01,
  error: new FpnnError(200033, "sendmsg: missing parameter \"pid\""),
};

describe("error answers in the log", () => {
  it("logs at most ERROR_ANSWER_LINES_PER_SECOND a second, then says how many it left out", () => {
    const lines: string[] = [];
    const clock = { ms: 5_000 };
    const hooks = questLogHooks(new Logger("info", (line) => lines.push(line)), () => clock.ms)!;
    for (let i = 0; i < 200; i++) hooks.answer!(refused);
    expect(lines).toHaveLength(ERROR_ANSWER_LINES_PER_SECOND);
    clock.ms += 1000;
    hooks.answer!(refused);
    expect(lines.slice(ERROR_ANSWER_LINES_PER_SECOND).map((line) => line.slice(25))).toEqual([
      `WARN  ${200 - ERROR_ANSWER_LINES_PER_SECOND} more error answer(s) were not logged (at most ${ERROR_ANSWER_LINES_PER_SECOND} a second)\n`,
      'WARN  sendmsg -> error 200033: sendmsg: missing parameter "pid" (0.01 ms)\n',
    ]);
  });

  it("logs every error answer at debug, where every quest is logged anyway", () => {
    const lines: string[] = [];
    const hooks = questLogHooks(new Logger("debug", (line) => lines.push(line)), () => 0)!;
    for (let i = 0; i < 200; i++) hooks.answer!(refused);
    expect(lines).toHaveLength(200);
  });

  it("a client flooding bad quests over a socket gets every answer but cannot flood the emulator's log", async () => {
    const lines: string[] = [];
    const emulator = await startEmulator({ projects: { 11000001: "s" }, logLevel: "warn", log: (line) => lines.push(line) });
    const client = new FpnnClient({ endpoint: emulator.endpoint, keepAlive: false, autoReconnect: false });
    try {
      const started = Date.now();
      const answers = await Promise.allSettled(Array.from({ length: 2000 }, () => client.quest("sendmsg", {})));
      const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
      expect(answers.every((a) => a.status === "rejected" && (a.reason as FpnnError).code !== FpnnErrorCode.CoreConnectionClosed)).toBe(true);
      const errorLines = lines.filter((line) => line.includes("sendmsg -> error"));
      expect(errorLines.length).toBeGreaterThan(0);
      expect(errorLines.length).toBeLessThanOrEqual(ERROR_ANSWER_LINES_PER_SECOND * seconds);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});
