// A listener of the push benchmark: a plain FpnnClient that listens to one group and answers each pushgroupmsg
// with {} at once. Kept behind this one function so the benchmark can switch to the SDK's typed push API.
import { FpnnClient, type Payload } from "@rtmkit/fpnn";
import { computeSign } from "@rtmkit/rtm-server-sdk";

export interface BenchListenerOptions {
  readonly endpoint: string;
  readonly pid: number;
  readonly secret: string;
  readonly gid: bigint;
  /** Each group push, as it arrives (before its answer is written). */
  readonly onPush: (push: { mid: bigint; msg: string }) => void;
}

export interface BenchListener {
  close(): Promise<void>;
}

let salt = BigInt(Date.now()) * 1000n;

export async function openListener(options: BenchListenerOptions): Promise<BenchListener> {
  const client = new FpnnClient({ endpoint: options.endpoint, autoReconnect: false, timeout: 30 });
  client.onQuest("pushgroupmsg", (payload: Payload) => {
    options.onPush({ mid: BigInt(payload.mid as number | bigint), msg: payload.msg as string });
    return {};
  });
  client.onQuest("ping", () => ({}));
  await client.quest("setlisten", { ...signedKeys(options, "setlisten"), gids: [options.gid] });
  return { close: () => client.close() };
}

/** The four auth keys of a signed quest. */
export function signedKeys(options: { readonly pid: number; readonly secret: string }, method: string): Payload {
  const ts = Math.floor(Date.now() / 1000);
  salt++;
  return { pid: options.pid, sign: computeSign(options.pid, options.secret, salt, method, ts), salt, ts };
}
