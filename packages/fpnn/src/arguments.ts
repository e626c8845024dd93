import { FpnnError } from "./errors.js";
import { FpnnErrorCode } from "./generated/error-codes.js";

/** Per-call options of quest(). */
export interface QuestOptions {
  /** Seconds; 0 or absent = the client's default (30 s unless configured). */
  timeout?: number;
  signal?: AbortSignal;
}

const methodCache = new Map<string, Buffer>();
const METHOD_CACHE_LIMIT = 1024;
const METHOD_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The method name as frame bytes; validated once per distinct name. */
export function methodBytesOf(method: string): Buffer {
  const cached = methodCache.get(method);
  if (cached !== undefined) return cached;
  if (typeof method !== "string" || !METHOD_PATTERN.test(method)) {
    throw argumentError(`method: must be 1 to 255 printable ASCII characters, got ${JSON.stringify(method)}`);
  }
  const bytes = Buffer.from(method, "latin1");
  if (methodCache.size >= METHOD_CACHE_LIMIT) methodCache.clear();
  methodCache.set(method, bytes);
  return bytes;
}

/** Seconds (0/absent = default) to milliseconds. */
export function timeoutMsOf(timeout: number | undefined, defaultMs: number, field = "options.timeout"): number {
  if (timeout === undefined || timeout === 0) return defaultMs;
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0) {
    throw argumentError(`${field}: must be a non-negative number of seconds, got ${String(timeout)}`);
  }
  return timeout * 1000;
}

/**
 * A `signal` option that is not an AbortSignal (a look-alike, a string, null): callers check
 * `signal instanceof AbortSignal` before encoding or sending, and reject with this.
 */
export function signalArgumentError(signal: unknown): FpnnError {
  const got = signal === null ? "null" : typeof signal === "object" ? (signal.constructor?.name ?? "an object") : typeof signal;
  return argumentError(`options.signal: expected an AbortSignal, got ${got}`);
}

/** A bad argument: rejected before anything reaches the wire. */
export function argumentError(message: string): FpnnError {
  return new FpnnError(FpnnErrorCode.CoreEncoding, message);
}
