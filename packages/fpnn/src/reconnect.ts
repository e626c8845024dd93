/**
 * The "regressive" reconnect strategy of the RTM SDKs (docs/protocol/fpnn-frame.md, "Reconnecting"):
 * retry at once up to `startConnectFailedCount` times, then wait `firstIntervalMs` growing linearly
 * over `linearRegressiveCount` steps up to `maxIntervalMs`. A connection that lived longer than
 * `connectFailedMaxIntervalMs` resets the count.
 */
export interface RegressiveStrategy {
  connectFailedMaxIntervalMs: number;
  startConnectFailedCount: number;
  firstIntervalMs: number;
  maxIntervalMs: number;
  linearRegressiveCount: number;
}

export const defaultRegressiveStrategy: Readonly<RegressiveStrategy> = Object.freeze({
  connectFailedMaxIntervalMs: 1500,
  startConnectFailedCount: 5,
  firstIntervalMs: 2000,
  maxIntervalMs: 120_000,
  linearRegressiveCount: 5,
});

export class RegressiveReconnect {
  readonly strategy: Readonly<RegressiveStrategy>;
  private failures = 0;

  constructor(strategy?: Partial<RegressiveStrategy>) {
    const merged = { ...defaultRegressiveStrategy, ...strategy };
    for (const [key, value] of Object.entries(merged)) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`regressiveStrategy.${key}: must be a non-negative number, got ${String(value)}`);
      }
    }
    if (merged.linearRegressiveCount < 1) throw new RangeError("regressiveStrategy.linearRegressiveCount: must be at least 1");
    this.strategy = Object.freeze(merged);
  }

  /** Retries counted since the last healthy connection. */
  get failureCount(): number {
    return this.failures;
  }

  /** A connection closed after living `lifetimeMs`: the delay before the next attempt. */
  afterClose(lifetimeMs: number): number {
    if (lifetimeMs > this.strategy.connectFailedMaxIntervalMs) {
      this.failures = 0;
    }
    return this.afterFailure();
  }

  /** A connection attempt failed (or the connection died young): the delay before the next attempt. */
  afterFailure(): number {
    const s = this.strategy;
    const failures = this.failures++;
    if (failures < s.startConnectFailedCount) return 0;
    const step = Math.min(failures - s.startConnectFailedCount, s.linearRegressiveCount);
    return Math.min(s.maxIntervalMs, s.firstIntervalMs + ((s.maxIntervalMs - s.firstIntervalMs) * step) / s.linearRegressiveCount);
  }

  reset(): void {
    this.failures = 0;
  }
}
