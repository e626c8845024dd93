// A listener that never answers: a raw socket that sends one signed setlisten for the group, then reads (and
// throws away) everything it is sent. The emulator must cap what it costs (maxUnansweredPushes).
import { connect, type Socket } from "node:net";
import { encodeQuest, packPayload, type Payload } from "@rtmkit/fpnn";
import { computeSign } from "@rtmkit/rtm-server-sdk";

export class SilentListener {
  private constructor(private readonly socket: Socket) {}

  static async open(options: { readonly endpoint: string; readonly pid: number; readonly secret: string; readonly gid: bigint }): Promise<SilentListener> {
    const [host, port] = options.endpoint.split(":");
    const socket = connect({ host, port: Number(port) });
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    // The answer to setlisten is the first bytes back; after it, pushes only.
    const answered = new Promise<void>((resolve) => socket.once("data", () => resolve()));
    socket.on("data", () => {});
    socket.write(encodeQuest("setlisten", packPayload({ ...signedKeys(options.pid, options.secret, "setlisten"), gids: [options.gid] }), 1));
    await answered;
    return new SilentListener(socket);
  }

  /** Bytes received so far (the pushes it never answers). */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The four auth keys of a signed quest. */
function signedKeys(pid: number, secret: string, method: string): Payload {
  const ts = Math.floor(Date.now() / 1000);
  const salt = BigInt(Date.now()) * 1000n;
  return { pid, sign: computeSign(pid, secret, salt, method, ts), salt, ts };
}
