import type { MessageBody } from "../limits.js";
import { UserMids } from "../push/user-mids.js";
import type { EmulatorServices } from "./services.js";

/** A message a simulated end user sends (RunningEmulator.userSends): to a user, a group or a room, exactly one of them. */
export interface UserSend {
  readonly pid: number;
  readonly from: bigint | number;
  readonly to?: bigint | number | undefined;
  readonly gid?: bigint | number | undefined;
  readonly rid?: bigint | number | undefined;
  /** 1..127 (30, chat, when absent). */
  readonly mtype?: number | undefined;
  /** Text, or bytes (sent on as a msgpack str of those bytes). */
  readonly message: string | Uint8Array;
  /** "" when absent. */
  readonly attrs?: string | Uint8Array | undefined;
}

/** What a simulated send stored: its fresh mid and the server's mtime. */
export interface UserSent {
  readonly mid: bigint;
  readonly mtime: bigint;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * What end users do that the emulator, having no client gateway, simulates: they send messages and log in
 * and out. A send is stored exactly as the server API's send (same checks: mtype, sizes, bans, blacklists;
 * a Refusal when refused) with a fresh mid, and is pushed once committed like any other.
 */
export class UserActivity {
  readonly #projects: ReadonlyMap<number, unknown>;
  readonly #services: EmulatorServices;
  readonly #mids = new UserMids();

  constructor(projects: ReadonlyMap<number, unknown>, services: EmulatorServices) {
    this.#projects = projects;
    this.#services = services;
  }

  async sends(send: UserSend): Promise<UserSent> {
    const pid = this.#project(send?.pid);
    const from = idOf("from", send.from);
    const targets = (["to", "gid", "rid"] as const).filter((key) => send[key] !== undefined);
    if (targets.length !== 1) throw new TypeError(`userSends: exactly one of to, gid, rid, got ${targets.length === 0 ? "none" : targets.join(", ")}`);
    const base = { from, mid: this.#mids.next(), mtype: send.mtype ?? 30, msg: bodyOf("message", send.message), attrs: bodyOf("attrs", send.attrs ?? "") };
    const chat = this.#services.chat;
    const answer =
      send.to !== undefined
        ? await chat.sendmsg(pid, { ...base, to: idOf("to", send.to) })
        : send.gid !== undefined
          ? await chat.sendgroupmsg(pid, { ...base, gid: idOf("gid", send.gid) })
          : await chat.sendroommsg(pid, { ...base, rid: idOf("rid", send.rid) });
    return { mid: base.mid, mtime: answer.mtime };
  }

  /** Online or offline; a change pushes login or logout to the connections listening to it. */
  setOnline(pid: number, uid: bigint | number, online: boolean): void {
    this.#services.users.setOnline(this.#project(pid), idOf("uid", uid), online);
  }

  #project(pid: unknown): number {
    if (typeof pid !== "number" || !this.#projects.has(pid)) throw new TypeError(`pid ${String(pid)} is not a project of this emulator`);
    return pid;
  }
}

function idOf(key: string, value: unknown): bigint {
  const id = typeof value === "bigint" ? value : typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (id === undefined || id < INT64_MIN || id > INT64_MAX) throw new TypeError(`${key} must be an int64 (a bigint or a safe integer), got ${String(value)}`);
  return id;
}

function bodyOf(key: string, value: unknown): MessageBody {
  if (typeof value === "string" || value instanceof Uint8Array) return value;
  throw new TypeError(`${key} must be a string or a Uint8Array, got ${typeof value}`);
}
