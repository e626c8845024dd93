/**
 * What one connection may cost: how much output may wait for a peer, how long a peer may stay silent or
 * take to finish a frame, and how complex one payload may be. A peer past a limit is slowed down (it
 * is no longer read from) or disconnected; it never costs the process more than these bounds.
 */
export interface ConnectionLimits {
  /**
   * Bytes of output (answers and quests staged plus those the socket still holds) above which a server
   * stops reading that connection until the peer has taken its output below it again (1 MiB). A client
   * never stops reading: its own quests are bounded by `maxOutputBytes` instead.
   */
  outputHighWaterMark: number;
  /**
   * Output above which the connection is closed, or for a client's own quest, the quest is refused with
   * 20011 and nothing is sent (32 MiB).
   */
  maxOutputBytes: number;
  /**
   * Milliseconds without receiving a byte, and without the peer taking any of the output waiting for it,
   * after which the connection is closed; 0 = never. Servers: 60000, as FPNN servers; clients: 0 (their
   * keep-alive `*ping` detects a dead server).
   */
  idleTimeoutMs: number;
  /** Milliseconds a frame may take from its first byte to its last before the connection is closed; 0 = no deadline (30000). */
  frameDeadlineMs: number;
  /** Peer quests handled at once (async handlers) above which a server stops reading that connection (4096). */
  maxConcurrentQuests: number;
  /**
   * Most map entries plus array elements one payload may hold, counted before it is decoded, so one frame
   * cannot stall the process while it is decoded (65536). A quest over it is answered 20006; an answer
   * over it fails its quest with 20006.
   */
  maxPayloadEntries: number;
  /** Deepest nesting of maps and arrays in one payload (32). */
  maxPayloadDepth: number;
}

export type Role = "server" | "client";

const KIB = 1024;
const MIB = 1024 * KIB;

const DEFAULTS: Readonly<ConnectionLimits> = {
  outputHighWaterMark: 1 * MIB,
  maxOutputBytes: 32 * MIB,
  idleTimeoutMs: 60_000,
  frameDeadlineMs: 30_000,
  maxConcurrentQuests: 4096,
  maxPayloadEntries: 64 * KIB,
  maxPayloadDepth: 32,
};

/** The defaults of a side, with `overrides` applied and checked. */
export function resolveConnectionLimits(overrides: Partial<ConnectionLimits> | undefined, role: Role, field = "options.limits"): Readonly<ConnectionLimits> {
  if (overrides !== undefined && (typeof overrides !== "object" || overrides === null)) throw new TypeError(`${field}: expected an object`);
  const limits: ConnectionLimits = { ...DEFAULTS, idleTimeoutMs: role === "server" ? DEFAULTS.idleTimeoutMs : 0 };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in DEFAULTS)) throw new TypeError(`${field}.${key}: unknown limit (known: ${Object.keys(DEFAULTS).join(", ")})`);
    if (value === undefined) continue;
    const zeroAllowed = key === "idleTimeoutMs" || key === "frameDeadlineMs";
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < (zeroAllowed ? 0 : 1)) {
      throw new TypeError(`${field}.${key}: expected ${zeroAllowed ? "a non-negative" : "a positive"} integer, got ${String(value)}`);
    }
    limits[key as keyof ConnectionLimits] = value;
  }
  if (limits.maxOutputBytes <= limits.outputHighWaterMark) {
    throw new TypeError(`${field}.maxOutputBytes: must be above outputHighWaterMark (${limits.outputHighWaterMark}), got ${limits.maxOutputBytes}`);
  }
  return Object.freeze(limits);
}

/**
 * Bytes held in partly received frames over all connections of a server. Each connection may hold up to
 * one maximum frame; past `limit` in total, a connection that holds at least `dropFrom` bytes is dropped,
 * so slow senders of big frames cannot add up to more memory than the limit.
 */
export class InputBudget {
  used = 0;
  /** One in-flight big frame is never a reason to drop: only connections holding this much count as culprits. */
  readonly dropFrom: number;

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`options.maxBufferedInputBytes: expected a positive integer, got ${String(limit)}`);
    this.dropFrom = Math.min(1024 * 1024, limit);
  }
}
