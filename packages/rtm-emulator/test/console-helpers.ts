// The console tests' emulator (the real one, with its real admin model and the console on a free port), an SDK
// client of it, and a small JSON client of the console's API over a real socket.
import { request as httpRequest } from "node:http";
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { afterEach } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../src/server/start.js";

export const PID = 11000001;
export const SECRET = "console-secret";
export const OTHER_PID = 11000002;
export const OTHER_SECRET = "console-other-secret";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** An emulator serving PID and OTHER_PID with its console on (127.0.0.1, a free port), closed after the test. */
export async function consoleEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator & { consoleUrl: string }> {
  const emulator = await startConsoleEmulator(options);
  onCleanup(() => emulator.close());
  return emulator;
}

/** consoleEmulator, closed by the caller (for an emulator shared by the tests of a file). */
export async function startConsoleEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator & { consoleUrl: string }> {
  const emulator = await startEmulator({
    projects: [
      { pid: PID, secret: SECRET },
      { pid: OTHER_PID, secret: OTHER_SECRET },
    ],
    console: true,
    ...options,
  });
  if (emulator.consoleUrl === undefined) throw new Error("the console did not start");
  return emulator as RunningEmulator & { consoleUrl: string };
}

/** An SDK client of PID (or `pid`), closed after the test. */
export function sdk(emulator: RunningEmulator, pid = PID): RTMServerClient {
  const client = newSdk(emulator, pid);
  onCleanup(() => client.close());
  return client;
}

/** sdk, closed by the caller. */
export function newSdk(emulator: RunningEmulator, pid = PID): RTMServerClient {
  return new RTMServerClient({ pid, secret: pid === PID ? SECRET : OTHER_SECRET, endpoint: emulator.endpoint, timeout: 5 });
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
  readonly text: string;
}

/** A JSON client of the console: `call("POST", "/api/...", body)` over fetch (same origin, no token). */
export function consoleApi(base: string, headers: Record<string, string> = {}) {
  return async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(new URL(path, base), {
      method,
      headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
}

/** A raw HTTP request with headers fetch will not let a caller set (Host), for the guard's tests. */
export function rawRequest(base: string, path: string, headers: Record<string, string>, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: Number(url.port), path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
