import { randomBytes } from "node:crypto";

export interface ReplayGuardOptions {
  /** Most salts remembered per project; at it, new quests are refused until the oldest expire. */
  readonly maxSaltsPerProject: number;
  /** The ts window (the Authenticator's skew): a salt is kept until its ts is more than this many seconds behind the clock. */
  readonly windowSeconds: number;
}

/** A salt as the Authenticator passes it: a number when it is a safe integer (so 5 and 5n are one salt), else a bigint. */
export type SaltKey = number | bigint;

export function saltKey(salt: bigint | number): SaltKey {
  return typeof salt === "bigint" && salt >= Number.MIN_SAFE_INTEGER && salt <= Number.MAX_SAFE_INTEGER ? Number(salt) : salt;
}

/** What `remember` found: a new salt (now remembered), a replay, or a new salt that did not fit. */
export const Remembered = { New: 0, Replay: 1, Full: 2 } as const;
export type Remembered = (typeof Remembered)[keyof typeof Remembered];

/**
 * Remembers the salts of accepted quests for as long as their ts is inside the window, and never
 * forgets one earlier, so a replay inside the window is always found.
 *
 * A replay carries the same salt and the same ts (the sign covers both), so salts are kept in one
 * bucket per ts second, and a bucket goes as a whole once its ts has left the window: expiry costs
 * nothing per salt. Memory is bounded by `maxSaltsPerProject`: when a project has that many salts
 * in the window, its new quests are refused (`Remembered.Full`) until the oldest bucket expires,
 * rather than making room by forgetting salts that a replay could still use.
 */
export class ReplayGuard {
  readonly #max: number;
  readonly #window: number;
  readonly #projects = new Map<number, ProjectSalts>();

  constructor(options: ReplayGuardOptions) {
    if (!Number.isSafeInteger(options.maxSaltsPerProject) || options.maxSaltsPerProject < 1) {
      throw new RangeError(`maxSaltsPerProject must be a positive integer, got ${options.maxSaltsPerProject}`);
    }
    if (!Number.isSafeInteger(options.windowSeconds) || options.windowSeconds < 0) {
      throw new RangeError(`windowSeconds must be a non-negative integer, got ${options.windowSeconds}`);
    }
    this.#max = options.maxSaltsPerProject;
    this.#window = options.windowSeconds;
  }

  /** Records the salt of an accepted quest with ts `ts` (seconds), unless it is a replay or the project's memory is full. */
  remember(pid: number, salt: SaltKey, ts: number, nowSeconds: number): Remembered {
    let project = this.#projects.get(pid);
    if (project === undefined) {
      project = new ProjectSalts();
      this.#projects.set(pid, project);
    }
    project.expire(nowSeconds - this.#window);
    splitSalt(salt);
    let bucket = project.buckets.get(ts);
    if (bucket?.has(saltLo, saltHi)) return Remembered.Replay;
    if (project.size >= this.#max) return Remembered.Full;
    if (bucket === undefined) bucket = project.addBucket(ts);
    bucket.add(saltLo, saltHi);
    project.size++;
    return Remembered.New;
  }

  /** The first second at which some of the project's salts will have expired (its oldest ts left the window); undefined when it has none. */
  freesAt(pid: number): number | undefined {
    const oldest = this.#projects.get(pid)?.oldestTs;
    return oldest === undefined ? undefined : oldest + this.#window + 1;
  }

  /** Salts currently remembered, over all projects. */
  get size(): number {
    let total = 0;
    for (const project of this.#projects.values()) total += project.size;
    return total;
  }

  /** Bytes the salt tables of every project take now (their typed arrays). */
  get tableBytes(): number {
    let total = 0;
    for (const project of this.#projects.values()) for (const bucket of project.buckets.values()) total += bucket.bytes;
    return total;
  }
}

/** One project's buckets (ts second -> salts), with a min-heap of their ts to expire the oldest first. */
class ProjectSalts {
  readonly buckets = new Map<number, SaltTable>();
  readonly #heap: number[] = [];
  size = 0;

  get oldestTs(): number | undefined {
    return this.#heap[0];
  }

  addBucket(ts: number): SaltTable {
    const bucket = new SaltTable();
    this.buckets.set(ts, bucket);
    heapPush(this.#heap, ts);
    return bucket;
  }

  /** Drops every bucket whose ts is below `oldestKept`. */
  expire(oldestKept: number): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]! < oldestKept) {
      const ts = heapPop(heap);
      this.size -= this.buckets.get(ts)!.size;
      this.buckets.delete(ts);
    }
  }
}

/** The two 32-bit halves of the salt last passed to splitSalt (module state: no allocation per quest). */
let saltLo = 0;
let saltHi = 0;
const TWO_POW_32 = 2 ** 32;

function splitSalt(salt: SaltKey): void {
  if (typeof salt === "number") {
    saltLo = salt | 0; // ToInt32 is exact modulo 2^32 for any integral double
    saltHi = Math.floor(salt / TWO_POW_32) | 0;
  } else {
    saltLo = Number(BigInt.asIntN(32, salt));
    saltHi = Number(BigInt.asIntN(32, salt >> 32n));
  }
}

/** Per-process hash seed: clients choose salts, so slot positions must not be predictable. */
const SEED = randomBytes(4).readInt32LE(0);
const MAX_LOAD = 0.7;
const MIN_SLOTS = 8;

/**
 * A set of 64-bit salts: open addressing with linear probing over (lo, hi) int32 pairs in one typed
 * array, so a salt costs 8 bytes per slot (11-23 bytes per salt between growths) and nothing for the
 * garbage collector to trace. (0, 0) marks a free slot; salt 0 has its own flag.
 */
class SaltTable {
  #slots = new Int32Array(MIN_SLOTS * 2);
  #mask = MIN_SLOTS - 1;
  #hasZero = false;
  size = 0;

  get bytes(): number {
    return this.#slots.byteLength;
  }

  has(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) return this.#hasZero;
    const slots = this.#slots;
    for (let i = slotOf(lo, hi) & this.#mask; ; i = (i + 1) & this.#mask) {
      const l = slots[2 * i]!;
      const h = slots[2 * i + 1]!;
      if (l === lo && h === hi) return true;
      if (l === 0 && h === 0) return false;
    }
  }

  /** Adds a salt that `has` just said is absent. */
  add(lo: number, hi: number): void {
    this.size++;
    if (lo === 0 && hi === 0) {
      this.#hasZero = true;
      return;
    }
    if (this.size > (this.#mask + 1) * MAX_LOAD) this.#grow();
    this.#insert(this.#slots, this.#mask, lo, hi);
  }

  #insert(slots: Int32Array, mask: number, lo: number, hi: number): void {
    let i = slotOf(lo, hi) & mask;
    while (slots[2 * i] !== 0 || slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = lo;
    slots[2 * i + 1] = hi;
  }

  #grow(): void {
    const old = this.#slots;
    const slots = new Int32Array(old.length * 2);
    const mask = old.length - 1; // slot count doubles: old.length / 2 * 2 - 1
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.#insert(slots, mask, old[i]!, old[i + 1]!);
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

function slotOf(lo: number, hi: number): number {
  let h = Math.imul(lo ^ SEED, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

function heapPush(heap: number[], value: number): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const child = left + 1 < heap.length && heap[left + 1]! < heap[left]! ? left + 1 : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
