import { FpnnClient } from "@rtmkit/fpnn";
import { packageVersion, typeName, type AnyMethod } from "@rtmkit/protocol";
import { Invoker } from "@rtmkit/rtm-server-sdk";
import { Command, CommanderError, Option } from "commander";
import { callArguments } from "./arguments.js";
import { catalog as sdkCatalog, type Catalog } from "./catalog.js";
import { connectionSettings, ENV, type ConnectionFlags, type Env } from "./connection.js";
import { callOptions, fixedFields, methodData, methodList, paramType } from "./describe.js";
import { listen, listenPlan, type ListenFlags } from "./listen.js";
import { callFailure, toJson } from "./output.js";
import { UsageError } from "./usage.js";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Where the CLI reads settings from besides argv (injectable for tests). */
export interface CliSources {
  /** Default process.env. */
  readonly env?: Env;
  /** Reads the --key file; default fs.readFileSync. */
  readonly readFile?: (path: string) => Uint8Array;
  /** The methods offered; default every client method the SDK's tables export. */
  readonly catalog?: Catalog;
  /** Stops `rtmkit listen` (the bin aborts it on SIGINT and SIGTERM). */
  readonly signal?: AbortSignal;
}

/** What the command line asked for, once commander has parsed it. */
type Request =
  | { readonly kind: "methods"; readonly json: boolean }
  | { readonly kind: "call"; readonly method: AnyMethod; readonly positional: readonly string[]; readonly flags: Record<string, string | undefined>; readonly connection: ConnectionFlags }
  | { readonly kind: "listen"; readonly flags: ListenFlags & ConnectionFlags };

const CONNECTION_FLAGS = new Set(["endpoint", "pid", "secret", "timeout", "key", "curve", "bits", "stream", "help"]);

const processIo: CliIo = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };

/**
 * The `rtmkit` command. Resolves to the exit status: 0 done, 1 the call failed (RTM or FPNN error,
 * `error CODE: message` on stderr), 2 a bad command line.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo, sources: CliSources = {}): Promise<number> {
  const catalog = sources.catalog ?? sdkCatalog;
  let request: Request | undefined;
  let out = "";
  let err = "";
  const program = createProgram(catalog, (r) => (request = r), {
    writeOut: (text) => (out += text),
    writeErr: (text) => (err += text),
  });
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
      io.stdout(out);
      return 0;
    }
    // `rtmkit` or `rtmkit call` without a command: commander prints the help as an error.
    if (error.code === "commander.help") io.stderr(err);
    else io.stderr(`rtmkit: ${error.message.replace(/^error: /, "")}\nTry 'rtmkit --help' or 'rtmkit call <method> --help'.\n`);
    return 2;
  }
  if (request === undefined) return 2;
  if (request.kind === "methods") {
    io.stdout(request.json ? `${toJson(methodData(catalog))}\n` : methodList(catalog));
    return 0;
  }
  try {
    if (request.kind === "listen") return await listen(listenPlan(request.flags), connectionSettings(request.flags, sources.env ?? process.env, sources.readFile), io, sources.signal);
    return await call(request, io, sources, catalog);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`rtmkit: ${error.message}\nTry 'rtmkit ${request.kind === "listen" ? "listen" : `call ${request.method.name}`} --help'.\n`);
    return 2;
  }
}

async function call(request: Extract<Request, { kind: "call" }>, io: CliIo, sources: CliSources, catalog: Catalog): Promise<number> {
  const { args, options } = callArguments(request.method, request.positional, request.flags, catalog);
  const settings = connectionSettings(request.connection, sources.env ?? process.env, sources.readFile);
  let fpnn: FpnnClient;
  try {
    fpnn = new FpnnClient(settings.fpnn);
  } catch (error) {
    // A bad endpoint or key: a setting the user gave.
    throw new UsageError((error as Error).message);
  }
  try {
    const result = await new Invoker(fpnn, { pid: settings.pid, secret: settings.secret }).invoke(request.method, args, options);
    io.stdout(`${toJson(result)}\n`);
    return 0;
  } catch (error) {
    return callFailure(error, io.stderr);
  } finally {
    await fpnn.close();
  }
}

function createProgram(catalog: Catalog, select: (request: Request) => void, output: { writeOut: (t: string) => void; writeErr: (t: string) => void }): Command {
  const program = new Command("rtmkit")
    .description("Call the RTM server API from a shell: every method of the IDL tables, over FPNN.")
    .helpOption("-h, --help", "show this help")
    .version(packageVersion(import.meta.url), "-V, --version", "print the version")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ ...output, outputError: () => {} });

  program
    .command("methods")
    .description("list every RTM method: its FPNN method, what it does (the IDL's doc), parameters and fixed fields")
    .option("--json", "as JSON")
    .action((opts: { json?: boolean }) => select({ kind: "methods", json: opts.json === true }));

  const callCommand = withConnectionOptions(
    program
      .command("call")
      .description("call an RTM method: rtmkit call <method> [args...] (rtmkit call <method> --help lists its parameters)")
      .usage("[connection options] <method> [args...]")
      .configureHelp({ showGlobalOptions: true, subcommandTerm: (command) => command.name() })
      .helpCommand(false),
  );

  const listenCommand = withConnectionOptions(
    program
      .command("listen")
      .description("listen to pushes: set what this connection listens to, then print each push as one JSON line until stopped")
      .usage("[connection options] [--groups ids] [--rooms ids] [--users ids] [--events names] [--all-*] [--count n]"),
  )
    .addOption(new Option("--groups <ids>", "group ids, separated by commas"))
    .addOption(new Option("--rooms <ids>", "room ids, separated by commas"))
    .addOption(new Option("--users <ids>", "user ids (their P2P messages), separated by commas"))
    .addOption(new Option("--events <names>", '"login" and/or "logout", separated by commas'))
    .addOption(new Option("--all-groups", "every group"))
    .addOption(new Option("--all-rooms", "every room"))
    .addOption(new Option("--all-p2p", "every P2P message"))
    .addOption(new Option("--all-events", "every event"))
    .addOption(new Option("--count <n>", "stop after n pushes"));
  listenCommand.action(() => select({ kind: "listen", flags: listenCommand.opts<ListenFlags & ConnectionFlags>() }));

  for (const d of catalog.methods.values()) {
    const usage = d.params.map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`)).join(" ");
    const command = callCommand.command(d.name).description(methodDescription(d)).usage(`${usage} [options]`).allowExcessArguments(true);
    for (const p of d.params) {
      // Optional for commander: a parameter given as a flag leaves its place to the next positional value.
      command.argument(`[${p.name}]`, `${paramType(p, catalog)}; wire key "${p.wire}"`);
      if (!CONNECTION_FLAGS.has(p.name)) command.addOption(new Option(`--${p.name} <${p.name}>`).hideHelp());
    }
    for (const o of callOptions(d)) command.addOption(new Option(`--${o.name} <${typeName(o.type)}>`, "call option: supplies the value the client would otherwise generate"));
    command.addHelpText("after", "\nA parameter may also be given as --<name> <value>; the positional values fill the others in order.");
    command.action(() => {
      select({ kind: "call", method: d, positional: command.args, flags: command.opts(), connection: callCommand.opts<ConnectionFlags>() });
    });
  }
  return program;
}

function withConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option("--endpoint <host:port>", `RTM server gateway (env ${ENV.endpoint})`))
    .addOption(new Option("--pid <pid>", `project id (env ${ENV.pid})`))
    .addOption(new Option("--secret <secret>", `project secret (env ${ENV.secret}; other local users can read a command line, prefer the env)`))
    .addOption(new Option("--timeout <seconds>", "seconds to wait for the connection and for the answer (default 5 and 30)"))
    .addOption(new Option("--key <file>", "encrypt: the server's public key file (raw, hex, PEM or DER)"))
    .addOption(new Option("--curve <curve>", "with --key: curve of a raw or hex key (default secp256k1)"))
    .addOption(new Option("--bits <bits>", "with --key: AES key size, 128 (default) or 256"))
    .addOption(new Option("--stream", "with --key: stream mode (one cipher per direction)"));
}

function methodDescription(d: AnyMethod): string {
  const fixed = fixedFields(d);
  return `${d.doc}\n${d.name}: FPNN method ${d.fpnn} (service ${d.service.name})${fixed === "" ? "" : `; fixed: ${fixed}`}`;
}
