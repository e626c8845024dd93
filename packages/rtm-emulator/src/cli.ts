import { readFileSync } from "node:fs";
import { curveNames, type CurveName } from "@rtmkit/fpnn";
import { RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DEFAULT_MAX_SALTS_PER_PROJECT, DEFAULT_TS_SKEW_SECONDS } from "./auth.js";
import { DEFAULT_CONSOLE_HOST, DEFAULT_CONSOLE_PORT, type ConsoleOptions } from "./console/options.js";
import type { FaultOptions } from "./faults.js";
import { DEFAULT_MAX_FILE_BYTES } from "./files/file-service.js";
import { bodyLimitsProblem, DEFAULT_LIMITS, MAX_ROW_BODY_BYTES, type ChatLimits } from "./limits.js";
import { DEFAULT_MAX_UNANSWERED_PUSHES, DEFAULT_PUSH_PING_SECONDS, DEFAULT_PUSH_TIMEOUT_SECONDS } from "./push/push-options.js";
import type { Durability } from "./storage/database.js";
import { packageVersion } from "@rtmkit/protocol";

export const DEFAULT_PORT = 13315;
export const DEFAULT_HOST = "127.0.0.1";
/** FPNN servers close connections idle for 60 s; clients ping after 20 s of silence. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
export const DEFAULT_FRAME_TIMEOUT_SECONDS = 30;
export const DEFAULT_MAX_CONNECTIONS = 4096;
export const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const PAGE_FITS_FRAME = " (a history page of 20 messages must fit one 8 MiB answer frame)";

/** Everything the command line configures, validated and typed. */
export interface EmulatorCliOptions {
  readonly port: number;
  readonly host: string;
  /** pid -> secret. */
  readonly projects: ReadonlyMap<number, string>;
  /** Database file; undefined = in memory. */
  readonly db: string | undefined;
  readonly durability: Durability;
  readonly tsSkewSeconds: number;
  readonly maxSaltsPerProject: number;
  readonly logLevel: LogLevel;
  readonly limits: ChatLimits;
  readonly faults: FaultOptions;
  /** File holding the server private key (raw, hex, PEM or DER); undefined = no encryption. */
  readonly keyFile: string | undefined;
  /** Curve of a raw key (PEM and DER carry theirs). */
  readonly keyCurve: CurveName | undefined;
  /** Seconds a connection may stay silent (0 = forever), and a frame may take to arrive whole. */
  readonly idleTimeoutSeconds: number;
  readonly frameTimeoutSeconds: number;
  readonly maxConnections: number;
  /** The file gate's port (0 = any free one) and its largest file. */
  readonly fileGatePort: number;
  readonly maxFileBytes: number;
  /** Modules whose default export is handlers (`implement(...)`, or an array of them) that replace the emulator's. */
  readonly handlerModules: readonly string[];
  /** Server push: seconds a push waits for its answer, unanswered pushes per connection, seconds between pings (0 = none). */
  readonly pushTimeoutSeconds: number;
  readonly maxUnansweredPushes: number;
  readonly pushPingSeconds: number;
  /** The web console (undefined with --no-console); its default port falls back to a free one when taken. */
  readonly console: ConsoleOptions | undefined;
}

export type CliParseResult =
  | { readonly kind: "run"; readonly options: EmulatorCliOptions }
  /** --help or --version: print `output` and exit with `exitCode`. */
  | { readonly kind: "exit"; readonly exitCode: number; readonly output: string };

