// The rtm-emulator command's stdin commands, through the real bin in its own process (stdin a pipe): one answer
// line per command on stdout, pushes to a listener over a real socket, errors that name the problem and change
// nothing, and the end of stdin changing nothing either.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FpnnClient } from "@rtmkit/fpnn";
import { describe, expect, it } from "vitest";
import { Listener, onCleanup, PID, SECRET, signed } from "./push-helpers.js";

const bin = fileURLToPath(new URL("../bin/rtm-emulator.mjs", import.meta.url));

/** The bin with stdin, stdout and stderr piped; resolves once it listens. */
async function spawnWithStdin(): Promise<{ child: ChildProcess; endpoint: string; answer: (command: string) => Promise<string>; exited: Promise<number | string> }> {
  const child = spawn(process.execPath, [bin, "--port", "0", "--push-ping", "0"], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, RTM_EMULATOR_PROJECTS: `${PID}:${SECRET}` },
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  let log = "";
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      log += text;
      const match = /listening on (\S+?);/.exec(log);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`rtm-emulator exited (${code}):\n${log}`)));
  });
  const lines: string[] = [];
  let waiting: (() => void) | undefined;
  let rest = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    const parts = (rest + text).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
    waiting?.();
  });
  const answer = async (command: string): Promise<string> => {
    const before = lines.length;
    child.stdin!.write(`${command}\n`);
    const deadline = Date.now() + 10_000;
    while (lines.length === before) {
      if (Date.now() > deadline) throw new Error(`no answer to "${command}"`);
      await new Promise<void>((resolve) => {
        waiting = resolve;
        setTimeout(resolve, 50);
      });
    }
    expect(lines.length, `one line answers "${command}"`).toBe(before + 1);
    return lines[before]!;
  };
  return { child, endpoint, answer, exited };
}

describe("rtm-emulator commands on stdin", () => {
  it("login, logout and send push to listeners; stats counts; drop-connections closes; bad lines answer an error", async () => {
    const { child, endpoint, answer, exited } = await spawnWithStdin();
    const listener = new Listener(endpoint);
    await listener.quest("setlisten", { p2p: true, group: true, room: true, ev: true });

    expect(await answer("help")).toBe("commands: login <pid> <uid>; logout <pid> <uid>; send <pid> <from> to|group|room <id> <text>; drop-connections; stats; help");
    expect(await answer(`login ${PID} 5`)).toBe(`ok login ${PID} 5`);
    const group = await answer(`send ${PID} 1001 group 2001 hello  there`);
    expect(group).toMatch(/^ok sent mid \d+ mtime \d+$/);
    const p2p = await answer(`  send ${PID} 1001 to 1002 hi  `);
    const room = await answer(`send ${PID} 1001 room 3001 in the room`);
    expect(await answer(`logout ${PID} 5`)).toBe(`ok logout ${PID} 5`);

    const pushes = await listener.received(5);
    const midOf = (line: string) => BigInt(/mid (\d+)/.exec(line)![1]!);
    const mtimeOf = (line: string) => BigInt(/mtime (\d+)/.exec(line)![1]!);
    expect(pushes.map((push) => [push.method, push.payload.event ?? push.payload.msg, push.payload.mtype])).toEqual([
      ["pushevent", "login", undefined],
      ["pushgroupmsg", "hello  there", 30],
      ["pushmsg", "hi", 30],
      ["pushroommsg", "in the room", 30],
      ["pushevent", "logout", undefined],
    ]);
    expect(BigInt(pushes[1]!.payload.mid as number)).toBe(midOf(group));
    expect(BigInt(pushes[1]!.payload.mtime as number)).toBe(mtimeOf(group));
    expect(BigInt(pushes[2]!.payload.mid as number)).toBe(midOf(p2p));
    expect(BigInt(pushes[3]!.payload.mid as number)).toBe(midOf(room));

    // Bad lines: one error line each, naming the problem; nothing changes, the process goes on.
    expect(await answer(`send ${PID} 1001 everyone 1 x`)).toBe('error: send: "everyone" is not to, group or room');
    expect(await answer(`send ${PID} 1001 to 1002`)).toBe("error: usage: send <pid> <from> to|group|room <id> <text>");
    expect(await answer(`send ${PID} 1001 to 1001 me`)).toBe("error: refused with 200052: to is the sender itself");
    expect(await answer("send 99 1 to 2 x")).toBe("error: pid 99 is not a project of this emulator");
    expect(await answer("login x 5")).toBe('error: pid must be a number, got "x"');
    expect(await answer(`login ${PID} 5 6`)).toBe(`error: login takes <pid> <uid>, got ${PID} 5 6`);
    expect(await answer(`logout ${PID} 1.5`)).toBe('error: uid must be an integer, got "1.5"');
    expect(await answer("stats now")).toBe("error: stats takes no arguments, got now");
    expect(await answer("frobnicate")).toBe('error: unknown command "frobnicate" (help lists the commands)');
    // Blank lines and comments are not commands: the next answer is the next command's.
    child.stdin!.write("\n   \n# a comment\n");
    expect(await answer("stats")).toBe("pushes sent 5 answered 5 dropped 0 timedOut 0 failed 0");

    const closed = new Promise((resolve) => listener.client.once("close", resolve));
    expect(await answer("drop-connections")).toBe("ok closed 1 connection(s)");
    await closed;

    // The end of stdin changes nothing: the emulator still answers, until SIGTERM stops it cleanly.
    child.stdin!.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const client = new FpnnClient({ endpoint, autoReconnect: false, keepAlive: false });
    onCleanup(() => client.close());
    expect(await signed(client, "getonlineusers", { uids: [5n] })).toEqual({ uids: [] });
    expect(child.exitCode).toBe(null);
    await client.close();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
