import { FpnnError, FpnnErrorCode, FpnnServer, type Connection, type ConnectionLimits, type KeyInput, type ServerEncryption } from "@rtmkit/fpnn";
import { registerImplementation, type Implementation } from "@rtmkit/protocol";
import { createEmulatorAdmin, type EmulatorAdmin } from "../admin/admin.js";
import { MethodFaults } from "../admin/method-faults.js";
import { TrafficTap } from "../admin/traffic-tap.js";
import { Authenticator } from "../auth.js";
import { consoleNote, serveConsole } from "../console/attach.js";
import { resolveConsoleOptions, type ConsoleOption } from "../console/options.js";
import type { RunningConsole } from "../console/server.js";
import { DEFAULT_HOST, DEFAULT_MAX_CONNECTIONS, type LogLevel } from "../cli.js";
import { RtmErrorCode } from "../errors.js";
import { FaultInjector, type FaultOptions } from "../faults.js";
import { resolveLimits, type ChatLimits } from "../limits.js";
import { PushDelivery } from "../push/push-delivery.js";
import { PushHub } from "../push/push-hub.js";
import { resolvePushOptions, type PushOptions } from "../push/push-options.js";
import { PushPinger } from "../push/push-pinger.js";
import type { PushStats } from "../push/push-stats.js";
import { ListenService } from "../services/listen.js";
import { ChatStorage } from "../storage/chat-storage.js";
import type { Durability } from "../storage/database.js";
import { verifiedImplementation } from "./chat-handlers.js";
import { FaultInterception } from "./fault-interceptor.js";
import { EmulatorFileGate, endpointOf, type FileGateAccess, type FileGateOptions } from "./file-gate.js";
import { Logger, questLogHooks, type LogSink } from "./logger.js";
import { projectMap, type ProjectsOption } from "./projects.js";
import { EmulatorServices, overridesOnly, registerServices, servedMethods } from "./services.js";
import { UserActivity, type UserSend, type UserSent } from "./user-activity.js";

export interface EmulatorOptions extends FileGateOptions, PushOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on (127.0.0.1). */
  host?: string;
  /** The projects served, each isolated from the others. */
  projects: ProjectsOption;
  /**
   * SQLite file; absent = in memory. With a file every acknowledged message survives a restart or
   * kill -9. The emulator holds the file exclusively: another one on the same file rejects with DatabaseInUseError.
   */
  db?: string;
  /** With `db`: "normal" (crash-safe, default) or "full" (also power-loss safe, one fsync per batch). */
  durability?: Durability;
  /** Largest accepted |server time - ts| in seconds (300). */
  tsSkewSeconds?: number;
  /**
   * Replay protection memory per project, in salts (4,000,000: at most ~92 MB). Replays inside the ts
   * window are always refused (200006); a project with this many salts in the window gets 200010.
   */
  maxSaltsPerProject?: number;
  /** Limits on sends (defaults in DEFAULT_LIMITS); msg + attrs at most MAX_ROW_BODY_BYTES, else this rejects. */
  limits?: Partial<ChatLimits>;
  /** Fault injection for resilience tests. */
  faults?: FaultOptions;
  /**
   * What one connection may cost (FPNN's ConnectionLimits): idle timeout (60 s), frame deadline (30 s), output
   * waiting for a client that does not read, payload shape.
   */
  connectionLimits?: Partial<ConnectionLimits>;
  /** Connections open at once; more are closed as soon as they connect (4096). */
  maxConnections?: number;
  /** Accept encrypted connections: the server private key (raw, hex, PEM or DER, e.g. a key file's contents), or it with its curve. */
  key?: KeyInput | ServerEncryption;
  /** Log verbosity ("warn": error answers; "debug": one line per quest). Default "silent" here, "info" in the CLI. */
  logLevel?: LogLevel;
  /** Where log lines go (default stderr). */
  log?: LogSink;
  /** Server clock in ms (ts checks and message mtimes); injectable for tests. */
  now?: () => number;
  /**
   * Handlers for methods of an IDL of your own (rtmkit-gen with `extends: rtm`), or for RTM methods whose
   * behaviour you supply (the value-added services: translate, tcheck, ...), each `implement(endpoints, {...})`:
   * checked against their tables like the emulator's own, behind the same signature check for signed services.
   * A handler given here replaces the emulator's for that method; a method of a table of your own without a
   * handler answers 20004 naming it.
   */
  handlers?: readonly Implementation[];
  /**
   * The web console (docs/emulator/console.md): off when absent or false; `true` or `{ port?, host?, token? }` serves
   * it (127.0.0.1 and a free port by default; a host beyond localhost asks a token on every request).
   */
  console?: ConsoleOption;
}