/** A bad command line; `message` says which option and why. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

/** The commander program (no side effects: it neither prints nor exits). */
export function createProgram(): Command {
  return new Command("rtm-emulator")
    .description("A local RTM server (FPNN over TCP) for development and integration tests: the whole RTM server API (chat, files through a file gate, friends, groups, rooms, users, data, devices, listen, RTC), signed quests, state stored in SQLite.")
    .addOption(new Option("--port <port>", "TCP port to listen on (0 = any free port)").default(DEFAULT_PORT).argParser(integerIn("--port", 0, 65535)))
    .addOption(new Option("--host <host>", "address to listen on").default(DEFAULT_HOST))
    .addOption(
      new Option(
        "--project <pid:secret>",
        "a project the emulator serves, e.g. 11000001:my-secret; repeat for several (isolated from each other). Other local users can read the command line (ps): prefer --projects-file or RTM_EMULATOR_PROJECTS for real secrets",
      ).argParser(collectProject),
    )
    .addOption(new Option("--projects-file <file>", "projects from a file: one PID:SECRET per line; blank lines and lines starting with # are ignored"))
    .addOption(new Option("--db <file>", "SQLite database file; messages survive restarts and kill -9 (default: in memory)"))
    .addOption(
      new Option("--durability <mode>", "with --db: 'normal' = every acknowledged message survives a crash of the emulator; 'full' = also survives power loss (fsync per batch)")
        .choices(["normal", "full"])
        .default("normal"),
    )
    .addOption(new Option("--ts-skew <seconds>", `largest accepted distance between a quest's ts and server time (else ${RtmErrorCode.InvalidServerTime})`).default(DEFAULT_TS_SKEW_SECONDS).argParser(integerIn("--ts-skew", 0, 86_400 * 365)))
    .addOption(
      new Option(
        "--max-salts <count>",
        `replay protection memory per project, in salts (13-23 bytes each: the default is at most ~92 MB). A quest's salt is kept while its ts is inside the --ts-skew window, so a replay is always refused (${RtmErrorCode.SameSign}); when a project has this many, its new quests are refused with ${RtmErrorCode.FrequencyLimited} until the oldest ts leaves the window`,
      )
        .default(DEFAULT_MAX_SALTS_PER_PROJECT)
        .argParser(integerIn("--max-salts", 1, 100_000_000)),
    )
    .addOption(new Option("--log-level <level>", "log verbosity").choices(LOG_LEVELS).default("info"))
    .addOption(
      new Option("--max-msg-bytes <bytes>", `largest msg of a send (else ${RtmErrorCode.LargeMessageOrAttrs}); with --max-attrs-bytes at most ${MAX_ROW_BODY_BYTES}${PAGE_FITS_FRAME}`)
        .default(DEFAULT_LIMITS.maxMessageBytes)
        .argParser(integerIn("--max-msg-bytes", 1, MAX_ROW_BODY_BYTES - 1, PAGE_FITS_FRAME)),
    )
    .addOption(
      new Option("--max-attrs-bytes <bytes>", `largest attrs of a send (else ${RtmErrorCode.LargeMessageOrAttrs})`)
        .default(DEFAULT_LIMITS.maxAttrsBytes)
        .argParser(integerIn("--max-attrs-bytes", 1, MAX_ROW_BODY_BYTES - 1, PAGE_FITS_FRAME)),
    )
    .addOption(new Option("--max-recipients <count>", `most recipients of one sendmsgs (else ${RtmErrorCode.TooManyItemsInParameters})`).default(DEFAULT_LIMITS.maxRecipients).argParser(integerIn("--max-recipients", 1, 100_000)))
    .addOption(new Option("--idle-timeout <seconds>", "close a connection that sends nothing (and takes none of its answers) for this long; 0 = never").default(DEFAULT_IDLE_TIMEOUT_SECONDS).argParser(integerIn("--idle-timeout", 0, 86_400)))
    .addOption(new Option("--frame-timeout <seconds>", "close a connection whose frame has not arrived whole this long after its first byte; 0 = never").default(DEFAULT_FRAME_TIMEOUT_SECONDS).argParser(integerIn("--frame-timeout", 0, 86_400)))
    .addOption(new Option("--max-connections <count>", "connections open at once; more are closed as soon as they connect").default(DEFAULT_MAX_CONNECTIONS).argParser(integerIn("--max-connections", 1, 1_000_000)))
    .addOption(new Option("--key <file>", "accept encrypted connections (ECDH + AES) with this server private key file: raw, hex, PEM or DER"))
    .addOption(new Option("--key-curve <curve>", "curve of a raw or hex --key (PEM/DER carry theirs; default secp256k1)").choices(curveNames))
    .addOption(new Option("--fault-latency <ms|min-max>", "fault injection: delay every answer by MS, or by a random MIN-MAX ms").argParser(parseLatency))
    .addOption(new Option("--fault-drop-rate <p>", "fault injection: handle a quest but never answer it, with probability P (0..1)").argParser(parseProbability))
    .addOption(new Option("--fault-drop-every <n>", "fault injection: handle but never answer every Nth quest of a connection").argParser(integerIn("--fault-drop-every", 1, Number.MAX_SAFE_INTEGER)))
    .addOption(new Option("--fault-close-after <n>", "fault injection: close a connection after its Nth quest").argParser(integerIn("--fault-close-after", 1, Number.MAX_SAFE_INTEGER)))
    .addOption(new Option("--fault-methods <list>", "fault injection: comma-separated FPNN methods to fault (default: all but *ping and *key)").argParser(parseMethods))
    .addOption(new Option("--fault-duplicate-pushes", "fault injection: send every server push twice (same payload, new seq), so a listener's de-duplication can be tested"))
    .addOption(
      new Option("--push-timeout <seconds>", "seconds a server push (or ping) waits for the listener's answer before it counts as timed out")
        .default(DEFAULT_PUSH_TIMEOUT_SECONDS)
        .argParser(integerIn("--push-timeout", 1, 86_400)),
    )
    .addOption(
      new Option("--max-unanswered-pushes <count>", "pushes a connection may leave unanswered; past it, pushes to that connection are dropped, counted and logged")
        .default(DEFAULT_MAX_UNANSWERED_PUSHES)
        .argParser(integerIn("--max-unanswered-pushes", 1, 1_000_000)),
    )
    .addOption(new Option("--push-ping <seconds>", "seconds between the pings sent to every listening connection; 0 = no ping").default(DEFAULT_PUSH_PING_SECONDS).argParser(integerIn("--push-ping", 0, 86_400)))
    .addOption(
      new Option("--console-port <port>", "HTTP port of the web console (0 = any free port; when the default is taken, a free one)")
        .default(DEFAULT_CONSOLE_PORT)
        .argParser(integerIn("--console-port", 0, 65535)),
    )
    .addOption(
      new Option("--console-host <host>", "address of the web console; any other than 127.0.0.1, ::1 or localhost asks a token (printed at start) on every request").default(DEFAULT_CONSOLE_HOST),
    )
    .addOption(new Option("--no-console", "do not serve the web console"))
    .addOption(new Option("--file-gate-port <port>", "TCP port of the file gate, where file sends go after filetoken (0 = any free port)").default(0).argParser(integerIn("--file-gate-port", 0, 65535)))
    .addOption(new Option("--max-file-bytes <bytes>", `largest file of a file send (else ${RtmErrorCode.LargeFileOrAttrs})`).default(DEFAULT_MAX_FILE_BYTES).argParser(integerIn("--max-file-bytes", 1, 1024 * 1024 * 1024)))
    .addOption(
      new Option(
        "--handlers <module>",
        "an ES module whose default export is implement(endpoints, {...}) or an array of them: handlers that replace the emulator's (the value-added services, your own IDL); repeatable",
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .addHelpText(
      "after",
      `\nEnvironment:\n  ${PROJECTS_ENV}  projects: PID:SECRET entries separated by commas\n                         or whitespace\n\n` +
        `Projects: at least one, from --project, --projects-file or ${PROJECTS_ENV}.\nThey add up; a pid given in two places must have the same secret in both.\n` +
        "\nExamples:\n  rtm-emulator --project 11000001:test-secret-123\n  rtm-emulator --port 0 --project 1:a --project 2:b --db ./rtm.sqlite\n" +
        `  rtm-emulator --projects-file ./projects.txt\n  ${PROJECTS_ENV}=11000001:s1,11000002:s2 rtm-emulator\n  rtm-emulator --project 1:a --fault-latency 50-200 --fault-drop-every 10\n` +
        `  rtm-emulator --project 1:a --console-port 0       # the web console on a free port (its URL is printed)\n` +
        `\nCommands: when stdin is a terminal or a pipe, one command per line, one line answered each:\n${CONSOLE_COMMANDS.map(([usage, does]) => `  ${usage.padEnd(45)}${does}`).join("\n")}`,
    )
    .version(packageVersion(import.meta.url), "-V, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
}

/** The commands rtm-emulator reads on stdin, usage and what they do (server/console-commands.ts runs them). */
export const CONSOLE_COMMANDS: readonly (readonly [usage: string, does: string])[] = [
  ["login <pid> <uid>", "the user logs in (pushevent login)"],
  ["logout <pid> <uid>", "the user logs out (pushevent logout)"],
  ["send <pid> <from> to|group|room <id> <text>", "the user sends a chat message (mtype 30), stored and pushed"],
  ["drop-connections", "close every client connection now"],
  ["stats", "what became of the pushes so far"],
  ["help", "list the commands"],
];

/** The environment variable that may list projects: `PID:SECRET` entries separated by commas or whitespace. */
export const PROJECTS_ENV = "RTM_EMULATOR_PROJECTS";

/** Where the command line reads projects from besides argv (injectable for tests). */
export interface CliSources {
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads a --projects-file; default fs.readFileSync(path, "utf8"). */
  readonly readFile?: (path: string) => string;
}

/** Parses user arguments (without the node and script entries of process.argv). Throws CliUsageError. */
export function parseCliArgs(argv: readonly string[], sources: CliSources = {}): CliParseResult {
  const program = createProgram();
  let output = "";
  program.configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text), outputError: () => {} });
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
        return { kind: "exit", exitCode: 0, output };
      }
      throw new CliUsageError(error.message.replace(/^error: /, ""));
    }
    throw error;
  }
  const o = program.opts<{
    port: number;
    host: string;
    project?: ProjectEntry[];
    projectsFile?: string;
    db?: string;
    durability: Durability;
    tsSkew: number;
    maxSalts: number;
    logLevel: LogLevel;
    maxMsgBytes: number;
    maxAttrsBytes: number;
    maxRecipients: number;
    faultLatency?: number | [number, number];
    faultDropRate?: number;
    faultDropEvery?: number;
    faultCloseAfter?: number;
    faultMethods?: string[];
    faultDuplicatePushes?: boolean;
    pushTimeout: number;
    maxUnansweredPushes: number;
    pushPing: number;
    key?: string;
    keyCurve?: CurveName;
    idleTimeout: number;
    frameTimeout: number;
    maxConnections: number;
    handlers?: string[];
    fileGatePort: number;
    maxFileBytes: number;
    console: boolean;
    consolePort: number;
    consoleHost: string;
  }>();
  if (o.keyCurve !== undefined && o.key === undefined) throw new CliUsageError("option '--key-curve <curve>' needs '--key <file>'");
  if (o.host.trim() === "") throw new CliUsageError("option '--host <host>' must not be empty");
  if (o.consoleHost.trim() === "") throw new CliUsageError("option '--console-host <host>' must not be empty");
  const consoleFlag = (["consolePort", "consoleHost"] as const).find((key) => program.getOptionValueSource(key) === "cli");
  if (!o.console && consoleFlag !== undefined) {
    throw new CliUsageError(`option '${consoleFlag === "consolePort" ? "--console-port <port>" : "--console-host <host>"}' does nothing with '--no-console'`);
  }
  const bodies = bodyLimitsProblem({ maxMessageBytes: o.maxMsgBytes, maxAttrsBytes: o.maxAttrsBytes }, { msg: "--max-msg-bytes", attrs: "--max-attrs-bytes" });
  if (bodies !== undefined) throw new CliUsageError(bodies);
  const projects = mergeProjects([
    ...(o.project ?? []).map((entry, i) => ({ ...entry, source: `--project #${i + 1}` })),
    ...(o.projectsFile === undefined ? [] : projectsFromFile(o.projectsFile, sources.readFile ?? ((path) => readFileSync(path, "utf8")))),
    ...projectsFromEnv((sources.env ?? process.env)[PROJECTS_ENV]),
  ]);
  return {
    kind: "run",
    options: {
      port: o.port,
      host: o.host,
      projects,
      db: o.db,
      durability: o.durability,
      tsSkewSeconds: o.tsSkew,
      maxSaltsPerProject: o.maxSalts,
      logLevel: o.logLevel,
      limits: { maxMessageBytes: o.maxMsgBytes, maxAttrsBytes: o.maxAttrsBytes, maxRecipients: o.maxRecipients },
      faults: {
        latencyMs: o.faultLatency,
        dropProbability: o.faultDropRate,
        dropEveryNth: o.faultDropEvery,
        closeAfterQuests: o.faultCloseAfter,
        methods: o.faultMethods,
        duplicatePushes: o.faultDuplicatePushes,
      },
      keyFile: o.key,
      keyCurve: o.keyCurve,
      handlerModules: o.handlers ?? [],
      fileGatePort: o.fileGatePort,
      maxFileBytes: o.maxFileBytes,
      idleTimeoutSeconds: o.idleTimeout,
      frameTimeoutSeconds: o.frameTimeout,
      maxConnections: o.maxConnections,
      pushTimeoutSeconds: o.pushTimeout,
      maxUnansweredPushes: o.maxUnansweredPushes,
      pushPingSeconds: o.pushPing,
      console: o.console
        ? { port: o.consolePort, host: o.consoleHost, fallbackToFreePort: program.getOptionValueSource("consolePort") === "default" }
        : undefined,
    },
  };
}

