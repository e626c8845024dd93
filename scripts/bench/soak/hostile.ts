// The misbehaving side of the soak: raw TCP peers that break the server's expectations on purpose, a fixed
// number at a time. Each slot runs one peer until the server closes it (or it is overdue), then opens
// one of the next kind. For every kind: how many were opened, how many the server closed and after how long.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { encodeQuest, packPayload, type Payload } from "@rtmkit/fpnn";
import { computeSign, nextId } from "@rtmkit/rtm-server-sdk";
import { establishedClientPorts } from "./procfs.js";

export const HOSTILE_KINDS = ["flood", "slowloris-header", "slowloris-trickle", "silent", "garbage"] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** What each kind does, for the report. */
export const HOSTILE_DESCRIPTIONS: Readonly<Record<HostileKind, string>> = {
  flood: "writes quests as fast as the server takes them and never reads an answer (signed history pages, or unsigned sends answered with errors)",
  "slowloris-header": "writes 5 bytes of a frame header, then nothing",
  "slowloris-trickle": "writes 256 KiB of a 1 MiB frame, then one byte every 100 ms",
  silent: "connects and sends nothing",
  garbage: "writes bytes that are no FPNN frame: random bytes, a bad flag, an oversize length, or a payload that is no msgpack",
};

export interface HostileOptions {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly secret: string;
  /** A group with history: the flood asks for its pages. */
  readonly gid: number;
  /** The server's limits, ms (0: off): which one closes a kind, and when it is overdue. */
  readonly idleTimeoutMs: number;
  readonly frameDeadlineMs: number;
  /** A peer no limit closes (its limit is off) is replaced after this long. */
  readonly replaceAfterMs: number;
  /** The kinds to rotate through (default: all). */
  readonly kinds?: readonly HostileKind[];
}

export class HostileStats {
  opened = 0;
  closedByServer = 0;
  /** Open past their limit plus grace (10 s + a quarter of the limit): the server did not close them. */
  overdue = 0;
  /** Replaced after replaceAfterMs because the limit that closes their kind is off. */
  replaced = 0;
  /** Still open when the run ended. */
  openAtEnd = 0;
  connectFailed = 0;
  /** ms from connect to the server's close, per closed peer (a few hundred at most per run). */
  readonly closeMs: number[] = [];
  readonly variants = new Map<string, number>();
  bytesWritten = 0;
}

/**
 * Extra time past a limit before a peer counts as overdue: the server checks its limits periodically, and a
 * flood's idle time starts only once the server has stopped reading it.
 */
const graceMs = (limitMs: number) => 10_000 + limitMs / 4;
const POLL_MS = 250;

interface Peer {
  readonly socket: Socket;
  readonly openedAt: number;
  closedAt: number | undefined;
  bytes: number;
}

export class HostilePeers {
  readonly #o: HostileOptions;
  readonly stats = new Map<HostileKind, HostileStats>(HOSTILE_KINDS.map((kind) => [kind, new HostileStats()]));
  #open = 0;
  #seq = 0;
  #floodVariant = 0;
  #garbageVariant = 0;

  constructor(options: HostileOptions) {
    this.#o = options;
  }

  /** Peers open right now. */
  get open(): number {
    return this.#open;
  }

  totals(): { opened: number; closed: number } {
    let opened = 0;
    let closed = 0;
    for (const s of this.stats.values()) {
      opened += s.opened;
      closed += s.closedByServer;
    }
    return { opened, closed };
  }

  /** Keeps `slots` peers open until `deadline` (performance.now() ms) or `stop()`; slot i starts with kind i. */
  async run(slots: number, deadline: number, stop: () => boolean): Promise<void> {
    const kinds = this.#o.kinds ?? HOSTILE_KINDS;
    await Promise.all(
      Array.from({ length: slots }, async (_, slot) => {
        for (let k = slot; performance.now() < deadline && !stop(); k++) await this.#peer(kinds[k % kinds.length]!, deadline, stop);
      }),
    );
  }

