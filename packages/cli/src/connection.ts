import { readFileSync } from "node:fs";
import { curveNames, type ClientEncryptionOptions, type CurveName, type FpnnClientOptions } from "@rtmkit/fpnn";
import { UsageError } from "./usage.js";

/** The connection flags as commander gives them (all optional: the environment may fill in). */
export interface ConnectionFlags {
  endpoint?: string;
  pid?: string;
  secret?: string;
  timeout?: string;
  key?: string;
  curve?: string;
  bits?: string;
  stream?: boolean;
}

export const ENV = { endpoint: "RTM_ENDPOINT", pid: "RTM_PID", secret: "RTM_SECRET" } as const;

export interface ConnectionSettings {
  readonly pid: number;
  readonly secret: string;
  readonly fpnn: FpnnClientOptions;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Flags first, then RTM_ENDPOINT, RTM_PID, RTM_SECRET. Throws UsageError naming the flag. */
export function connectionSettings(flags: ConnectionFlags, env: Env, readFile: (path: string) => Uint8Array = readFileSync): ConnectionSettings {
  const endpoint = flags.endpoint ?? env[ENV.endpoint];
  const pidText = flags.pid ?? env[ENV.pid];
  const secret = flags.secret ?? env[ENV.secret];
  if (endpoint === undefined || endpoint === "") throw new UsageError(`no endpoint: give --endpoint HOST:PORT or set ${ENV.endpoint}`);
  if (pidText === undefined) throw new UsageError(`no project id: give --pid PID or set ${ENV.pid}`);
  if (secret === undefined || secret === "") throw new UsageError(`no project secret: set ${ENV.secret} or give --secret SECRET`);
  const pid = /^\d+$/.test(pidText.trim()) ? Number(pidText) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid < 1 || pid > 0x7fffffff) throw new UsageError(`--pid / ${ENV.pid}: ${JSON.stringify(pidText)} is not a project id (an integer in 1..2147483647)`);
  const fpnn: FpnnClientOptions = { endpoint, autoReconnect: false, keepAlive: false };
  if (flags.timeout !== undefined) {
    const seconds = Number(flags.timeout);
    if (flags.timeout.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout: ${JSON.stringify(flags.timeout)} is not a number of seconds above 0`);
    fpnn.timeout = seconds;
    fpnn.connectTimeout = seconds;
  }
  const encryption = encryptionOf(flags, readFile);
  if (encryption !== undefined) fpnn.encryption = encryption;
  return { pid, secret, fpnn };
}

function encryptionOf(flags: ConnectionFlags, readFile: (path: string) => Uint8Array): ClientEncryptionOptions | undefined {
  if (flags.key === undefined) {
    const stray = flags.curve !== undefined ? "--curve" : flags.bits !== undefined ? "--bits" : flags.stream === true ? "--stream" : undefined;
    if (stray !== undefined) throw new UsageError(`${stray} needs --key <file>`);
    return undefined;
  }
  let publicKey: Uint8Array;
  try {
    publicKey = readFile(flags.key);
  } catch (error) {
    throw new UsageError(`--key ${flags.key}: cannot read it (${(error as Error).message})`);
  }
  const encryption: ClientEncryptionOptions = { publicKey, streamMode: flags.stream === true };
  if (flags.curve !== undefined) {
    if (!(curveNames as readonly string[]).includes(flags.curve)) throw new UsageError(`--curve: ${JSON.stringify(flags.curve)} is not one of ${curveNames.join(", ")}`);
    encryption.curve = flags.curve as CurveName;
  }
  if (flags.bits !== undefined) {
    if (flags.bits !== "128" && flags.bits !== "256") throw new UsageError(`--bits: ${JSON.stringify(flags.bits)} is not 128 or 256`);
    encryption.bits = Number(flags.bits) as 128 | 256;
  }
  return encryption;
}