/** What the server wiring provides: start from parsed options, and a stop for SIGINT/SIGTERM. */
export type StartEmulator = (options: EmulatorCliOptions) => Promise<{ close(): Promise<void> }>;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The `rtm-emulator` entry: parses argv, starts through `start`, and stops cleanly on SIGINT/SIGTERM.
 * Resolves to the process exit code once the emulator has stopped (or at once for --help and usage errors).
 */
export async function runCli(
  argv: readonly string[],
  start: StartEmulator,
  io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  sources: CliSources = {},
): Promise<number> {
  let parsed: CliParseResult;
  try {
    parsed = parseCliArgs(argv, sources);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr(`rtm-emulator: ${error.message}\nTry 'rtm-emulator --help'.\n`);
    return 2;
  }
  if (parsed.kind === "exit") {
    io.stdout(parsed.output);
    return parsed.exitCode;
  }
  const emulator = await start(parsed.options);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await emulator.close();
  return 0;
}

function integerIn(flag: string, min: number, max: number, why = "") {
  return (value: string): number => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} must be an integer in ${min}..${max}${why}.`);
    return n;
  };
}

interface ProjectEntry {
  readonly pid: number;
  readonly secret: string;
}

/** A project with where it was given: `--project #2`, `FILE line 3`, `RTM_EMULATOR_PROJECTS entry 1`. */
interface SourcedProject extends ProjectEntry {
  readonly source: string;
}

