// Two SDK processes of one project against one emulator, in lockstep: their salts and mids must not
// collide (the server refuses a reused salt as a replay, 200006).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { describe, expect, it } from "vitest";
import { emulator, onCleanup, PID, SECRET } from "./helpers.js";

const fixture = fileURLToPath(new URL("./fixtures/paced-sender.ts", import.meta.url));

interface Outcome {
  total: number;
  ok: number;
  failures: Record<string, number>;
  mids: string[];
  sendingMs: number;
}

interface Sender {
  readonly child: ChildProcess;
  nextLine(): Promise<string>;
}

function spawnSender(args: readonly string[]): Sender {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  return {
    child,
    async nextLine() {
      const next = await Promise.race([iterator.next(), exited.then(() => ({ done: true as const, value: undefined }))]);
      if (next.done) throw new Error(`paced-sender exited (${child.exitCode ?? child.signalCode}):\n${stderr}`);
      return next.value;
    },
  };
}

describe("two SDK processes of one project", () => {
  it("sendChat at 1,000 calls/s each for 10 s: no refused salt, every call succeeds, no mid shared", async () => {
    const running = await emulator();
    const RATE = 1000;
    const SECONDS = 10;
    const senders = [1001, 1002].map((from) => spawnSender([running.endpoint, String(PID), SECRET, String(from), String(RATE), String(SECONDS)]));
    for (const sender of senders) expect(await sender.nextLine()).toBe("ready");
    for (const sender of senders) sender.child.stdin!.write("go\n");
    const outcomes = await Promise.all(senders.map(async (sender) => JSON.parse(await sender.nextLine()) as Outcome));

    for (const outcome of outcomes) {
      expect(outcome.failures[String(RtmErrorCode.SameSign)] ?? 0).toBe(0);
      expect(outcome.failures).toEqual({});
      expect(outcome.ok).toBe(RATE * SECONDS);
      // Paced, not a burst: sending took about the planned 10 s.
      expect(outcome.sendingMs).toBeGreaterThan(SECONDS * 1000 - 50);
    }
    const mids = new Set(outcomes.flatMap((outcome) => outcome.mids));
    expect(mids.size).toBe(2 * RATE * SECONDS);
  });
});
