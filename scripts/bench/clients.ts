import { encryptedBenchClients } from "./clients/encrypted.js";
import { sdkBenchClients } from "./clients/sdk.js";
import { FpnnBenchClient } from "./fpnn-client.js";
import { RawBenchClient } from "./raw-client.js";
import type { BenchClientFactory } from "./types.js";

/**
 * Every client the benchmark knows, by CLI name. The first one is the ceiling the others are
 * compared with.
 */
export const benchClients: BenchClientFactory[] = [
  { name: "raw", serverKind: "raw", create: () => new RawBenchClient() },
  { name: "fpnn", serverKind: "raw", create: () => new FpnnBenchClient() },
  ...sdkBenchClients,
  ...encryptedBenchClients,
];
