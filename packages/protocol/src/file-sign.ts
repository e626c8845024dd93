import { hash } from "node:crypto";

/**
 * The sign of a file sent through the file gate: lowercase hex MD5 of "<lowercase hex MD5 of the file>:<token>",
 * where token is what `filetoken` gave. Lowercase, unlike the uppercase sign of signed quests (envelope.ts).
 */
export function fileSign(file: Uint8Array, token: string): string {
  return hash("md5", `${hash("md5", file)}:${token}`);
}
