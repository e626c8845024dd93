// Listeners and senders for the push tests: plain FpnnClients over real sockets, signed quests built by hand
// (computeSign, as wire-bodies.test.ts builds them), pushes recorded with their raw payload bytes.
import { connect, type Socket } from "node:net";
import { encodeQuest, FpnnClient, packPayload, unpackPayload, type Payload, type QuestContext } from "@rtmkit/fpnn";
import { computeSign } from "@rtmkit/rtm-server-sdk";
import { afterEach } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../src/server/start.js";

export const PID = 11000001;
export const SECRET = "push-secret";
export const OTHER_PID = 11000002;
export const OTHER_SECRET = "other-secret";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
/** Runs at the end of the current test, last registered first. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** An emulator serving PID and OTHER_PID, closed after the test. */
export async function emulatorForTest(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({
    projects: [
      { pid: PID, secret: SECRET },
      { pid: OTHER_PID, secret: OTHER_SECRET },
    ],
    ...options,
  });
  onCleanup(() => emulator.close());
  return emulator;
}

const secrets = new Map([
  [PID, SECRET],
  [OTHER_PID, OTHER_SECRET],
]);
let salt = BigInt(Date.now()) * 1000n;

/** A signed quest of `pid` (the four auth keys first), as RTM's SDKs send them. */
export function signed(client: FpnnClient, method: string, params: Payload, pid = PID): Promise<Payload> {
  return client.quest(method, { ...authKeys(method, pid), ...params });
}

/** A push as a listener received it: method, decoded payload, raw payload bytes. */
export interface ReceivedPush {
  readonly method: string;
  readonly payload: Payload;
  readonly raw: Buffer;
  /** The quest's seq (a repeat sent with duplicatePushes has its own). */
  readonly seq: number;
  /** performance.now() when it arrived. */
  readonly at: number;
}

export const PUSH_METHODS = ["pushmsg", "pushgroupmsg", "pushroommsg", "pushevent", "ping"] as const;

/** A listening FpnnClient that records every push; `answer` decides each answer (default: `{}` at once). */
export class Listener {
  readonly client: FpnnClient;
  readonly pushes: ReceivedPush[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(endpoint: string, answer: (push: ReceivedPush) => Payload | Promise<Payload> = () => ({})) {
    this.client = new FpnnClient({ endpoint, autoReconnect: false, keepAlive: false });
    for (const method of PUSH_METHODS) {
      this.client.onQuest(method, (payload: Payload, context: QuestContext) => {
        const frame = context.frame;
        const push = { method, payload, raw: Buffer.from(frame.bytes.subarray(frame.payloadStart, frame.payloadEnd)), seq: frame.seq, at: performance.now() };
        this.pushes.push(push);
        this.#wake();
        return answer(push);
      });
    }
    onCleanup(() => this.client.close());
  }

  /** A quest of the listener's own, signed for `pid`. */
  quest(method: string, params: Payload, pid = PID): Promise<Payload> {
    return signed(this.client, method, params, pid);
  }

  /** The pushes of a method (default: every message push, not pings). */
  of(method?: string): ReceivedPush[] {
    return this.pushes.filter((push) => (method === undefined ? push.method !== "ping" : push.method === method));
  }

  /** Resolves once `count` pushes (pings included) have arrived in all; fails after `ms`. */
  async received(count: number, ms = 10_000): Promise<ReceivedPush[]> {
    if (this.pushes.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} pushes, got ${this.pushes.length} (${[...new Set(this.pushes.map((p) => p.method))].join(", ")})`)), ms);
        this.#waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.pushes;
  }

  #wake(): void {
    const ready = this.#waiters.filter((waiter) => this.pushes.length >= waiter.count);
    this.#waiters = this.#waiters.filter((waiter) => this.pushes.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }
}

/** A listener connected to `emulator`, listening as `setlisten` says (in `pid`). */
export async function listening(emulator: RunningEmulator, setlisten: Payload, pid = PID): Promise<Listener> {
  const listener = new Listener(emulator.endpoint);
  await listener.quest("setlisten", setlisten, pid);
  return listener;
}

/** A sender: a plain client making signed quests. */
export function sender(emulator: RunningEmulator): (method: string, params: Payload, pid?: number) => Promise<Payload> {
  const client = new FpnnClient({ endpoint: emulator.endpoint, autoReconnect: false, keepAlive: false });
  onCleanup(() => client.close());
  return (method, params, pid = PID) => signed(client, method, params, pid);
}

/** The payload decoded again from the raw bytes (what a listener that decodes itself would read). */
export function decodeRaw(push: ReceivedPush): Payload {
  return unpackPayload(push.raw);
}

/** Waits until `check` holds, polling every 5 ms; fails after `ms`. */
export async function until(check: () => boolean, ms = 10_000, what = "the condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The auth keys of a signed quest of `method` in `pid`. */
export function authKeys(method: string, pid = PID): Payload {
  const ts = Math.floor(Date.now() / 1000);
  salt++;
  return { pid, sign: computeSign(pid, secrets.get(pid)!, salt, method, ts), salt, ts };
}

/**
 * A listener on a raw socket that reads everything and answers nothing: it sends one setlisten quest, then
 * counts the quests (pushes) it is sent, by their frame headers.
 */
export class SilentRawListener {
  readonly socket: Socket;
  /** Two-way quests received (not answers). */
  quests = 0;
  #rest = Buffer.alloc(0);

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    onCleanup(() => socket.destroy());
  }

  static async open(emulator: RunningEmulator, setlisten: Payload, pid = PID): Promise<SilentRawListener> {
    const socket = connect({ host: emulator.host, port: emulator.port });
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const listener = new SilentRawListener(socket);
    const answered = new Promise<void>((resolve) => (listener.#onAnswer = resolve));
    socket.write(encodeQuest("setlisten", packPayload({ ...authKeys("setlisten", pid), ...setlisten }), 1));
    await answered;
    return listener;
  }

  #onAnswer: () => void = () => {};

  #read(chunk: Buffer): void {
    let data = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk]);
    while (data.length >= 12) {
      const type = data[6]!;
      const header = type === 2 ? 16 : type === 1 ? 16 + data[7]! : 12 + data[7]!;
      const total = header + data.readUInt32LE(8);
      if (data.length < total) break;
      if (type === 1) this.quests++;
      else if (type === 2) this.#onAnswer();
      data = data.subarray(total);
    }
    this.#rest = Buffer.from(data);
  }
}
