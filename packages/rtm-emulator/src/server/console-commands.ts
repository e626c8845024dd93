import { CONSOLE_COMMANDS } from "../cli.js";
import { Refusal } from "../errors.js";
import type { RunningEmulator } from "./start.js";

/** What the commands act on. */
export type ConsoleTarget = Pick<RunningEmulator, "userLogin" | "userLogout" | "userSends" | "dropConnections" | "pushStats">;

const TARGET_KINDS = { to: "to", group: "gid", room: "rid" } as const;

/**
 * Runs one command line and answers its one line (without the newline): `ok ...`, the stats, the help, or
 * `error: ...` naming the problem. Blank lines and `#` comments answer undefined. Never rejects.
 */
export async function runConsoleLine(target: ConsoleTarget, line: string): Promise<string | undefined> {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return undefined;
  try {
    return await run(target, text);
  } catch (error) {
    if (Refusal.is(error)) return `error: refused with ${error.code}: ${error.message}`;
    return `error: ${(error as Error).message ?? String(error)}`;
  }
}

async function run(target: ConsoleTarget, text: string): Promise<string> {
  const [command = "", ...args] = text.split(/\s+/);
  switch (command) {
    case "login":
    case "logout": {
      const [pid, uid] = exactly(command, args, ["pid", "uid"]);
      (command === "login" ? target.userLogin : target.userLogout)(pidOf(pid!), idOf("uid", uid!));
      return `ok ${command} ${pid} ${uid}`;
    }
    case "send": {
      const match = /^send\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S.*)$/.exec(text);
      if (match === null) throw new Error("usage: send <pid> <from> to|group|room <id> <text>");
      const [, pid, from, kind, id, message] = match as unknown as [string, string, string, string, string, string];
      const key = TARGET_KINDS[kind as keyof typeof TARGET_KINDS];
      if (key === undefined) throw new Error(`send: "${kind}" is not to, group or room`);
      const sent = await target.userSends({ pid: pidOf(pid), from: idOf("from", from), [key]: idOf(kind, id), message });
      return `ok sent mid ${sent.mid} mtime ${sent.mtime}`;
    }
    case "drop-connections":
      exactly(command, args, []);
      return `ok closed ${target.dropConnections()} connection(s)`;
    case "stats": {
      exactly(command, args, []);
      const stats = target.pushStats();
      return `pushes sent ${stats.sent} answered ${stats.answered} dropped ${stats.dropped} timedOut ${stats.timedOut} failed ${stats.failed}`;
    }
    case "help":
      return `commands: ${CONSOLE_COMMANDS.map(([usage]) => usage).join("; ")}`;
    default:
      throw new Error(`unknown command "${command}" (help lists the commands)`);
  }
}

function exactly(command: string, args: readonly string[], names: readonly string[]): readonly string[] {
  if (args.length !== names.length) {
    throw new Error(`${command} takes ${names.length === 0 ? "no arguments" : names.map((name) => `<${name}>`).join(" ")}, got ${args.length === 0 ? "none" : args.join(" ")}`);
  }
  return args;
}

function pidOf(text: string): number {
  const pid = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(pid)) throw new Error(`pid must be a number, got "${text}"`);
  return pid;
}

function idOf(name: string, text: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new Error(`${name} must be an integer, got "${text}"`);
  return BigInt(text);
}
