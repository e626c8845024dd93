import { FpnnBenchClient } from "./fpnn-client.js";
import { RawBenchClient } from "./raw-client.js";
import type { BenchClientFactory } from "./types.js";

/**
 * Every client the benchmark knows, by CLI name. The first one is the ceiling the others are
 * compared with. Add new clients (RTM SDK sendChat, encrypted variants) here.
 */
export const benchClients: BenchClientFactory[] = [
  { name: "raw", serverKind: "raw", create: () => new RawBenchClient() },
  { name: "fpnn", serverKind: "raw", create: () => new FpnnBenchClient() },
];
