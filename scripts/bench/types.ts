/** One client under test. call() sends one quest and settles with its answer. */
export interface BenchClient {
  name: string;
  open(endpoint: string): Promise<void>;
  call(): Promise<unknown>;
  close(): Promise<void>;
}

/** Builds a fresh client; `serverKind` says which answer server the client needs (see answer-server.ts). */
export interface BenchClientFactory {
  name: string;
  /** The answer server kind it talks to; clients needing the same kind share one server process. */
  serverKind: string;
  /** The CLI name of the client this one's cost is reported against (the encrypted modes: plain "fpnn"). */
  baseline?: string;
  create(): BenchClient;
}

export interface BenchResult {
  client: string;
  inFlight: number;
  quests: number;
  seconds: number;
  questsPerSecond: number;
  p50Us: number;
  p99Us: number;
  cpuMsPer1000: number;
  serverCpuMsPer1000: number;
  peakRssMb: number;
}
