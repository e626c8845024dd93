import { hash } from "node:crypto";

/**
 * The RTM request signature: uppercase hex MD5 of "<pid>:<secret>:<salt>:<method>:<ts>".
 * The FPNN method name is part of the signed text, so a sign is valid for one method only.
 * `salt` may be a bigint or a safe-integer number (same decimal digits).
 */
export function computeSign(pid: number, secret: string, salt: bigint | number, method: string, ts: number): string {
  return hash("md5", `${pid}:${secret}:${salt}:${method}:${ts}`).toUpperCase();
}

/**
 * computeSign for one project: the "<pid>:<secret>:" prefix of the signed text is built once, and the
 * ":<method>:<ts>" suffix once per method and second.
 */
export class Signer {
  readonly #prefix: string;
  #method = "";
  #ts = NaN;
  #suffix = "";

  constructor(pid: number, secret: string) {
    this.#prefix = `${pid}:${secret}:`;
  }

  sign(salt: bigint | number, method: string, ts: number): string {
    if (ts !== this.#ts || method !== this.#method) {
      this.#method = method;
      this.#ts = ts;
      this.#suffix = `:${method}:${ts}`;
    }
    return hash("md5", this.#prefix + String(salt) + this.#suffix).toUpperCase();
  }
}
