/**
 * seq -> entry for sequence numbers handed out one after another: a power-of-two ring indexed by
 * the low bits of the seq, so add and take are an array store and load (a Map with constant
 * set/delete churn keeps rehashing its table, and those tables end up in the old generation).
 * The ring grows with the number of entries, never with the spread of their seqs: an entry whose
 * slot is needed by a newer seq while it still waits (a slow quest among many fast ones) moves to
 * a small overflow map.
 */
export interface Sequenced {
  readonly seq: number;
}

const INITIAL_SIZE = 64;

export class SeqIndex<T extends Sequenced> {
  private ring: (T | undefined)[] = new Array<T | undefined>(INITIAL_SIZE).fill(undefined);
  private mask = INITIAL_SIZE - 1;
  private readonly overflow = new Map<number, T>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The seq must not be in the index already. */
  add(entry: T): void {
    if (this.count >= this.ring.length >>> 1) this.grow();
    const at = entry.seq & this.mask;
    const holder = this.ring[at];
    if (holder !== undefined) this.overflow.set(holder.seq, holder);
    this.ring[at] = entry;
    this.count++;
  }

  get(seq: number): T | undefined {
    const entry = this.ring[seq & this.mask];
    if (entry !== undefined && entry.seq === seq) return entry;
    return this.overflow.size === 0 ? undefined : this.overflow.get(seq);
  }

  /** Removes and returns the entry with this seq. */
  take(seq: number): T | undefined {
    const at = seq & this.mask;
    const entry = this.ring[at];
    if (entry !== undefined && entry.seq === seq) {
      this.ring[at] = undefined;
      this.count--;
      return entry;
    }
    if (this.overflow.size === 0) return undefined;
    const moved = this.overflow.get(seq);
    if (moved !== undefined) {
      this.overflow.delete(seq);
      this.count--;
    }
    return moved;
  }

  /** Every entry, in no particular order. */
  entries(): T[] {
    const all: T[] = [];
    for (const entry of this.ring) if (entry !== undefined) all.push(entry);
    for (const entry of this.overflow.values()) all.push(entry);
    return all;
  }

  clear(): void {
    if (this.count > 0) this.ring.fill(undefined);
    this.overflow.clear();
    this.count = 0;
  }

  /** Doubles the ring: entries in distinct slots stay in distinct slots, so nothing collides. */
  private grow(): void {
    const old = this.ring;
    this.ring = new Array<T | undefined>(old.length * 2).fill(undefined);
    this.mask = this.ring.length - 1;
    for (const entry of old) if (entry !== undefined) this.ring[entry.seq & this.mask] = entry;
  }
}
