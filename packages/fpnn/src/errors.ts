import { FpnnErrorCode } from "./generated/error-codes.js";

const brand = Symbol.for("@rtmkit/fpnn/FpnnError");

export interface FpnnErrorOptions {
  raiser?: string;
  method?: string;
  cause?: unknown;
}

/**
 * Every failure of a quest: an error answer from the peer (its `code`, `ex` and `raiser`) or a
 * local one (timeout 20003, closed 20002, broken connection 20012, ...).
 */
export class FpnnError extends Error {
  override readonly name = "FpnnError";
  readonly code: number;
  readonly raiser: string | undefined;
  readonly method: string | undefined;

  constructor(code: number, message: string, options?: FpnnErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.raiser = options?.raiser;
    this.method = options?.method;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for the FPNN protocol and core codes (10001-10012, 20001-20015, 30001-30002), false for application codes. */
  get isCoreCode(): boolean {
    return isCoreCode(this.code);
  }

  /** The error answer payload an FPNN peer expects: `{code, ex, raiser?}`. */
  toPayload(): { code: number; ex: string; raiser?: string } {
    return this.raiser === undefined
      ? { code: this.code, ex: this.message }
      : { code: this.code, ex: this.message, raiser: this.raiser };
  }

  /** Same error with the method filled in (errors raised below the quest call do not know it). */
  withMethod(method: string): FpnnError {
    if (this.method === method) return this;
    return new FpnnError(this.code, this.message, { raiser: this.raiser, method, cause: this.cause });
  }

  /** Works across copies of this package loaded twice. */
  static is(value: unknown, code?: number): value is FpnnError {
    return typeof value === "object" && value !== null && brand in value && (code === undefined || (value as unknown as FpnnError).code === code);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return FpnnError.is(value);
  }

  /** Builds the error from an error answer payload, tolerating peers that leave fields out. */
  static fromAnswer(payload: Record<string, unknown>, method: string | undefined): FpnnError {
    const code = typeof payload.code === "number" ? payload.code : typeof payload.code === "bigint" ? Number(payload.code) : FpnnErrorCode.CoreUnknownError;
    const ex = typeof payload.ex === "string" ? payload.ex : `error answer without ex (code ${code})`;
    const raiser = typeof payload.raiser === "string" ? payload.raiser : undefined;
    return new FpnnError(code, ex, { raiser, method });
  }
}

const coreCodes = new Set<number>(Object.values(FpnnErrorCode));

export function isCoreCode(code: number): boolean {
  return coreCodes.has(code);
}

export { FpnnErrorCode };
