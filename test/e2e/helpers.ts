import { computeSign, RTMError, RTMServerClient, type RTMServerClientOptions } from "@rtmkit/rtm-server-sdk";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "@rtmkit/rtm-emulator";
import { connect } from "node:net";
import { FpnnClient, FpnnError, FrameDecoder, FrameType, unpackPayload, type Payload } from "@rtmkit/fpnn";
import { afterEach } from "vitest";

export const PID = 11000001;
export const SECRET = "test-secret-123";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Runs after the current test, last registered first. */
export function onCleanup(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

/** A clock the test moves by hand; starts at the real time so the SDK's ts stays inside the skew window. */
export function manualClock(): { ms: number; now: () => number } {
  const clock = { ms: Date.now(), now: () => clock.ms };
  return clock;
}

export async function emulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const running = await startEmulator({ projects: [{ pid: PID, secret: SECRET }], ...options });
  onCleanup(() => running.close());
  return running;
}

export function sdk(endpoint: string, options: Partial<RTMServerClientOptions> = {}): RTMServerClient {
  const client = new RTMServerClient({ pid: PID, secret: SECRET, endpoint, timeout: 5, keepAlive: false, ...options });
  onCleanup(() => client.close());
  return client;
}

export function rawClient(endpoint: string): FpnnClient {
  const client = new FpnnClient({ endpoint, timeout: 5, keepAlive: false, autoReconnect: false });
  onCleanup(() => client.close());
  return client;
}

let saltCounter = 0n;

/** The auth keys of a quest signed like the SDK does, with a fresh salt (or the given one). */
export function signed(method: string, options: { pid?: number; secret?: string; ts?: number; salt?: bigint } = {}): Payload {
  const pid = options.pid ?? PID;
  const ts = options.ts ?? Math.floor(Date.now() / 1000);
  const salt = options.salt ?? BigInt(Date.now()) * 1000n + ++saltCounter;
  return { pid, sign: computeSign(pid, options.secret ?? SECRET, salt, method, ts), salt, ts };
}

/** The error code a call fails with (RTMError or FpnnError), and its message. */
export async function failure(call: Promise<unknown>): Promise<{ code: number; message: string; raiser: string | undefined }> {
  try {
    await call;
  } catch (error) {
    if (RTMError.is(error) || FpnnError.is(error)) return { code: error.code, message: error.message, raiser: error.raiser };
    throw error;
  }
  throw new Error("expected the call to fail, it succeeded");
}

export interface RawAnswer {
  readonly seq: number;
  readonly status: number;
  readonly payload: Payload;
}

/**
 * Writes whole frames as raw bytes on one fresh socket and collects one answer per frame (in arrival
 * order), or fails when the socket closes or 5 s pass first.
 */
export function rawExchange(endpoint: string, frames: readonly Uint8Array[]): Promise<RawAnswer[]> {
  const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(":")), Number(endpoint.slice(endpoint.lastIndexOf(":") + 1))];
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const decoder = new FrameDecoder();
    const answers: RawAnswer[] = [];
    const timer = setTimeout(() => finish(new Error(`raw exchange: ${answers.length} of ${frames.length} answers after 5 s`)), 5000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answers);
    };
    socket.on("connect", () => {
      for (const frame of frames) socket.write(frame);
    });
    socket.on("data", (chunk) => {
      decoder.push(chunk);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        if (frame.type !== FrameType.Answer) continue;
        answers.push({ seq: frame.seq, status: frame.status, payload: unpackPayload(frame.payload) });
        if (answers.length === frames.length) finish();
      }
    });
    socket.on("error", (error) => finish(error));
    socket.on("close", () => finish(new Error(`raw exchange: socket closed after ${answers.length} of ${frames.length} answers`)));
  });
}
