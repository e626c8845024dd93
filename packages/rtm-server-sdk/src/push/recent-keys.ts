/**
 * The keys seen in the last `ttlMs`, at most `capacity` of them. A ring holds them in arrival order, so the
 * oldest leaves first, whether it expired or a newer key needs its place: O(1) per key, nothing allocated.
 */
export class RecentKeys {
  readonly #members = new Set<string>();
  readonly #ring: (string | undefined)[];
  readonly #seenAt: Float64Array;
  /** Slot of the oldest key. */
  #head = 0;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(capacity: number, ttlMs: number, now: () => number = performance.now.bind(performance)) {
    this.#ring = new Array<string | undefined>(capacity).fill(undefined);
    this.#seenAt = new Float64Array(capacity);
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** Records `key`; true when it was already seen within the TTL (a duplicate). */
  seen(key: string): boolean {
    const now = this.#now();
    this.#forgetBefore(now - this.#ttlMs);
    if (this.#members.has(key)) return true;
    const capacity = this.#ring.length;
    if (this.#members.size === capacity) this.#forgetOldest();
    const slot = (this.#head + this.#members.size) % capacity;
    this.#ring[slot] = key;
    this.#seenAt[slot] = now;
    this.#members.add(key);
    return false;
  }

  get size(): number {
    return this.#members.size;
  }

  #forgetBefore(limit: number): void {
    while (this.#members.size > 0 && this.#seenAt[this.#head]! <= limit) this.#forgetOldest();
  }

  #forgetOldest(): void {
    this.#members.delete(this.#ring[this.#head]!);
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#ring.length;
  }
}
