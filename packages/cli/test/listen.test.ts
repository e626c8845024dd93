import type { RunningEmulator } from "@rtmkit/rtm-emulator";
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";
import { emulator, envOf, PID, rtmkit, SECRET } from "./helpers.js";

let server: RunningEmulator;
beforeAll(async () => {
  server = await emulator();
});
afterAll(() => server.close());

/** `rtmkit listen` in process: resolves `listening` once it says so on stderr, `done` with its exit code and output. */
function startListen(argv: readonly string[], signal?: AbortSignal) {
  let stdout = "";
  let stderr = "";
  let ready: () => void = () => {};
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const done = runCli(["listen", ...argv], {
    stdout: (t) => (stdout += t),
    stderr: (t) => {
      stderr += t;
      if (t.startsWith("rtmkit: listening on")) ready();
    },
  }, { env: envOf(server), signal }).then((code) => ({ code, stdout, stderr }));
  return { listening: Promise.race([listening, done.then((r) => Promise.reject(new Error(`listen exited early: ${JSON.stringify(r)}`)))]), done };
}

describe("rtmkit listen", () => {
  it("sets listen from its flags and prints each push as one JSON line, then stops after --count", async () => {
    const run = startListen(["--groups", "77,78", "--users", "1001", "--count", "2"]);
    await run.listening;
    const sender = new RTMServerClient({ endpoint: server.endpoint, pid: PID, secret: SECRET });
    try {
      await sender.sendGroupChat(2001, 77, "to the group", "");
      await sender.sendChat(1001, 1002, "from 1001", "{}");
    } finally {
      await sender.close();
    }
    const result = await run.done;
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { event: string; data: Record<string, unknown> });
    expect(lines).toEqual([
      { event: "groupChat", data: expect.objectContaining({ fromUid: "2001", toId: "77", messageType: 30, message: "to the group", attrs: "" }) },
      { event: "p2pChat", data: expect.objectContaining({ fromUid: "1001", toId: "1002", message: "from 1001", attrs: "{}" }) },
    ]);
  });

  it("listens to everything with the --all-* flags and stops when its signal aborts", async () => {
    const stop = new AbortController();
    const run = startListen(["--all-rooms", "--all-events"], stop.signal);
    await run.listening;
    server.setOnline(PID, 4242, true);
    const sender = new RTMServerClient({ endpoint: server.endpoint, pid: PID, secret: SECRET });
    try {
      await sender.sendRoomChat(2001, 5, "in a room", "");
    } finally {
      await sender.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop.abort();
    const result = await run.done;
    expect(result.code).toBe(0);
    const events = result.stdout.trimEnd().split("\n").map((line) => (JSON.parse(line) as { event: string }).event);
    expect(events).toEqual(["event", "roomChat"]);
  });

  it("refuses a command line with nothing to listen to, or a bad id, naming the flag", async () => {
    expect(await rtmkit(["listen"], { env: envOf(server) })).toMatchObject({ code: 2, stderr: expect.stringContaining("nothing to listen to") });
    expect(await rtmkit(["listen", "--groups", "1,x"], { env: envOf(server) })).toMatchObject({ code: 2, stderr: expect.stringContaining('--groups: "x" is not an int64 id') });
    expect(await rtmkit(["listen", "--rooms", "1", "--count", "0"], { env: envOf(server) })).toMatchObject({ code: 2, stderr: expect.stringContaining("--count") });
  });

  it("a listen call the server refuses exits 1 with its code", async () => {
    const result = await rtmkit(["listen", "--events", "signup"], { env: envOf(server) });
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error 200034: .*signup/m) });
  });
});