function collectProject(value: string, previous: ProjectEntry[] | undefined): ProjectEntry[] {
  const entry = parseProject(value);
  if (typeof entry === "string") throw new InvalidArgumentError(`${entry}.`);
  return [...(previous ?? []), entry];
}

/** `PID:SECRET` (the secret may contain ':'), or what is wrong with it. */
function parseProject(value: string): ProjectEntry | string {
  const colon = value.indexOf(":");
  const pidText = colon < 0 ? value : value.slice(0, colon);
  const secret = colon < 0 ? "" : value.slice(colon + 1);
  const pid = /^\d+$/.test(pidText) ? Number(pidText) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid < 1 || pid > 0x7fffffff) return "PID must be an integer in 1..2147483647 (format PID:SECRET)";
  if (secret === "") return "SECRET must not be empty (format PID:SECRET)";
  return { pid, secret };
}

/** One PID:SECRET per line; blank lines and lines whose first non-blank character is # are skipped. Ends of lines are trimmed. */
function projectsFromFile(path: string, readFile: (path: string) => string): SourcedProject[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new CliUsageError(`--projects-file ${path}: cannot read it (${(error as Error).message})`);
  }
  const projects: SourcedProject[] = [];
  text.replace(/^\uFEFF/, "").split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const entry = parseProject(line);
    if (typeof entry === "string") throw new CliUsageError(`--projects-file ${path} line ${i + 1}: ${entry}`);
    projects.push({ ...entry, source: `${path} line ${i + 1}` });
  });
  return projects;
}

