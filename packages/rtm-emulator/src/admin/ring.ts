/** The last `capacity` items pushed, oldest overwritten first. */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** Up to `limit` items, newest first. */
  newest(limit: number = this.capacity): T[] {
    const count = Math.min(limit, this.#size);
    const out: T[] = [];
    for (let i = 1; i <= count; i++) out.push(this.#items[(this.#next - i + this.capacity) % this.capacity]!);
    return out;
  }
}
