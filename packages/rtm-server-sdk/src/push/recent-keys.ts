/**
 * The keys seen in the last `ttlMs`, at most `capacity` of them: a Map kept in insertion order, so the oldest
 * entries are at its head and leave first, whether they expire or are pushed out by newer ones.
 */
export class RecentKeys {
  readonly #seenAt = new Map<string, number>();
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(capacity: number, ttlMs: number, now: () => number = performance.now.bind(performance)) {
    this.#capacity = capacity;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** Records `key`; true when it was already seen within the TTL (a duplicate). */
  seen(key: string): boolean {
    const now = this.#now();
    this.#forgetBefore(now - this.#ttlMs);
    if (this.#seenAt.has(key)) return true;
    if (this.#seenAt.size >= this.#capacity) this.#seenAt.delete(this.#seenAt.keys().next().value!);
    this.#seenAt.set(key, now);
    return false;
  }

  get size(): number {
    return this.#seenAt.size;
  }

  #forgetBefore(limit: number): void {
    for (const [key, at] of this.#seenAt) {
      if (at > limit) return;
      this.#seenAt.delete(key);
    }
  }
}
