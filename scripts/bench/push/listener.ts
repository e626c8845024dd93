// A listener of the push benchmark: an RTMServerClient listening to one group through the SDK's typed push
// API, so the latency measured runs from the send to the user's handler (dedupe and dispatch included).
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";

export interface BenchListenerOptions {
  readonly endpoint: string;
  readonly pid: number;
  readonly secret: string;
  readonly gid: bigint;
  /** Each group message, as the SDK hands it to a handler. */
  readonly onPush: (push: { mid: bigint; msg: string }) => void;
}

export interface BenchListener {
  close(): Promise<void>;
}

export async function openListener(options: BenchListenerOptions): Promise<BenchListener> {
  const client = new RTMServerClient({ endpoint: options.endpoint, pid: options.pid, secret: options.secret, autoReconnect: false, timeout: 30 });
  client.onPush({
    groupChat: (m) => options.onPush({ mid: m.messageId, msg: m.message }),
    groupMessage: (m) => options.onPush({ mid: m.messageId, msg: m.message }),
  });
  await client.setListen([options.gid]);
  return { close: () => client.close() };
}
