import type { KeyInput, ServerEncryption } from "@rtmkit/fpnn";
import { Authenticator } from "../auth.js";
import { ChatService } from "../chat-service.js";
import { DEFAULT_HOST, type LogLevel } from "../cli.js";
import { RtmCode } from "../errors.js";
import { FaultInjector, type FaultOptions } from "../faults.js";
import { registerChatHandlers } from "../generated/index.js";
import { resolveLimits, type ChatLimits } from "../limits.js";
import { ChatStorage } from "../storage/chat-storage.js";
import type { Durability } from "../storage/database.js";
import { createChatHandlers } from "./chat-handlers.js";
import { FaultingServer } from "./faulting-server.js";
import { Logger, questLogHooks, type LogSink } from "./logger.js";
import { projectMap, type ProjectsOption } from "./projects.js";

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on (127.0.0.1). */
  host?: string;
  /** The projects served, each isolated from the others. */
  projects: ProjectsOption;
  /** SQLite file; absent = in memory. With a file every acknowledged message survives a restart or kill -9. */
  db?: string;
  /** With `db`: "normal" (crash-safe, default) or "full" (also power-loss safe, one fsync per batch). */
  durability?: Durability;
  /** Largest accepted |server time - ts| in seconds (300). */
  tsSkewSeconds?: number;
  /** Salts remembered per project for replay protection. */
  maxSaltsPerProject?: number;
  /** Limits on sends (defaults in DEFAULT_LIMITS). */
  limits?: Partial<ChatLimits>;
  /** Fault injection for resilience tests. */
  faults?: FaultOptions;
  /** Accept encrypted connections: the server private key (raw, hex, PEM or DER, e.g. a key file's contents), or it with its curve. */
  key?: KeyInput | ServerEncryption;
  /** Log verbosity ("warn": error answers; "debug": one line per quest). Default "silent" here, "info" in the CLI. */
  logLevel?: LogLevel;
  /** Where log lines go (default stderr). */
  log?: LogSink;
  /** Server clock in ms (ts checks and message mtimes); injectable for tests. */
  now?: () => number;
}

export interface RunningEmulator {
  /** "host:port", what RTMServerClient's `endpoint` takes. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** The public key (raw X||Y) clients need, when started with `key`. */
  readonly publicKey: Buffer | undefined;
  /** Stops accepting, lets in-flight quests answer, closes every connection, then closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Starts an RTM emulator: the chat API over FPNN, signed quests, SQLite storage. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const projects = projectMap(options.projects);
  const logger = new Logger(options.logLevel ?? "silent", options.log ?? ((line) => void process.stderr.write(line)));
  const auth = new Authenticator({ projects, tsSkewSeconds: options.tsSkewSeconds, now: options.now, maxSaltsPerProject: options.maxSaltsPerProject });
  const limits = resolveLimits(options.limits);
  const faults = new FaultInjector(options.faults);
  const storage = ChatStorage.open({ path: options.db, durability: options.durability, now: options.now });
  let server: FaultingServer;
  try {
    server = new FaultingServer({ hooks: questLogHooks(logger), encryption: encryptionOf(options.key) }, faults);
    registerChatHandlers(server, createChatHandlers(auth, new ChatService(storage, limits)), {
      missingCode: RtmCode.EMPTY_PARAMETER,
      invalidCode: RtmCode.INVALID_PARAMETER,
    });
    server.on("error", (error) => logger.error(`internal error: ${error.stack ?? error.message}`));
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
    address = await server.listen(options.port ?? 0, options.host ?? DEFAULT_HOST);
  } catch (error) {
    await server.close();
    storage.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const endpoint = `${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`;
  logger.info(
    `rtm-emulator listening on ${endpoint}; projects ${[...projects.keys()].join(", ")}; ` +
      `db ${options.db ?? "in memory"}${faults.enabled ? "; fault injection on" : ""}${server.publicKey ? "; encryption on" : ""}`,
  );
  return {
    endpoint,
    host: address.host,
    port: address.port,
    publicKey: server.publicKey,
    close() {
      closing ??= (async () => {
        try {
          await server.close();
        } finally {
          storage.close();
          logger.info("rtm-emulator stopped");
        }
      })();
      return closing;
    },
  };
}

function encryptionOf(key: EmulatorOptions["key"]): ServerEncryption | undefined {
  if (key === undefined) return undefined;
  if (typeof key === "string" || key instanceof Uint8Array) return { privateKey: key };
  return key;
}
