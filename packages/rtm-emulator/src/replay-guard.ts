export interface ReplayGuardOptions {
  /** Most salts remembered per project; past it the oldest are forgotten first. */
  readonly maxSaltsPerProject: number;
}

/**
 * Remembers the salts of accepted quests until their ts leaves the skew window (after which the ts
 * check refuses a replay anyway), with a hard cap per project so memory stays bounded under any load.
 * Over the cap, replay protection covers the most recent `maxSaltsPerProject` quests of the window.
 */
export class ReplayGuard {
  readonly #max: number;
  /** pid -> salt -> second after which the salt can be forgotten; insertion order is arrival order. */
  readonly #projects = new Map<number, Map<bigint, number>>();

  constructor(options: ReplayGuardOptions) {
    if (!Number.isSafeInteger(options.maxSaltsPerProject) || options.maxSaltsPerProject < 1) {
      throw new RangeError(`maxSaltsPerProject must be a positive integer, got ${options.maxSaltsPerProject}`);
    }
    this.#max = options.maxSaltsPerProject;
  }

  /** Records the salt; false when it was seen already and has not expired. */
  remember(pid: number, salt: bigint, expiresAtSeconds: number, nowSeconds: number): boolean {
    let salts = this.#projects.get(pid);
    if (salts === undefined) {
      salts = new Map();
      this.#projects.set(pid, salts);
    }
    const expiry = salts.get(salt);
    if (expiry !== undefined && expiry >= nowSeconds) return false;
    if (expiry !== undefined) salts.delete(salt); // re-insert at the back, in arrival order
    for (const [oldSalt, oldExpiry] of salts) {
      if (oldExpiry >= nowSeconds && salts.size < this.#max) break;
      salts.delete(oldSalt);
    }
    salts.set(salt, expiresAtSeconds);
    return true;
  }

  /** Salts currently remembered, over all projects. */
  get size(): number {
    let total = 0;
    for (const salts of this.#projects.values()) total += salts.size;
    return total;
  }
}
