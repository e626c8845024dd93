import { cpuMs, rssKiB } from "./procfs.js";

/** One sample a second of a process's RSS (KiB) and CPU time (ms), by second since the start. */
export class ProcessSampler {
  readonly #pid: number;
  readonly #started: number;
  readonly #timer: NodeJS.Timeout;
  /** RSS in KiB, one per second; bounded by the run length (8 bytes a second). */
  readonly rss: number[] = [];
  readonly cpuAtStart: number;
  /** CPU time at the last sample that found the process. */
  #cpu: number;

  constructor(pid: number) {
    this.#pid = pid;
    this.#started = performance.now();
    this.cpuAtStart = cpuMs(pid) ?? 0;
    this.#cpu = this.cpuAtStart;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 1000);
  }

  #sample(): void {
    const kib = rssKiB(this.#pid);
    if (kib !== undefined) this.rss.push(kib);
    this.#cpu = cpuMs(this.#pid) ?? this.#cpu;
  }

  /** The latest RSS sample, KiB. */
  get latest(): number {
    return this.rss.at(-1) ?? Number.NaN;
  }

  /** CPU time used since the sampler started, ms (up to the last sample, once the process has gone). */
  cpuSinceStart(): number {
    this.#cpu = cpuMs(this.#pid) ?? this.#cpu;
    return this.#cpu - this.cpuAtStart;
  }

  get elapsedMs(): number {
    return performance.now() - this.#started;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export interface RssSummary {
  /** Max RSS of each minute, MiB (a last part-minute of under 30 s counts into the minute before). */
  readonly perMinuteMax: readonly number[];
  /** Min and max after the first minute (warm-up), MiB; undefined for runs of a minute or less. */
  readonly afterWarmUp: { min: number; max: number } | undefined;
  /** Max of the last minute minus max of minute 2, MiB; undefined for runs shorter than 3 minutes. */
  readonly growth: number | undefined;
}

export function summariseRss(kib: readonly number[]): RssSummary {
  const minutes: number[][] = [];
  for (let at = 0; at < kib.length; at += 60) minutes.push(kib.slice(at, at + 60).map((k) => k / 1024));
  if (minutes.length > 1 && minutes.at(-1)!.length < 30) minutes.at(-2)!.push(...minutes.pop()!);
  const perMinuteMax = minutes.map(maxOf);
  const rest = minutes.slice(1).flat();
  const afterWarmUp = rest.length === 0 ? undefined : { min: minOf(rest), max: maxOf(rest) };
  const growth = perMinuteMax.length >= 3 ? perMinuteMax.at(-1)! - perMinuteMax[1]! : undefined;
  return { perMinuteMax, afterWarmUp, growth };
}

function maxOf(values: readonly number[]): number {
  return values.reduce((a, b) => (b > a ? b : a), -Infinity);
}

function minOf(values: readonly number[]): number {
  return values.reduce((a, b) => (b < a ? b : a), Infinity);
}
