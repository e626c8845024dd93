import { connect } from "node:net";
import type { ByteStream } from "./byte-stream.js";
import { FpnnError } from "./errors.js";
import { FpnnErrorCode } from "./generated/error-codes.js";

/** Where a client connects, as its dial function gets it. */
export interface DialTarget {
  /** The client's endpoint, "host:port". */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** Aborted when the client gives up on this attempt (connect timeout, close()): stop connecting and release what was opened. */
  readonly signal: AbortSignal;
}

/**
 * Opens the byte stream of one connection attempt; resolves once it is connected (bytes written to it
 * reach the server). A rejection fails the attempt (20012 with the error as cause).
 */
export type Dial = (target: DialTarget) => Promise<ByteStream>;

/** The default dial: a TCP connection to host:port. */
export const dialTcp: Dial = ({ host, port, signal }) =>
  new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const onConnected = (): void => {
      settle();
      resolve(socket);
    };
    const onClose = (): void => {
      settle();
      reject(signal.reason ?? new Error("socket closed while connecting"));
    };
    const onError = (error: Error): void => {
      settle();
      reject(error);
    };
    const onAbort = (): void => void socket.destroy();
    const settle = (): void => {
      signal.removeEventListener("abort", onAbort);
      socket.off("connect", onConnected).off("error", onError).off("close", onClose);
    };
    socket.once("connect", onConnected).once("error", onError).once("close", onClose);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });

/** Why an attempt was aborted: the connect timeout passed, or the client was closed. */
export type DialAbort = "timeout" | "cancelled";

/**
 * Runs one dial within `timeoutMs`, cancellable through `controller`; maps every failure to the client's
 * FpnnError (20012 cannot connect, 20002 cancelled). A stream that arrives after the attempt was given
 * up is destroyed.
 */
export function dialWithin(dial: Dial, target: Omit<DialTarget, "signal">, timeoutMs: number, controller: AbortController): Promise<ByteStream> {
  const { endpoint } = target;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: FpnnError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => controller.abort(connectTimeoutError(timeoutMs)), timeoutMs);
    const onAbort = (): void => {
      const reason: unknown = controller.signal.reason;
      if (isConnectTimeout(reason)) fail(cannotConnect(endpoint, reason));
      else fail(new FpnnError(FpnnErrorCode.CoreConnectionClosed, `connecting to ${endpoint} was cancelled`));
    };
    controller.signal.addEventListener("abort", onAbort, { once: true });
    let dialing: Promise<ByteStream>;
    try {
      dialing = Promise.resolve(dial({ ...target, signal: controller.signal }));
    } catch (error) {
      dialing = Promise.reject(error);
    }
    dialing.then(
      (stream) => {
        controller.signal.removeEventListener("abort", onAbort);
        if (!isByteStream(stream)) {
          fail(cannotConnect(endpoint, new TypeError(`options.dial resolved with ${typeof stream}, not a byte stream`)));
          return;
        }
        if (settled) {
          stream.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(stream);
      },
      (error: unknown) => {
        controller.signal.removeEventListener("abort", onAbort);
        fail(cannotConnect(endpoint, error));
      },
    );
  });
}

function isByteStream(value: unknown): value is ByteStream {
  const stream = value as ByteStream | null;
  return typeof stream === "object" && stream !== null && typeof stream.write === "function" && typeof stream.on === "function" && typeof stream.destroy === "function";
}

function cannotConnect(endpoint: string, error: unknown): FpnnError {
  if (FpnnError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FpnnError(FpnnErrorCode.CoreInvalidConnection, `cannot connect to ${endpoint}: ${message}`, { cause: error });
}

const connectTimeouts = new WeakSet<object>();

/** What a dial that got no connection within the connect timeout fails with (an OS-style error, code ETIMEDOUT). */
function connectTimeoutError(timeoutMs: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`no connection within ${timeoutMs} ms`);
  error.code = "ETIMEDOUT";
  connectTimeouts.add(error);
  return error;
}

function isConnectTimeout(reason: unknown): reason is NodeJS.ErrnoException {
  return typeof reason === "object" && reason !== null && connectTimeouts.has(reason);
}
