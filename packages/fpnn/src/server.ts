import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:net";
import { timeoutMsOf } from "./arguments.js";
import type { ByteStream } from "./byte-stream.js";
import { DEFAULT_TIMEOUT_MS, keepAliveOf, maxFrameSizeOf } from "./client.js";
import { Connection, type ConnectionOptions, type KeepAliveOptions, type QuestHandler } from "./connection.js";
import { InputBudget, resolveConnectionLimits, type ConnectionLimits } from "./connection-limits.js";
import { createServerKeyExchange, type ServerEncryptionOptions, type ServerKeyExchange } from "./encryption/server.js";
import { EncryptionError } from "./encryption/errors.js";
import { keyQuestMethod } from "./encryption/key-quest.js";
import { FpnnError } from "./errors.js";
import { FpnnErrorCode } from "./generated/error-codes.js";
import type { FpnnHooks } from "./hooks.js";
import { chain, interceptorsOf, type ServerInterceptor } from "./interceptors.js";

export interface FpnnServerOptions {
  /** Largest frame accepted or sent, in bytes (8 MiB). A bigger frame closes that connection. */
  maxFrameSize?: number;
  /** Default timeout in seconds of the server's own quests to clients (30). */
  timeout?: number;
  /** Server-side `*ping` of idle clients (off by default; clients ping). */
  keepAlive?: boolean | Partial<KeepAliveOptions>;
  hooks?: FpnnHooks;
  /**
   * Wrap every handler registered with handle() (first = outermost); each is applied once per method, when it
   * is registered. The runtime's own answers (unknown method, built-in `*ping`, `*key`) do not go through them.
   */
  interceptors?: readonly ServerInterceptor[];
  /** Milliseconds close() waits for a client to close its side before dropping it (2000). */
  closeGraceMs?: number;
  /** What each connection may cost: output waiting, idle and frame deadlines, payload shape (see ConnectionLimits for the defaults). */
  limits?: Partial<ConnectionLimits>;
  /** Connections open at once; more are closed as soon as they are accepted (4096). */
  maxConnections?: number;
  /** Bytes held in partly received frames over all connections; past it, connections holding big partial frames are dropped (256 MiB). */
  maxBufferedInputBytes?: number;
  /**
   * Accept encrypted connections (a `*key` quest first) with this private key, besides plain ones.
   * A `*key` that is not the first frame or that cannot be accepted closes the connection unanswered.
   */
  encryption?: ServerEncryption;
}

/** The server's `encryption` option: raw scalar (bytes or hex, leading zero bytes may be dropped), PEM or DER; `curve` for raw keys off secp256k1. */
export type ServerEncryption = Omit<ServerEncryptionOptions, "maxFrameSize">;

const DEFAULT_MAX_CONNECTIONS = 4096;
const DEFAULT_MAX_BUFFERED_INPUT = 256 * 1024 * 1024;

/** A client's connection as the server sees it: duplex, so the server can send it quests too. */
export class ServerConnection extends Connection {
  constructor(
    socket: ByteStream,
    options: ConnectionOptions,
    readonly server: FpnnServer,
  ) {
    super(socket, options);
  }
}

export type ServerHandler = QuestHandler<ServerConnection>;

export interface FpnnServerEvents {
  connection: [connection: ServerConnection];
  disconnect: [connection: ServerConnection, reason: FpnnError];
  /** Handler failures (non-FpnnError throws), hook failures and connections closed because they could not be answered; only emitted when somebody listens. */
  error: [error: Error];
  /** A connection was closed at once because maxConnections were open. */
  refused: [event: { remoteAddress: string; remotePort: number }];
}

