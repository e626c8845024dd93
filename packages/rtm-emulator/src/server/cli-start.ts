import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Implementation } from "@rtmkit/protocol";
import type { EmulatorCliOptions } from "../cli.js";
import { startEmulator, type RunningEmulator } from "./start.js";

/** Starts the emulator from parsed command-line options (what `rtm-emulator` runs). */
export async function startFromCli(options: EmulatorCliOptions): Promise<RunningEmulator> {
  let key: Buffer | undefined;
  if (options.keyFile !== undefined) {
    try {
      key = readFileSync(options.keyFile);
    } catch (error) {
      throw new Error(`--key ${options.keyFile}: ${(error as Error).message}`, { cause: error });
    }
  }
  const handlers = (await Promise.all(options.handlerModules.map(loadHandlers))).flat();
  return startEmulator({
    handlers,
    fileGatePort: options.fileGatePort,
    maxFileBytes: options.maxFileBytes,
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
    pushTimeoutSeconds: options.pushTimeoutSeconds,
    maxUnansweredPushes: options.maxUnansweredPushes,
    pushPingSeconds: options.pushPingSeconds,
    console: options.console,
  });
}

/** The implementations a --handlers module exports by default: one `implement(...)` or an array of them. */
async function loadHandlers(path: string): Promise<Implementation[]> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  } catch (error) {
    throw new Error(`--handlers ${path}: ${(error as Error).message}`, { cause: error });
  }
  const exported = Array.isArray(module.default) ? (module.default as unknown[]) : [module.default];
  exported.forEach((item, i) => {
    const candidate = item as Partial<Implementation> | undefined;
    if (typeof candidate?.endpoints !== "object" || typeof candidate.handlers !== "object") {
      throw new Error(`--handlers ${path}: the default export${Array.isArray(module.default) ? `[${i}]` : ""} must be implement(endpoints, { ... }) (or an array of them)`);
    }
  });
  return exported as Implementation[];
}
