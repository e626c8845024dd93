import { hash } from "node:crypto";

/**
 * The signed envelope of RTM quests: every quest of a signed service carries pid, sign, salt and ts.
 */

/**
 * The RTM request signature: uppercase hex MD5 of "<pid>:<secret>:<salt>:<method>:<ts>".
 * The FPNN method name is part of the signed text, so a sign is valid for one method only.
 * `salt` may be a bigint or a safe-integer number (same decimal digits).
 */
export function computeSign(pid: number, secret: string, salt: bigint | number, method: string, ts: number): string {
  return hash("md5", `${pid}:${secret}:${salt}:${method}:${ts}`).toUpperCase();
}

/** "000".."999": the last three digits of a salt. */
const threeDigits: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

/**
 * computeSign for one project: the "<pid>:<secret>:" prefix of the signed text is built once, and the
 * ":<method>:<ts>" suffix once per method and second.
 */
export class Signer {
  readonly #prefix: string;
  #method = "";
  #ts = NaN;
  #suffix = "";
  /** Salt / 1000 (floored) and its decimal text: salts taken close together (the SDK counts ids up by one) share them. */
  #saltHigh = -1;
  #saltHighText = "";

  constructor(pid: number, secret: string) {
    this.#prefix = `${pid}:${secret}:`;
  }

  sign(salt: bigint | number, method: string, ts: number): string {
    if (ts !== this.#ts || method !== this.#method) {
      this.#method = method;
      this.#ts = ts;
      this.#suffix = `:${method}:${ts}`;
    }
    return hash("md5", this.#prefix + this.#saltText(salt) + this.#suffix).toUpperCase();
  }

  /**
   * The decimal text of a salt, as String(salt) gives it. Number salts above 2^32 go through V8's
   * slow double-to-string path; here only salt / 1000 is converted, once per thousand consecutive salts.
   */
  #saltText(salt: bigint | number): string {
    if (typeof salt !== "number" || !Number.isSafeInteger(salt) || salt < 1000) return String(salt);
    const high = Math.floor(salt / 1000);
    if (high !== this.#saltHigh) {
      this.#saltHigh = high;
      this.#saltHighText = String(high);
    }
    return this.#saltHighText + threeDigits[salt - high * 1000]!;
  }
}

/** The auth keys of a signed quest, as a server reads them. */
export interface SignedAuth {
  pid: number;
  sign: string;
  salt: bigint;
  ts: number;
}

/**
 * The auth keys of a file-gate quest (a "fileToken" service), as a server reads them: the token `filetoken`
 * gave, and attrs, the JSON text that holds the file's sign (lowercase hex MD5 of "<md5 hex of the file>:<token>").
 * pid is absent when the peer is RTM's Node SDK, which does not send it.
 */
export interface FileTokenAuth {
  pid?: number;
  token: string;
  attrs: string;
}
