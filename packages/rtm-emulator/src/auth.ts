import { randomBytes } from "node:crypto";
import type { SignedAuth } from "@rtmkit/protocol";
import { Signer } from "@rtmkit/rtm-server-sdk";
import { Refusal, RtmErrorCode } from "./errors.js";
import { Remembered, ReplayGuard, saltKey } from "./replay-guard.js";

export interface AuthOptions {
  /** pid -> secret of every project the emulator serves. */
  readonly projects: ReadonlyMap<number, string>;
  /** Largest accepted |server time - ts| in seconds. Default 300. */
  readonly tsSkewSeconds?: number | undefined;
  /** Server clock in ms; injectable for tests. */
  readonly now?: (() => number) | undefined;
  /**
   * Most salts remembered per project (DEFAULT_MAX_SALTS_PER_PROJECT). A salt stays remembered while
   * its quest's ts is inside the skew window; when a project has this many, its new quests are
   * refused with 200010 until the oldest ts leaves the window. Replays are refused at any load.
   */
  readonly maxSaltsPerProject?: number | undefined;
}

export const DEFAULT_TS_SKEW_SECONDS = 300;
/**
 * A remembered salt costs 13 bytes at steady load and at most 23 (measured: 8-byte slots of a table
 * filled to between 35% and 70%), so 4M salts take at most about 92 MB per project: 100 s of a
 * sustained 40k quests/s, or 13k quests/s for the whole 300 s a salt is kept.
 */
export const DEFAULT_MAX_SALTS_PER_PROJECT = 4_000_000;

/**
 * Checks the RTM signature of a quest: unknown pid or wrong sign -> 200002 (one answer for both),
 * ts outside the skew window -> 200008, a salt already accepted within the window -> 200006. The keys
 * arrive typed: the generated contract refused a missing (200033) or wrongly typed one (200034) before.
 * Only quests that pass everything consume their salt.
 */
export class Authenticator {
  readonly #signers: ReadonlyMap<number, Signer>;
  readonly #skew: number;
  readonly #now: () => number;
  readonly #salts: ReplayGuard;
  readonly #maxSalts: number;
  /** Signs for unknown pids, so that they cost what a known pid's check costs. */
  readonly #decoy = new Signer(0, randomBytes(16).toString("hex"));

  constructor(options: AuthOptions) {
    this.#signers = new Map([...options.projects].map(([pid, secret]) => [pid, new Signer(pid, secret)]));
    this.#skew = options.tsSkewSeconds ?? DEFAULT_TS_SKEW_SECONDS;
    if (!Number.isSafeInteger(this.#skew) || this.#skew < 0) throw new RangeError(`tsSkewSeconds must be a non-negative integer, got ${this.#skew}`);
    this.#now = options.now ?? Date.now;
    this.#maxSalts = options.maxSaltsPerProject ?? DEFAULT_MAX_SALTS_PER_PROJECT;
    this.#salts = new ReplayGuard({ maxSaltsPerProject: this.#maxSalts, windowSeconds: this.#skew });
  }

  /** Verifies the quest of FPNN method `method`; returns its pid or throws Refusal. */
  verify(method: string, quest: SignedAuth): number {
    const { pid, sign, ts } = quest;
    const salt = saltKey(quest.salt);

    // An unknown pid gets the same answer as a wrong sign, after the same work, so that pids cannot be probed.
    const signer = this.#signers.get(pid);
    const matches = signMatches(sign, (signer ?? this.#decoy).sign(salt, method, ts));
    if (signer === undefined || !matches) throw new Refusal(RtmErrorCode.InvalidPidOrSign, "invalid pid or sign");
    const nowSeconds = Math.floor(this.#now() / 1000);
    if (Math.abs(nowSeconds - ts) > this.#skew) {
      throw new Refusal(RtmErrorCode.InvalidServerTime, `ts ${ts} is more than ${this.#skew} s away from server time ${nowSeconds}`);
    }
    const remembered = this.#salts.remember(pid, salt, ts, nowSeconds);
    if (remembered === Remembered.Replay) throw new Refusal(RtmErrorCode.SameSign, `salt ${salt} was already used`);
    if (remembered === Remembered.Full) throw this.#memoryFull(pid, nowSeconds);
    return pid;
  }

  #memoryFull(pid: number, nowSeconds: number): Refusal {
    const freesAt = this.#salts.freesAt(pid) ?? nowSeconds;
    return new Refusal(
      RtmErrorCode.FrequencyLimited,
      `replay memory is full: pid ${pid} has ${this.#maxSalts} salts inside the ${this.#skew} s ts window; ` +
        `it frees up in ${Math.max(freesAt - nowSeconds, 1)} s (${new Date(freesAt * 1000).toISOString()}), when the oldest ts leaves the window`,
    );
  }

  /** Salts remembered for replay protection (bounded). */
  get rememberedSalts(): number {
    return this.#salts.size;
  }
}

const lowerToUpper = 0x20;

/**
 * `given` equals the uppercase hex `expected`, ignoring the case of given's letters, in time that
 * does not depend on where they differ (and without allocating, on every quest).
 */
function signMatches(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < given.length; i++) {
    const c = given.charCodeAt(i);
    const upper = c >= 0x61 && c <= 0x7a ? c - lowerToUpper : c;
    difference |= upper ^ expected.charCodeAt(i);
  }
  return difference === 0;
}