/** FPNN server: method handlers (sync or async), one ServerConnection per client. */
export class FpnnServer extends EventEmitter<FpnnServerEvents> {
  private readonly handlers = new Map<string, ServerHandler>();
  private readonly live = new Set<ServerConnection>();
  private readonly maxFrameSize: number;
  private readonly defaultTimeoutMs: number;
  private readonly keepAlive: KeepAliveOptions | undefined;
  private readonly hooks: FpnnHooks | undefined;
  private readonly interceptors: readonly ServerInterceptor[] | undefined;
  private readonly closeGraceMs: number;
  private readonly limits: Readonly<ConnectionLimits>;
  private readonly inputBudget: InputBudget;
  private readonly server: Server;
  private readonly keyExchange: ServerKeyExchange | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: FpnnServerOptions = {}) {
    super();
    this.maxFrameSize = maxFrameSizeOf(options.maxFrameSize);
    this.defaultTimeoutMs = timeoutMsOf(options.timeout, DEFAULT_TIMEOUT_MS, "options.timeout");
    this.keepAlive = keepAliveOf(options.keepAlive, false);
    this.hooks = options.hooks;
    this.interceptors = interceptorsOf(options.interceptors);
    this.closeGraceMs = options.closeGraceMs ?? 2000;
    this.limits = resolveConnectionLimits(options.limits, "server");
    this.inputBudget = new InputBudget(options.maxBufferedInputBytes ?? DEFAULT_MAX_BUFFERED_INPUT);
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) throw new TypeError(`options.maxConnections: expected a positive integer, got ${String(maxConnections)}`);
    const encryption: unknown = options.encryption;
    if (encryption !== undefined) {
      if (typeof encryption !== "object" || encryption === null) throw new EncryptionError("options.encryption: expected an object with privateKey");
      this.keyExchange = createServerKeyExchange({ ...(encryption as ServerEncryption), maxFrameSize: this.maxFrameSize }, "options.encryption");
      this.handlers.set(keyQuestMethod, this.acceptKey);
    }
    this.server = createServer({ noDelay: true }, this.accept);
    this.server.maxConnections = maxConnections;
    this.server.on("error", this.emitError);
    this.server.on("drop", (dropped) => {
      if (this.listenerCount("refused") > 0) this.emit("refused", { remoteAddress: dropped?.remoteAddress ?? "", remotePort: dropped?.remotePort ?? 0 });
    });
  }

  /** The public key (raw X||Y) clients put in their `encryption.publicKey`; undefined without the encryption option. */
  get publicKey(): Buffer | undefined {
    return this.keyExchange?.publicKey;
  }

  /** Registers the handler of a method, wrapped in the interceptors; its return value is the answer (undefined answers `{}`). */
  handle(method: string, handler: ServerHandler): this {
    if (typeof method !== "string" || method.length === 0) throw new TypeError("method: must be a non-empty string");
    if (method === keyQuestMethod && this.keyExchange !== undefined) throw new TypeError("method: *key is handled by the encryption option");
    if (typeof handler !== "function") throw new TypeError("handler: must be a function");
    this.handlers.set(method, this.interceptors === undefined ? handler : chain(this.interceptors, handler));
    return this;
  }

  get connections(): ReadonlySet<ServerConnection> {
    return this.live;
  }

  listen(port = 0, host = "127.0.0.1"): Promise<{ port: number; host: string }> {
    return new Promise((resolve, reject) => {
      // A listen failure (EADDRINUSE...) is the caller's to report through the rejection, not an 'error' event too.
      this.server.off("error", this.emitError);
      const onError = (error: Error): void => {
        this.server.on("error", this.emitError);
        reject(error);
      };
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        this.server.on("error", this.emitError);
        const address = this.server.address();
        if (address === null || typeof address === "string") reject(new Error("server has no TCP address"));
        else resolve({ port: address.port, host: address.address });
      });
    });
  }

  /** Stops accepting, answers further quests with 20014, lets running handlers answer, then closes every connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const stopping = new FpnnError(FpnnErrorCode.CoreServerStopping, "server stopping");
    const connections = [...this.live];
    for (const connection of connections) connection.refuseQuests(stopping);
    await Promise.all(connections.map((connection) => connection.whenHandlersDone()));
    await Promise.all(connections.map((connection) => this.closeGracefully(connection)));
    await stopped;
  }

  private async closeGracefully(connection: ServerConnection): Promise<void> {
    const timer = setTimeout(() => connection.destroy(), this.closeGraceMs);
    timer.unref();
    await connection.close();
    clearTimeout(timer);
  }

  /**
   * Serves one connection over a byte stream this server did not accept itself (a unix-domain or TLS
   * server's socket, an in-process stream); `maxConnections` does not count it. Undefined (and the stream
   * destroyed) once close() was called.
   */
  attach(stream: ByteStream): ServerConnection | undefined {
    return this.accept(stream);
  }

  private readonly accept = (socket: ByteStream): ServerConnection | undefined => {
    if (this.closing !== undefined) {
      socket.destroy();
      return undefined;
    }
    const connection: ServerConnection = new ServerConnection(
      socket,
      {
        maxFrameSize: this.maxFrameSize,
        defaultTimeoutMs: this.defaultTimeoutMs,
        handlers: this.handlers,
        keepAlive: this.keepAlive,
        hooks: this.hooks,
        limits: this.limits,
        pauseReading: true,
        inputBudget: this.inputBudget,
        onClose: (reason) => {
          this.live.delete(connection);
          if (this.listenerCount("disconnect") > 0) this.emit("disconnect", connection, reason);
        },
        onError: this.emitError,
      },
      this,
    );
    this.live.add(connection);
    if (this.listenerCount("connection") > 0) this.emit("connection", connection);
    return connection;
  };

  /** `*key`: switch the connection to the negotiated cipher at once, so the rest of this chunk and the answer are encrypted. */
  private readonly acceptKey: ServerHandler = (_payload, { connection, frame }) => {
    if (connection.stats.framesReceived !== 1) {
      connection.dropForViolation(new FpnnError(FpnnErrorCode.CoreInvalidConnection, "*key quest that is not the first frame: connection closed"));
      return;
    }
    try {
      connection.setCipher(this.keyExchange!.acceptEncoded(frame.payload));
    } catch (error) {
      connection.dropForViolation(new FpnnError(FpnnErrorCode.CoreInvalidConnection, `${(error as Error).message}: connection closed`, { cause: error }));
    }
  };

  private readonly emitError = (error: Error): void => {
    if (this.listenerCount("error") > 0) this.emit("error", error);
  };
}
