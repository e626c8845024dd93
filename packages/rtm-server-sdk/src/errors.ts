import { FpnnError, FpnnErrorCode, isCoreCode } from "@rtmkit/fpnn";
import { RtmErrorCode } from "./generated/error-codes.js";

const brand = Symbol.for("@rtmkit/rtm-server-sdk/RTMError");

export interface RTMErrorOptions {
  raiser?: string | undefined;
  method?: string | undefined;
  cause?: unknown;
}

/**
 * Every failure of an RTM call: an error answer of the server (its `code`, `ex` as message, `raiser`),
 * a failure of the connection (FPNN core codes: 20003 timeout, 20002 closed, 20012 cannot connect or
 * broken, ...), or a bad argument caught before sending (200034 INVALID_PARAMETER, the message names the
 * parameter).
 *
 * `cause` is what the failure came from: the FpnnError's own cause when it has one (the OS error of a
 * connection that could not be made or broke: `cause.code === "ECONNREFUSED"`, `"ENOTFOUND"`, ...),
 * otherwise the FpnnError the quest failed with.
 */
export class RTMError extends Error {
  override readonly name = "RTMError";
  readonly code: number;
  readonly raiser: string | undefined;
  /** The SDK method (sendChat) that failed. */
  readonly method: string | undefined;

  constructor(code: number, message: string, options?: RTMErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.raiser = options?.raiser;
    this.method = options?.method;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for FPNN protocol/core codes (timeout, closed connection, ...), false for RTM service codes. */
  get isFpnnCode(): boolean {
    return isCoreCode(this.code);
  }

  /** Works across copies of this package loaded twice. */
  static is(value: unknown, code?: number): value is RTMError {
    return typeof value === "object" && value !== null && brand in value && (code === undefined || (value as unknown as RTMError).code === code);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return RTMError.is(value);
  }

  /** Maps whatever a quest rejected with to an RTMError of the given SDK method. */
  static from(error: unknown, method: string): RTMError {
    if (RTMError.is(error)) return error.method === method ? error : new RTMError(error.code, error.message, { raiser: error.raiser, method, cause: error.cause });
    // The FpnnError's own cause (an OS error) says more than the FpnnError, whose code and message the RTMError carries.
    if (FpnnError.is(error)) return new RTMError(error.code, error.message, { raiser: error.raiser, method, cause: error.cause ?? error });
    if (error instanceof Error && error.name === "AbortError") return new RTMError(FpnnErrorCode.CoreCancelled, error.message, { method, cause: error });
    const message = error instanceof Error ? error.message : String(error);
    return new RTMError(FpnnErrorCode.CoreUnknownError, message, { method, cause: error });
  }
}

/** A bad argument, rejected before anything is sent. */
export function invalidArgument(method: string, param: string, message: string): RTMError {
  return new RTMError(RtmErrorCode.InvalidParameter, `${method}: ${param}: ${message}`, { method });
}
