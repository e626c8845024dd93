/**
 * Fault injection for users' resilience tests. Pure decisions: the server wiring asks
 * ConnectionFaults.onQuest() for each quest of a connection and carries the decision out.
 */
export interface FaultOptions {
  /** Delay before each answer, in ms: a fixed value or a [min, max] range drawn uniformly. */
  readonly latencyMs?: number | readonly [number, number] | undefined;
  /** Probability (0..1) that a quest is handled but its answer is never sent. */
  readonly dropProbability?: number | undefined;
  /** Drop the answer of every Nth quest of a connection (handled, never answered). */
  readonly dropEveryNth?: number | undefined;
  /** Close a connection right after its Nth quest has been answered (or dropped). */
  readonly closeAfterQuests?: number | undefined;
  /** Apply faults to these FPNN methods only. Default: every method except the built-ins (`*ping`, `*key`). */
  readonly methods?: readonly string[] | undefined;
  /** Source of randomness in [0, 1); injectable for reproducible tests. */
  readonly random?: (() => number) | undefined;
  /**
   * Send every server push (messages, pushevent) twice, the same payload with a new seq each, so a test can
   * show that its SDK drops the repeat (RTM's SDKs de-duplicate message pushes by sender, target and mid).
   */
  readonly duplicatePushes?: boolean | undefined;
}

export interface FaultDecision {
  /** Wait this long (ms) before answering. */
  readonly delayMs: number;
  /** Handle the quest (its writes happen) but send no answer. */
  readonly dropAnswer: boolean;
  /** Close the connection once this quest's answer has been sent or dropped. */
  readonly closeAfterAnswer: boolean;
}

export const NO_FAULT: FaultDecision = Object.freeze({ delayMs: 0, dropAnswer: false, closeAfterAnswer: false });

export class FaultInjector {
  readonly #latency: readonly [number, number] | undefined;
  readonly #dropProbability: number;
  readonly #dropEveryNth: number;
  readonly #closeAfter: number;
  readonly #methods: ReadonlySet<string> | undefined;
  readonly #random: () => number;

  constructor(options: FaultOptions = {}) {
    const latency = options.latencyMs;
    if (latency !== undefined) {
      const [min, max] = typeof latency === "number" ? [latency, latency] : latency;
      if (!isNonNegativeInt(min) || !isNonNegativeInt(max) || min > max) {
        throw new RangeError(`latencyMs must be a non-negative integer or a [min, max] range with min <= max, got ${String(latency)}`);
      }
      if (max > 0) this.#latency = [min, max];
    }
    const p = options.dropProbability ?? 0;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropProbability must be within 0..1, got ${p}`);
    this.#dropProbability = p;
    this.#dropEveryNth = positiveOrZero("dropEveryNth", options.dropEveryNth);
    this.#closeAfter = positiveOrZero("closeAfterQuests", options.closeAfterQuests);
    this.#methods = options.methods === undefined ? undefined : new Set(options.methods);
    this.#random = options.random ?? Math.random;
  }

  /** True when any fault is configured; the wiring can skip the per-quest call otherwise. */
  get enabled(): boolean {
    return this.#latency !== undefined || this.#dropProbability > 0 || this.#dropEveryNth > 0 || this.#closeAfter > 0;
  }

  /** Fault state of one new connection (its own quest counter). */
  connection(): ConnectionFaults {
    return new ConnectionFaults(this);
  }

  /** @internal Decision for the `index`-th (1-based) faulted quest of a connection. */
  decide(method: string, index: number): FaultDecision | undefined {
    if (this.#methods !== undefined ? !this.#methods.has(method) : method.startsWith("*")) return undefined;
    let delayMs = 0;
    if (this.#latency !== undefined) {
      const [min, max] = this.#latency;
      delayMs = min === max ? min : min + Math.floor(this.#random() * (max - min + 1));
    }
    const dropAnswer =
      (this.#dropEveryNth > 0 && index % this.#dropEveryNth === 0) || (this.#dropProbability > 0 && this.#random() < this.#dropProbability);
    const closeAfterAnswer = this.#closeAfter > 0 && index >= this.#closeAfter;
    if (delayMs === 0 && !dropAnswer && !closeAfterAnswer) return NO_FAULT;
    return { delayMs, dropAnswer, closeAfterAnswer };
  }
}

export class ConnectionFaults {
  readonly #injector: FaultInjector;
  #quests = 0;

  constructor(injector: FaultInjector) {
    this.#injector = injector;
  }

  /** Call once per incoming quest, in arrival order. Built-ins (or methods outside `methods`) are never faulted nor counted. */
  onQuest(method: string): FaultDecision {
    const decision = this.#injector.decide(method, this.#quests + 1);
    if (decision === undefined) return NO_FAULT;
    this.#quests++;
    return decision;
  }
}

function isNonNegativeInt(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function positiveOrZero(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!isNonNegativeInt(value)) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}