/** PID:SECRET entries separated by commas or whitespace; unset or blank gives none. */
function projectsFromEnv(value: string | undefined): SourcedProject[] {
  if (value === undefined) return [];
  return value
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map((text, i) => {
      const entry = parseProject(text);
      if (typeof entry === "string") throw new CliUsageError(`${PROJECTS_ENV} entry ${i + 1}: ${entry}`);
      return { ...entry, source: `${PROJECTS_ENV} entry ${i + 1}` };
    });
}

/** pid -> secret over every source; a pid may repeat with the same secret, not with another one. */
function mergeProjects(entries: readonly SourcedProject[]): Map<number, string> {
  if (entries.length === 0) {
    throw new CliUsageError(`no project given: use --project PID:SECRET, --projects-file FILE or the ${PROJECTS_ENV} environment variable`);
  }
  const projects = new Map<number, SourcedProject>();
  for (const entry of entries) {
    const first = projects.get(entry.pid);
    if (first === undefined) projects.set(entry.pid, entry);
    else if (first.secret !== entry.secret) {
      throw new CliUsageError(`project ${entry.pid} has two different secrets: ${first.source} and ${entry.source}`);
    }
  }
  return new Map([...projects].map(([pid, entry]) => [pid, entry.secret]));
}

function parseLatency(value: string): number | [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError("expected MS or MIN-MAX (milliseconds).");
  const min = Number(match[1]);
  if (match[2] === undefined) return min;
  const max = Number(match[2]);
  if (min > max) throw new InvalidArgumentError("MIN must not exceed MAX.");
  return [min, max];
}

function parseProbability(value: string): number {
  const p = /^\d*\.?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError("expected a probability in 0..1.");
  return p;
}

function parseMethods(value: string): string[] {
  const methods = value.split(",").map((m) => m.trim()).filter((m) => m !== "");
  if (methods.length === 0) throw new InvalidArgumentError("expected at least one method name.");
  return methods;
}
