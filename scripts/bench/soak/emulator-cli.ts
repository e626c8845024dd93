// The `rtm-emulator` command in its own process, as an operator runs it: its endpoint is read from the
// "listening on" line, its log (stderr) is read continuously and summarised, and it stops on SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../../packages/rtm-emulator/bin/rtm-emulator.mjs", import.meta.url));

/** How the process ended: exit code or signal. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Stopped {
  readonly exit: Exit;
  readonly signalled: boolean;
  readonly killed: boolean;
  readonly ms: number;
}

/** The log, summarised: counts by level, the first ERROR lines and lines of no level (stack traces), the last lines. */
export interface LogSummary {
  readonly lines: number;
  readonly bytes: number;
  readonly byLevel: ReadonlyMap<string, number>;
  /** ERROR lines and lines without a level, first ones only. */
  readonly notable: readonly string[];
  readonly tail: readonly string[];
}

const KEPT_LINES = 20;
const LINE_CHARS = 400;

export class EmulatorCli {
  readonly #child: ChildProcess;
  readonly endpoint: string;
  readonly port: number;
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  readonly #log: LogReader;

  private constructor(child: ChildProcess, endpoint: string, exited: Promise<Exit>, log: LogReader) {
    this.#child = child;
    this.endpoint = endpoint;
    this.port = Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
    this.exited = exited;
    this.#log = log;
    void exited.then((exit) => (this.#exit = exit));
  }

  /** Spawns `rtm-emulator --port 0 ...args` and resolves once it listens. */
  static async start(args: readonly string[]): Promise<EmulatorCli> {
    const child = spawn(process.execPath, [bin, "--port", "0", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const log = new LogReader();
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rtm-emulator did not start within 30 s:\n${log.summary().tail.join("\n")}`)), 30_000);
      let head = ""; // stderr until the "listening on" line
      let found = false;
      child.stderr!.setEncoding("utf8").on("data", (text: string) => {
        log.push(text);
        if (found) return;
        head = (head + text).slice(-64 * 1024);
        const match = /listening on (\S+?);/.exec(head);
        if (match !== null) {
          found = true;
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`rtm-emulator exited (${exit.code ?? exit.signal}) before listening:\n${log.summary().tail.join("\n")}`));
      });
    });
    try {
      return new EmulatorCli(child, await listening, exited, log);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Undefined while it runs. */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  log(): LogSummary {
    return this.#log.summary();
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; `signalled` is false when it had exited already. */
  async stop(graceMs: number): Promise<Stopped> {
    const started = performance.now();
    if (this.#exit !== undefined) return { exit: this.#exit, signalled: false, killed: false, ms: 0 };
    this.#child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([this.exited.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timer);
    if (!inTime) this.#child.kill("SIGKILL");
    const exit = await this.exited;
    return { exit, signalled: true, killed: !inTime, ms: performance.now() - started };
  }

  /** For cleanup after a failure: kills it if it still runs. */
  kill(): void {
    if (this.#exit === undefined) this.#child.kill("SIGKILL");
  }
}

/** Splits the log into lines as it arrives and keeps only counts and a bounded number of lines. */
class LogReader {
  #partial = "";
  #lines = 0;
  #bytes = 0;
  readonly #byLevel = new Map<string, number>();
  readonly #notable: string[] = [];
  readonly #tail: string[] = [];

  push(text: string): void {
    this.#bytes += Buffer.byteLength(text);
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop()!;
    if (this.#partial.length > 64 * 1024) this.#partial = this.#partial.slice(0, LINE_CHARS);
    for (const line of lines) this.#line(line);
  }

  #line(line: string): void {
    if (line === "") return;
    this.#lines++;
    const short = line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}...` : line;
    // `<ISO time> <LEVEL> <message>` (the emulator's Logger); anything else is not its own log line.
    const level = /^\d{4}-\d\d-\d\dT\S+ ([A-Z]+)\s/.exec(line)?.[1] ?? "(no level)";
    this.#byLevel.set(level, (this.#byLevel.get(level) ?? 0) + 1);
    if ((level === "ERROR" || level === "(no level)") && this.#notable.length < KEPT_LINES) this.#notable.push(short);
    this.#tail.push(short);
    if (this.#tail.length > KEPT_LINES) this.#tail.shift();
  }

  summary(): LogSummary {
    return { lines: this.#lines, bytes: this.#bytes, byLevel: new Map(this.#byLevel), notable: [...this.#notable], tail: [...this.#tail] };
  }
}
