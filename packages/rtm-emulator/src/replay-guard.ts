export interface ReplayGuardOptions {
  /** Most salts remembered per project; past it the oldest are forgotten first. */
  readonly maxSaltsPerProject: number;
}

/** A salt as a Map key: a number when it is a safe integer (so 5 and 5n are one salt), else a bigint. */
export type SaltKey = number | bigint;

export function saltKey(salt: bigint | number): SaltKey {
  return typeof salt === "bigint" && salt >= Number.MIN_SAFE_INTEGER && salt <= Number.MAX_SAFE_INTEGER ? Number(salt) : salt;
}

/**
 * Remembers the salts of accepted quests until their ts leaves the skew window (after which the ts
 * check refuses a replay anyway), with a hard cap per project so memory stays bounded under any load.
 * Over the cap, replay protection covers the most recent `maxSaltsPerProject` quests of the window.
 */
export class ReplayGuard {
  readonly #max: number;
  readonly #projects = new Map<number, ProjectSalts>();

  constructor(options: ReplayGuardOptions) {
    if (!Number.isSafeInteger(options.maxSaltsPerProject) || options.maxSaltsPerProject < 1) {
      throw new RangeError(`maxSaltsPerProject must be a positive integer, got ${options.maxSaltsPerProject}`);
    }
    this.#max = options.maxSaltsPerProject;
  }

  /** Records the salt; false when it was seen already and has not expired. */
  remember(pid: number, salt: SaltKey, expiresAtSeconds: number, nowSeconds: number): boolean {
    let salts = this.#projects.get(pid);
    if (salts === undefined) {
      salts = new ProjectSalts();
      this.#projects.set(pid, salts);
    }
    const expiry = salts.expiries.get(salt);
    if (expiry !== undefined && expiry >= nowSeconds) return false;
    salts.forgetOldest(this.#max - 1, nowSeconds);
    salts.add(salt, expiresAtSeconds);
    return true;
  }

  /** Salts currently remembered, over all projects. */
  get size(): number {
    let total = 0;
    for (const salts of this.#projects.values()) total += salts.expiries.size;
    return total;
  }
}

/**
 * One project's salts: a map for lookups and a queue in arrival order for forgetting. (Forgetting by
 * iterating the Map from its start is O(deleted entries) per call in V8 until the table is rehashed:
 * at the cap that made every quest cost tens of microseconds.)
 */
class ProjectSalts {
  readonly expiries = new Map<SaltKey, number>();
  #queue: SaltKey[] = [];
  #queueExpiries: number[] = [];
  #head = 0;

  add(salt: SaltKey, expiry: number): void {
    this.expiries.set(salt, expiry);
    this.#queue.push(salt);
    this.#queueExpiries.push(expiry);
  }

  /** Forgets salts from the oldest on while they have expired or more than `keep` are queued. */
  forgetOldest(keep: number, nowSeconds: number): void {
    const queue = this.#queue;
    let head = this.#head;
    while (head < queue.length && (this.#queueExpiries[head]! < nowSeconds || queue.length - head > keep)) {
      const salt = queue[head]!;
      // A salt accepted again after it expired has a newer entry; the old queue slot must not remove it.
      if (this.expiries.get(salt) === this.#queueExpiries[head]) this.expiries.delete(salt);
      head++;
    }
    if (head > 1024 && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
      this.#queueExpiries = this.#queueExpiries.slice(head);
      head = 0;
    }
    this.#head = head;
  }
}
