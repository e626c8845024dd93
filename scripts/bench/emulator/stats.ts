export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

/** Percentiles of latency samples in ms (sorts the array in place). */
export function percentiles(samples: number[]): Percentiles {
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: at(1), count: samples.length };
}
