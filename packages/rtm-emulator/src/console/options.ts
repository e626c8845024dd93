import { randomBytes } from "node:crypto";

/** The web console of `startEmulator({ console })`. */
export interface ConsoleOptions {
  /** HTTP port; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on (127.0.0.1). Any other than 127.0.0.1, ::1 or localhost requires a token on every request. */
  host?: string;
  /** The token required when `host` is beyond localhost (default: random, 128 bits as hex). Ignored on localhost. */
  token?: string;
  /** When `port` is taken, serve on a free port instead of failing (what the CLI does for its default port). */
  fallbackToFreePort?: boolean;
}

/** `startEmulator`'s `console`: absent or false = no console; true = on with the defaults. */
export type ConsoleOption = boolean | ConsoleOptions;

export const DEFAULT_CONSOLE_PORT = 13316;
export const DEFAULT_CONSOLE_HOST = "127.0.0.1";

export interface ResolvedConsoleOptions {
  readonly port: number;
  readonly host: string;
  /** undefined: loopback, no token asked. */
  readonly token: string | undefined;
  readonly fallbackToFreePort: boolean;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

/** The console's settings, or undefined for no console. Throws a TypeError naming a bad field. */
export function resolveConsoleOptions(option: ConsoleOption | undefined): ResolvedConsoleOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const given: ConsoleOptions = option === true ? {} : option;
  if (typeof given !== "object" || given === null) throw new TypeError(`console must be a boolean or { port?, host?, token? }, got ${String(option)}`);
  const port = given.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`console.port must be an integer in 0..65535, got ${String(given.port)}`);
  const host = given.host ?? DEFAULT_CONSOLE_HOST;
  if (typeof host !== "string" || host.trim() === "") throw new TypeError("console.host must be a non-empty string");
  if (given.token !== undefined && (typeof given.token !== "string" || !/^[\x21-\x7e]{16,256}$/.test(given.token))) {
    throw new TypeError("console.token must be 16..256 printable ASCII characters without spaces");
  }
  const token = isLoopbackHost(host) ? undefined : (given.token ?? randomBytes(16).toString("hex"));
  return { port, host, token, fallbackToFreePort: given.fallbackToFreePort === true };
}
