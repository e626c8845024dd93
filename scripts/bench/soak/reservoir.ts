import { percentiles, type Percentiles } from "../emulator/stats.js";

/**
 * Latencies of one call kind over a long run in bounded memory: a uniform sample of at most `capacity`
 * values (reservoir sampling) for the percentiles, with the count and the maximum kept exactly.
 */
export class LatencyReservoir {
  readonly #capacity: number;
  readonly #samples: number[] = [];
  #count = 0;
  #max = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get count(): number {
    return this.#count;
  }

  add(ms: number): void {
    this.#count++;
    if (ms > this.#max) this.#max = ms;
    if (this.#samples.length < this.#capacity) {
      this.#samples.push(ms);
      return;
    }
    const slot = Math.floor(Math.random() * this.#count);
    if (slot < this.#capacity) this.#samples[slot] = ms;
  }

  /** p50 and p99 of the sample; max and count of every value added. */
  percentiles(): Percentiles {
    const sampled = percentiles(this.#samples.slice());
    return { p50: sampled.p50, p99: sampled.p99, max: this.#count === 0 ? Number.NaN : this.#max, count: this.#count };
  }
}