  /** The limit that closes a kind, ms; undefined when it is off. */
  #limitOf(kind: HostileKind): number | undefined {
    const { idleTimeoutMs, frameDeadlineMs } = this.#o;
    switch (kind) {
      case "garbage":
        return 0;
      case "slowloris-header":
      case "slowloris-trickle":
        // A frame deadline closes these; with it off, the trickle is never idle, but the stalled header is.
        if (frameDeadlineMs > 0) return frameDeadlineMs;
        return kind === "slowloris-header" && idleTimeoutMs > 0 ? idleTimeoutMs : undefined;
      case "flood":
      case "silent":
        return idleTimeoutMs > 0 ? idleTimeoutMs : undefined;
    }
  }

  async #peer(kind: HostileKind, deadline: number, stop: () => boolean): Promise<void> {
    const stats = this.stats.get(kind)!;
    const socket = connect({ host: this.#o.host, port: this.#o.port });
    socket.on("error", () => {});
    try {
      await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("close", () => reject(new Error("closed before connecting"))));
    } catch {
      stats.connectFailed++;
      socket.destroy();
      await sleep(1000);
      return;
    }
    const peer: Peer = { socket, openedAt: performance.now(), closedAt: undefined, bytes: 0 };
    const localPort = socket.localPort!;
    socket.once("close", () => (peer.closedAt ??= performance.now()));
    stats.opened++;
    this.#open++;
    const limit = this.#limitOf(kind);
    const giveUpAt = Math.min(deadline, peer.openedAt + (limit === undefined ? this.#o.replaceAfterMs : limit + graceMs(limit)));
    const behaviour = this.#behave(kind, peer, stats);
    try {
      while (peer.closedAt === undefined && !stop()) {
        const now = performance.now();
        if (now >= giveUpAt) break;
        // A peer that does not read (the flood) sees no close: ask the kernel whether the server still holds it.
        if (!establishedClientPorts(this.#o.port).has(localPort)) {
          peer.closedAt ??= now;
          break;
        }
        await sleep(Math.min(POLL_MS, giveUpAt - now));
      }
    } finally {
      behaviour.stop();
      socket.destroy();
      this.#open--;
      stats.bytesWritten += peer.bytes;
    }
    if (peer.closedAt !== undefined) {
      stats.closedByServer++;
      stats.closeMs.push(peer.closedAt - peer.openedAt);
    } else if (stop() || performance.now() >= deadline) {
      stats.openAtEnd++;
    } else if (limit === undefined) {
      stats.replaced++;
    } else {
      stats.overdue++;
    }
  }

  /** Starts what a peer of `kind` does; stop() ends it. */
  #behave(kind: HostileKind, peer: Peer, stats: HostileStats): { stop(): void } {
    const socket = peer.socket;
    const variant = (name: string) => stats.variants.set(name, (stats.variants.get(name) ?? 0) + 1);
    const write = (bytes: Uint8Array): boolean => {
      peer.bytes += bytes.length;
      return socket.write(bytes);
    };
    switch (kind) {
      case "flood": {
        socket.pause(); // never read: every answer stays with the server
        const history = this.#floodVariant++ % 2 === 0;
        variant(history ? "signed history pages" : "unsigned sends");
        const unsigned = encodeQuest("sendmsg", packPayload({}), 1);
        const next = history ? () => this.#quest("getgroupmsg", this.#historyPayload()) : () => unsigned;
        let stopped = false;
        void (async () => {
          while (!stopped && peer.closedAt === undefined) {
            let room = true;
            for (let i = 0; i < 64 && room; i++) room = write(next());
            if (room) {
              await new Promise((resolve) => setImmediate(resolve));
              continue;
            }
            // The server stopped taking bytes (it stops reading while our answers pile up): wait for room.
            await new Promise<void>((resolve) => {
              const done = () => {
                socket.off("drain", done).off("close", done);
                clearInterval(check);
                resolve();
              };
              const check = setInterval(() => stopped && done(), POLL_MS);
              socket.once("drain", done).once("close", done);
            });
          }
        })();
        return { stop: () => (stopped = true) };
      }
      case "slowloris-header": {
        variant("partial header");
        write(this.#quest("sendmsg", { msg: "x".repeat(64) }).subarray(0, 5));
        return { stop() {} };
      }
      case "slowloris-trickle": {
        variant("1 MiB frame, a byte per 100 ms");
        const frame = this.#quest("sendmsg", { msg: "y".repeat(1024 * 1024) });
        let at = 256 * 1024;
        write(frame.subarray(0, at));
        const dripper = setInterval(() => {
          if (peer.closedAt === undefined && at < frame.length) write(frame.subarray(at, ++at));
        }, 100);
        return { stop: () => clearInterval(dripper) };
      }
      case "silent":
        variant("nothing");
        return { stop() {} };
      case "garbage": {
        const [name, bytes] = this.#garbage();
        variant(name);
        write(bytes);
        return { stop() {} };
      }
    }
  }

  #garbage(): [string, Buffer] {
    const header = (flag: number, size: number) => {
      const bytes = Buffer.alloc(16 + 7);
      bytes.write("FPNN", 0, "latin1");
      bytes[4] = 1;
      bytes[5] = flag;
      bytes[6] = 1; // two-way quest
      bytes[7] = 7; // method length
      bytes.writeUInt32LE(size, 8);
      bytes.writeUInt32LE(++this.#seq, 12);
      bytes.write("sendmsg", 16, "latin1");
      return bytes;
    };
    switch (this.#garbageVariant++ % 4) {
      case 0: {
        const bytes = randomBytes(4096);
        bytes[0] = 0x00; // never 'F': bad magic
        return ["random bytes", bytes];
      }
      case 1:
        return ["bad flag", Buffer.concat([header(0x13, 64), randomBytes(64)])];
      case 2:
        return ["oversize length", header(0x80, 0xffff_fff0)];
      default: {
        // A map of one entry whose key is 0xc1, a byte msgpack never uses.
        const payload = Buffer.concat([Buffer.from([0x81, 0xc1]), randomBytes(62)]);
        return ["payload not msgpack", Buffer.concat([header(0x80, payload.length), payload])];
      }
    }
  }

  #quest(method: string, payload: Payload): Buffer {
    return encodeQuest(method, packPayload(payload), ++this.#seq);
  }

  #historyPayload(): Payload {
    const { pid, secret, gid } = this.#o;
    const salt = nextId();
    const ts = Math.floor(Date.now() / 1000);
    return { pid, sign: computeSign(pid, secret, salt, "getgroupmsg", ts), salt, ts, gid, desc: true, num: 20, begin: 0, end: 0, lastid: 0, mtypes: [30], uid: 1 };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
