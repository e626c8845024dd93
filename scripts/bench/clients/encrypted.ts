import { BENCH_PUBLIC_KEY } from "../bench-key.js";
import { FpnnBenchClient } from "../fpnn-client.js";
import type { BenchClientFactory } from "../types.js";

/** FpnnClient over an encrypted connection, one entry per mode and key size, against the "raw-aes" server; costs are reported against plain FpnnClient. */
export const encryptedBenchClients: BenchClientFactory[] = ([128, 256] as const).flatMap((bits) =>
  [false, true].map((streamMode) => ({
    name: `fpnn-aes${bits}-${streamMode ? "stream" : "package"}`,
    serverKind: "raw-aes",
    baseline: "fpnn",
    create: () => new FpnnBenchClient({ publicKey: BENCH_PUBLIC_KEY, bits, streamMode }),
  })),
);
