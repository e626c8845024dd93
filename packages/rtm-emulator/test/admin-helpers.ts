// For the admin model's tests: SDK clients (RTMServerClient over real sockets) on an emulator from push-helpers,
// closed after the test, and the RTM code a call fails with.
import { RTMError, RTMServerClient } from "@rtmkit/rtm-server-sdk";
import type { RunningEmulator } from "../src/server/start.js";
import { OTHER_PID, OTHER_SECRET, onCleanup, PID, SECRET } from "./push-helpers.js";

export { emulatorForTest, Listener, listening, onCleanup, OTHER_PID, PID, until } from "./push-helpers.js";

/** An SDK client of `pid` on the emulator, closed after the test. */
export function sdk(emulator: RunningEmulator, pid = PID, timeout = 10): RTMServerClient {
  const client = new RTMServerClient({ pid, secret: pid === OTHER_PID ? OTHER_SECRET : SECRET, endpoint: emulator.endpoint, timeout, autoReconnect: false });
  onCleanup(() => client.close());
  return client;
}

/** The code an SDK call fails with. */
export async function failure(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (RTMError.is(error)) return error.code;
    throw error;
  }
  throw new Error("expected the call to fail");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
