import { DEFAULT_MAX_FRAME_SIZE, FpnnServer, type ConnectionLimits, type ServerInterceptor } from "@rtmkit/fpnn";
import { registerHandlers, type Endpoints, type RegisterOptions } from "@rtmkit/protocol";
import { fileGateEndpoints, filesEndpoints } from "@rtmkit/rtm-server-sdk";
import type { Authenticator } from "../auth.js";
import type { ChatService } from "../chat-service.js";
import { DEFAULT_FILE_TOKENS_PER_PROJECT, FileTokens } from "../files/file-tokens.js";
import { DEFAULT_MAX_FILE_BYTES, FileService } from "../files/file-service.js";
import { parseFileUrl } from "../files/file-url.js";
import type { ChatLimits } from "../limits.js";
import type { ChatStorage } from "../storage/chat-storage.js";
import { FileStore } from "../storage/file-store.js";
import { createFileGateHandlers, createFileTokenHandlers } from "./file-handlers.js";
import { questLogHooks, type Logger } from "./logger.js";

/** The emulator options of the file gate (EmulatorOptions has them). */
export interface FileGateOptions {
  /** TCP port of the file gate, on the gateway's host; 0 (default) picks a free one. */
  fileGatePort?: number;
  /** Largest file the gate accepts, bytes (4 MiB); over it: 200031. */
  maxFileBytes?: number;
  /** File tokens held per project (10,000); issuing one more drops the oldest. */
  maxFileTokensPerProject?: number;
}

/** What a running emulator tells of its file gate. */
export interface FileGateAccess {
  /** "host:port" of the file gate, what filetoken answers. */
  readonly fileGateEndpoint: string;
  /** The bytes of a stored file by the URL its message names (`rtm-emulator://<gate>/files/<pid>/<id>`), or undefined. */
  readFile(url: string): Uint8Array | undefined;
}

export interface FileGateParts {
  readonly storage: ChatStorage;
  readonly chat: ChatService;
  readonly limits: ChatLimits;
  readonly logger: Logger;
  readonly connectionLimits: Partial<ConnectionLimits> | undefined;
  readonly maxConnections: number;
  readonly now: (() => number) | undefined;
  /** Around the gate's handlers (the admin model's traffic tap), as on the gateway. */
  readonly interceptors?: readonly ServerInterceptor[] | undefined;
}

/** How registration answers bad requests, as the gateway's chat methods do. */
export type RegisterCodes = Pick<RegisterOptions<Endpoints>, "missingCode" | "invalidCode"> & { readonly onMissing?: (methods: readonly string[]) => void };

/** Room in a gate frame besides the file: attrs (at most maxAttrsBytes), the other keys and the frame header. */
const FRAME_OVERHEAD_BYTES = 64 * 1024;

/**
 * The file gate of an emulator: its own FpnnServer (own port, same host, no encryption) serving the five
 * file-gate methods, the file tokens, and the files table. The gateway gets its filetoken handler from here.
 */
export class EmulatorFileGate {
  readonly #server: FpnnServer;
  readonly #store: FileStore;
  readonly #service: FileService;
  readonly #port: number;
  #endpoint = "";

  constructor(options: FileGateOptions, parts: FileGateParts, codes: RegisterCodes) {
    const maxFileBytes = positiveInteger("maxFileBytes", options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    this.#port = options.fileGatePort ?? 0;
    this.#store = new FileStore(parts.storage.database, { now: parts.now });
    this.#service = new FileService({
      tokens: new FileTokens({ maxPerProject: options.maxFileTokensPerProject ?? DEFAULT_FILE_TOKENS_PER_PROJECT, now: parts.now }),
      files: this.#store,
      chat: parts.chat,
      gateEndpoint: () => this.#endpoint,
      limits: { maxFileBytes, maxAttrsBytes: parts.limits.maxAttrsBytes },
    });
    this.#server = new FpnnServer({
      hooks: questLogHooks(parts.logger),
      limits: parts.connectionLimits,
      maxConnections: parts.maxConnections,
      interceptors: parts.interceptors,
      maxFrameSize: Math.max(DEFAULT_MAX_FRAME_SIZE, maxFileBytes + parts.limits.maxAttrsBytes + FRAME_OVERHEAD_BYTES),
    });
    this.#server.on("error", (error) => parts.logger.error(`file gate: ${error.stack ?? error.message}`));
    registerHandlers(this.#server, fileGateEndpoints, createFileGateHandlers(this.#service), codes);
  }

  /** Registers filetoken on the gateway. */
  serveTokens(gateway: FpnnServer, auth: Authenticator, codes: RegisterCodes): void {
    registerHandlers(gateway, filesEndpoints, createFileTokenHandlers(auth, this.#service), codes);
  }

  /** Starts listening on `host`; answers the gate's "host:port". */
  async listen(host: string): Promise<string> {
    const address = await this.#server.listen(this.#port, host);
    this.#endpoint = endpointOf(address);
    return this.#endpoint;
  }

  get endpoint(): string {
    return this.#endpoint;
  }

  readFile(url: string): Uint8Array | undefined {
    const named = typeof url === "string" ? parseFileUrl(url) : undefined;
    return named === undefined ? undefined : this.#store.get(named.pid, named.fileId);
  }

  /** Stops accepting, lets running sends answer, closes every gate connection. */
  close(): Promise<void> {
    return this.#server.close();
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** "host:port" of a listening address (an IPv6 host in brackets), what RTMServerClient's `endpoint` takes. */
export function endpointOf(address: { readonly host: string; readonly port: number }): string {
  return `${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`;
}
