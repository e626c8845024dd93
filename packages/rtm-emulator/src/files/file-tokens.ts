import { randomBytes } from "node:crypto";
import { Refusal, RtmErrorCode } from "../errors.js";
import type { FileCommand } from "./file-commands.js";

/** What a file token allows: one send of `command` by `from` to `target` (see targetOf) in project `pid`. */
export interface FileTokenGrant {
  readonly pid: number;
  readonly from: bigint;
  readonly command: FileCommand;
  readonly target: string;
}

/** What a gate quest claims; pid is absent when the peer is RTM's Node SDK, which does not send it. */
export interface FileTokenClaim {
  readonly pid?: number | undefined;
  readonly from: bigint;
  readonly command: FileCommand;
  readonly target: string;
}

interface Issued extends FileTokenGrant {
  readonly token: string;
  readonly expiresAt: number;
}

export interface FileTokensOptions {
  /** How long a token stays valid, ms (300 s). */
  readonly ttlMs?: number;
  /** Tokens held per project; issuing one more drops the oldest (10,000). */
  readonly maxPerProject?: number;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
}

export const DEFAULT_FILE_TOKEN_TTL_MS = 300_000;
export const DEFAULT_FILE_TOKENS_PER_PROJECT = 10_000;

/**
 * The file tokens filetoken issued and the gate has not seen yet, in memory. Each is 128 random bits,
 * bound to one send (pid, from, method, target) and valid for ttlMs; the first gate quest presenting it
 * with that binding uses it up, whether the send is then accepted or refused. Each project holds at most
 * maxPerProject tokens, so the memory is bounded; the oldest go first.
 */
export class FileTokens {
  readonly #ttlMs: number;
  readonly #maxPerProject: number;
  readonly #now: () => number;
  /** Per project, in issue order, which is also expiry order (one ttl for all). */
  readonly #byProject = new Map<number, Map<string, Issued>>();
  readonly #projectOf = new Map<string, number>();

  constructor(options: FileTokensOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_FILE_TOKEN_TTL_MS;
    this.#maxPerProject = options.maxPerProject ?? DEFAULT_FILE_TOKENS_PER_PROJECT;
    this.#now = options.now ?? Date.now;
    if (!Number.isSafeInteger(this.#maxPerProject) || this.#maxPerProject < 1) throw new RangeError(`maxPerProject must be a positive integer, got ${this.#maxPerProject}`);
  }

  issue(grant: FileTokenGrant): string {
    const now = this.#now();
    const held = this.#byProject.get(grant.pid);
    for (const issued of held?.values() ?? []) {
      if (issued.expiresAt > now && held!.size < this.#maxPerProject) break;
      this.#forget(issued);
    }
    let tokens = this.#byProject.get(grant.pid);
    if (tokens === undefined) {
      tokens = new Map();
      this.#byProject.set(grant.pid, tokens);
    }
    const token = randomBytes(16).toString("hex");
    tokens.set(token, { ...grant, token, expiresAt: now + this.#ttlMs });
    this.#projectOf.set(token, grant.pid);
    return token;
  }

  /**
   * Uses up the token for the send `claim` describes and answers its project; a token that is unknown,
   * expired, used or bound to another send is refused (InvalidFileOrSignOrToken) and left as it is.
   */
  use(token: string, claim: FileTokenClaim): number {
    const pid = this.#projectOf.get(token);
    const issued = pid === undefined ? undefined : this.#byProject.get(pid)?.get(token);
    if (issued === undefined) throw refused("unknown or used token");
    if (issued.expiresAt <= this.#now()) {
      this.#forget(issued);
      throw refused("the token has expired");
    }
    if (claim.pid !== undefined && claim.pid !== issued.pid) throw refused("the token is for another project");
    if (claim.from !== issued.from) throw refused(`the token is for a send from ${issued.from}`);
    if (claim.command !== issued.command) throw refused(`the token is for ${issued.command}`);
    if (claim.target !== issued.target) throw refused("the token is for another target");
    this.#forget(issued);
    return issued.pid;
  }

  /** Tokens held (for tests and metrics). */
  get size(): number {
    return this.#projectOf.size;
  }

  #forget(issued: Issued): void {
    this.#projectOf.delete(issued.token);
    const tokens = this.#byProject.get(issued.pid);
    tokens?.delete(issued.token);
    if (tokens?.size === 0) this.#byProject.delete(issued.pid);
  }
}

function refused(why: string): Refusal {
  return new Refusal(RtmErrorCode.InvalidFileOrSignOrToken, `invalid file token: ${why}`);
}
