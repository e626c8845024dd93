import { FpnnClient } from "@rtmkit/fpnn";
import { SENDMSG_METHOD, sendmsgPayload } from "./payloads.js";
import type { BenchClient } from "./types.js";

/** FpnnClient.quest with a fresh sendmsg-shaped payload per call. */
export class FpnnBenchClient implements BenchClient {
  readonly name = "FpnnClient.quest";
  private client!: FpnnClient;

  async open(endpoint: string): Promise<void> {
    this.client = new FpnnClient({ endpoint, keepAlive: false });
    await this.client.connect();
  }

  call(): Promise<unknown> {
    return this.client.quest(SENDMSG_METHOD, sendmsgPayload());
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
