import { FpnnClient, type ClientEncryptionOptions } from "@rtmkit/fpnn";
import { SENDMSG_METHOD, sendmsgPayload } from "./payloads.js";
import type { BenchClient } from "./types.js";

/** FpnnClient.quest with a fresh sendmsg-shaped payload per call, in clear or encrypted. */
export class FpnnBenchClient implements BenchClient {
  readonly name: string;
  private client!: FpnnClient;

  constructor(private readonly encryption?: ClientEncryptionOptions) {
    this.name = encryption === undefined ? "FpnnClient.quest" : `FpnnClient.quest AES-${encryption.bits ?? 128} ${encryption.streamMode ? "stream" : "package"}`;
  }

  async open(endpoint: string): Promise<void> {
    this.client = new FpnnClient({ endpoint, keepAlive: false, encryption: this.encryption });
    await this.client.connect();
  }

  call(): Promise<unknown> {
    return this.client.quest(SENDMSG_METHOD, sendmsgPayload());
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
