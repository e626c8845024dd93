import { hash } from "node:crypto";

/**
 * The RTM request signature: uppercase hex MD5 of "<pid>:<secret>:<salt>:<method>:<ts>".
 * The FPNN method name is part of the signed text, so a sign is valid for one method only.
 * `salt` may be a bigint or a safe-integer number (same decimal digits).
 */
export function computeSign(pid: number, secret: string, salt: bigint | number, method: string, ts: number): string {
  return hash("md5", `${pid}:${secret}:${salt}:${method}:${ts}`).toUpperCase();
}
