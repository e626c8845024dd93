import { fstatSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { isatty } from "node:tty";
import type { EmulatorCliOptions, StartEmulator } from "../cli.js";
import { runConsoleLine, type ConsoleTarget } from "./console-commands.js";
import type { RunningEmulator } from "./start.js";

/** Whether stdin is a terminal or a pipe: then rtm-emulator reads commands from it (not from /dev/null or a file). */
export function stdinTakesCommands(): boolean {
  if (isatty(0)) return true;
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/**
 * Reads commands from `input`, one per line, and writes one answer line each, in order (a command waits for the
 * one before). The end of the input changes nothing: the emulator keeps running. `stop()` stops reading.
 */
export function serveConsole(target: ConsoleTarget, input: Readable, write: (text: string) => void): { stop(): void } {
  const lines = createInterface({ input, terminal: false, crlfDelay: Infinity });
  let previous: Promise<void> = Promise.resolve();
  lines.on("line", (line) => {
    previous = previous.then(async () => {
      const answer = await runConsoleLine(target, line);
      if (answer !== undefined) write(`${answer}\n`);
    });
  });
  return {
    stop() {
      lines.close();
      // A paused stdin may still hold the event loop: let go of it, the process is stopping.
      input.destroy();
    },
  };
}

/** `start`, then (when stdin takes commands) the console on stdin and stdout until the emulator closes. */
export function withStdinConsole(start: (options: EmulatorCliOptions) => Promise<RunningEmulator>): StartEmulator {
  return async (options) => {
    const emulator = await start(options);
    if (!stdinTakesCommands()) return emulator;
    if (isatty(0)) process.stderr.write("rtm-emulator: reading commands on stdin ('help' lists them)\n");
    const commands = serveConsole(emulator, process.stdin, (text) => void process.stdout.write(text));
    return {
      async close() {
        commands.stop();
        await emulator.close();
      },
    };
  };
}
