/** Rates are taken over this many seconds: one bucket per second, so a counter holds this many buckets. */
export const RATE_WINDOW_SECONDS = 10;

/** A total and, per second of the last RATE_WINDOW_SECONDS, how many were added: what perSecond is taken from. */
export class RateCounter {
  total = 0;
  /** Which second (of the clock, floor(ms / 1000)) each bucket counts. */
  readonly #seconds = new Float64Array(RATE_WINDOW_SECONDS).fill(-Infinity);
  readonly #counts = new Float64Array(RATE_WINDOW_SECONDS);

  add(second: number): void {
    this.total++;
    const bucket = second % RATE_WINDOW_SECONDS;
    if (this.#seconds[bucket] !== second) {
      this.#seconds[bucket] = second;
      this.#counts[bucket] = 0;
    }
    this.#counts[bucket]!++;
  }

  /** The mean per second over the RATE_WINDOW_SECONDS seconds ending with `second` (the current one, partly over, included). */
  perSecond(second: number): number {
    let sum = 0;
    for (let bucket = 0; bucket < RATE_WINDOW_SECONDS; bucket++) {
      const at = this.#seconds[bucket]!;
      if (at <= second && at > second - RATE_WINDOW_SECONDS) sum += this.#counts[bucket]!;
    }
    return sum / RATE_WINDOW_SECONDS;
  }
}
