import { readFileSync } from "node:fs";
import type { StartEmulator } from "../cli.js";
import { startEmulator } from "./start.js";

/** Starts the emulator from parsed command-line options (what `rtm-emulator` runs). */
export const startFromCli: StartEmulator = (options) => {
  let key: Buffer | undefined;
  if (options.keyFile !== undefined) {
    try {
      key = readFileSync(options.keyFile);
    } catch (error) {
      throw new Error(`--key ${options.keyFile}: ${(error as Error).message}`, { cause: error });
    }
  }
  return startEmulator({
    port: options.port,
    host: options.host,
    projects: options.projects,
    db: options.db,
    durability: options.durability,
    tsSkewSeconds: options.tsSkewSeconds,
    maxSaltsPerProject: options.maxSaltsPerProject,
    limits: options.limits,
    faults: options.faults,
    key: key === undefined ? undefined : { privateKey: key, curve: options.keyCurve },
    logLevel: options.logLevel,
    connectionLimits: { idleTimeoutMs: options.idleTimeoutSeconds * 1000, frameDeadlineMs: options.frameTimeoutSeconds * 1000 },
    maxConnections: options.maxConnections,
  });
};
