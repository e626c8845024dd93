import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import type { BenchClient, BenchClientFactory } from "../types.js";

const PID = 11000001;
const SECRET = "bench-secret";

/**
 * RTMServerClient.sendChat: argument validation (optional), signing, salt and mid generation,
 * encoding and answer mapping, on one connection. The answer server only needs to answer
 * `sendmsg` with `{mtime}` (the "raw" kind does).
 */
export class SdkSendChatBenchClient implements BenchClient {
  readonly name: string;
  private client!: RTMServerClient;
  private readonly validate: boolean;

  constructor(validate: boolean) {
    this.validate = validate;
    this.name = validate ? "RTMServerClient.sendChat" : "RTMServerClient.sendChat (validation off)";
  }

  async open(endpoint: string): Promise<void> {
    this.client = new RTMServerClient({ pid: PID, secret: SECRET, endpoint, keepAlive: false, validate: this.validate });
    await this.client.connect();
  }

  call(): Promise<unknown> {
    return this.client.sendChat(1001n, 1002n, "hello", "{}");
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** For scripts/bench/clients.ts: `...sdkBenchClients` after the raw ceiling. */
export const sdkBenchClients: BenchClientFactory[] = [
  { name: "sdk", serverKind: "raw", create: () => new SdkSendChatBenchClient(true) },
  { name: "sdk-novalidate", serverKind: "raw", create: () => new SdkSendChatBenchClient(false) },
];