export interface RunningEmulator extends FileGateAccess {
  /** "host:port", what RTMServerClient's `endpoint` takes. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** The public key (raw X||Y) clients need, when started with `key`. */
  readonly publicKey: Buffer | undefined;
  /**
   * Marks a user online or offline. The emulator has no client gateway, so nobody is online until a test
   * says so (getonlineusers answers from this; kickout and addprojectblack take a user offline). A change
   * pushes `pushevent` login (offline to online) or logout (online to offline) to the connections listening
   * to that event; setting the presence a user already has pushes nothing. A pid that is not a project throws.
   */
  setOnline(pid: number, uid: bigint | number, online: boolean): void;
  /** setOnline(pid, uid, true): the user logs in. */
  userLogin(pid: number, uid: bigint | number): void;
  /** setOnline(pid, uid, false): the user logs out. */
  userLogout(pid: number, uid: bigint | number): void;
  /**
   * A simulated end user sends a message to a user (`to`), a group (`gid`) or a room (`rid`): stored exactly as
   * the server API's send would store it (mtype, sizes, bans and blacklists checked; a refusal rejects with a
   * Refusal carrying the RTM code) with a fresh mid, then pushed to the connections listening to it.
   */
  userSends(send: UserSend): Promise<UserSent>;
  /** Closes every client connection of the main endpoint now (not the file gate's); answers how many. For reconnect tests. */
  dropConnections(): number;
  /** What became of the pushes so far (totals; see PushStats). */
  pushStats(): PushStats;
  /** The admin model: traffic and stats, runtime faults per method, the stored state, and actions on it (docs/emulator/admin.md). */
  readonly admin: EmulatorAdmin;
  /** The web console's URL, with `?token=` when it asks one (what to open in a browser); undefined without a console. */
  readonly consoleUrl: string | undefined;
  /** Stops the console, stops accepting, lets in-flight quests answer, closes every connection, then closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Starts an RTM emulator: the RTM server API over FPNN, signed quests, SQLite storage. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const projects = projectMap(options.projects);
  const consoleOptions = resolveConsoleOptions(options.console);
  const logger = new Logger(options.logLevel ?? "silent", options.log ?? ((line) => void process.stderr.write(line)));
  const auth = new Authenticator({ projects, tsSkewSeconds: options.tsSkewSeconds, now: options.now, maxSaltsPerProject: options.maxSaltsPerProject });
  const limits = resolveLimits(options.limits);
  const faults = new FaultInjector(options.faults);
  const push = resolvePushOptions(options);
  const listen = new ListenService<Connection>();
  const now = options.now ?? Date.now;
  const tap = new TrafficTap(projects.keys(), now, (error) => logger.error(`admin: a traffic listener failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  const methodFaults = new MethodFaults(servedMethods(options.handlers));
  let endpoint = "";
  const hub = new PushHub(listen, {
    delivery: new PushDelivery({ timeoutSeconds: push.pushTimeoutSeconds, maxUnanswered: push.maxUnansweredPushes, logger, tap }),
    duplicate: options.faults?.duplicatePushes === true,
    endpoint: () => endpoint,
    now,
  });
  const storage = ChatStorage.open({ path: options.db, durability: options.durability, now: options.now, watcher: hub });
  let services: EmulatorServices;
  // Without static faults configured there is no interceptor for them: only the admin model's two, which cost a
  // lookup and a few counter updates per quest while nobody subscribes to the traffic and no method has a fault.
  const interception = faults.enabled ? new FaultInterception(faults) : undefined;
  let server: FpnnServer;
  let fileGate: EmulatorFileGate;
  try {
    server = new FpnnServer({
      hooks: questLogHooks(logger),
      interceptors: [tap.interceptor, methodFaults.interceptor, ...(interception === undefined ? [] : [interception.interceptor])],
      encryption: encryptionOf(options.key),
      limits: options.connectionLimits,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    });
    const codes = {
      missingCode: RtmErrorCode.EmptyParameter,
      invalidCode: RtmErrorCode.InvalidParameter,
      // An IDL method without a handler yet (the IDL moved ahead of the implementation) is answered 20004: say so once.
      onMissing: (methods: readonly string[]) => logger.warn(`IDL methods without an emulator handler, answered 20004 (unknown method): ${methods.join(", ")}`),
    };
    services = new EmulatorServices(storage, storage.database, limits, options.now, {
      listen,
      onPresenceChange: (pid, uid, online) => hub.presenceChanged(pid, uid, online),
    });
    registerServices(server, auth, services, codes);
    fileGate = new EmulatorFileGate(options, { storage, chat: services.chat, limits, logger, connectionLimits: options.connectionLimits, maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, now: options.now, interceptors: [tap.interceptor] }, codes);
    fileGate.serveTokens(server, auth, codes);
    for (const implementation of options.handlers ?? []) {
      registerImplementation(server, verifiedImplementation(auth, overridesOnly(implementation)), codes);
    }
    server.on("error", (error) => {
      if (FpnnError.is(error) && error.code === FpnnErrorCode.CoreInvalidConnection) logger.warn(error.message);
      else logger.error(`internal error: ${error.stack ?? error.message}`);
    });
    server.on("refused", refusalLogger(logger));
    server.on("disconnect", (connection) => listen.forget(connection));
    if (logger.enabled("debug")) {
      server.on("connection", (c) => logger.debug(`connection from ${c.remoteAddress}:${c.remotePort}`));
      server.on("disconnect", (c, reason) => logger.debug(`disconnected ${c.remoteAddress}:${c.remotePort}: ${reason.message}`));
    }
  } catch (error) {
    storage.close();
    throw error;
  }
  let address: { port: number; host: string };
  try {
    await fileGate.listen(options.host ?? DEFAULT_HOST);
    address = await server.listen(options.port ?? 0, options.host ?? DEFAULT_HOST);
  } catch (error) {
    await Promise.all([server.close(), fileGate.close()]);
    storage.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  endpoint = endpointOf(address);
  const pinger = new PushPinger(push.pushPingSeconds, () => hub.ping());
  const users = new UserActivity(projects, services);
  const admin = createEmulatorAdmin({ projects, storage, services, listen, tap, faults: methodFaults, now });
  let webConsole: RunningConsole | undefined;
  const emulator: RunningEmulator = {
    endpoint,
    host: address.host,
    port: address.port,
    publicKey: server.publicKey,
    setOnline: (pid, uid, online) => users.setOnline(pid, uid, online),
    userLogin: (pid, uid) => users.setOnline(pid, uid, true),
    userLogout: (pid, uid) => users.setOnline(pid, uid, false),
    userSends: (send) => users.sends(send),
    dropConnections() {
      const open = [...server.connections];
      for (const connection of open) void connection.close();
      return open.length;
    },
    pushStats: () => hub.stats(),
    admin,
    get consoleUrl() {
      return webConsole?.openUrl;
    },
    fileGateEndpoint: fileGate.endpoint,
    readFile: (url) => fileGate.readFile(url),
    close() {
      closing ??= (async () => {
        await webConsole?.close();
        pinger.stop();
        try {
          const stopping = Promise.all([server.close(), fileGate.close()]);
          interception?.closeHeld();
          methodFaults.closeHeld();
          await stopping;
        } finally {
          storage.close();
          logger.info("rtm-emulator stopped");
        }
      })();
      return closing;
    },
  };
  try {
    webConsole = await serveConsole(emulator, consoleOptions, logger);
  } catch (error) {
    await emulator.close();
    throw error;
  }
  logger.info(
    `rtm-emulator listening on ${endpoint}; file gate ${fileGate.endpoint}; projects ${[...projects.keys()].join(", ")}; ` +
      `db ${options.db ?? "in memory"}${faults.enabled ? "; fault injection on" : ""}${options.faults?.duplicatePushes === true ? "; pushes sent twice" : ""}${server.publicKey ? "; encryption on" : ""}${consoleNote(webConsole)}`,
  );
  return emulator;
}

/** Logs refused connections at most once a second: a flood of them must not flood the log too. */
function refusalLogger(logger: Logger): () => void {
  let refused = 0;
  let loggedAt = 0;
  return () => {
    refused++;
    const now = Date.now();
    if (now - loggedAt < 1000) return;
    logger.warn(`refused ${refused} connection(s): the connection limit is reached (--max-connections)`);
    loggedAt = now;
    refused = 0;
  };
}

function encryptionOf(key: EmulatorOptions["key"]): ServerEncryption | undefined {
  if (key === undefined) return undefined;
  if (typeof key === "string" || key instanceof Uint8Array) return { privateKey: key };
  return key;
}
