import { ChatService } from "../src/chat-service.js";
import { DEFAULT_LIMITS, type ChatLimits } from "../src/limits.js";
import { ChatStorage, type ChatStorageOptions } from "../src/storage/chat-storage.js";
import { Refusal } from "../src/errors.js";

export const PID = 11000001;
export const T0 = 1_700_000_000_000;

/** A real in-memory (or file) storage with a clock the test moves by hand. */
export function openChat(options: ChatStorageOptions & { limits?: Partial<ChatLimits> } = {}) {
  const clock = { ms: T0 };
  const storage = ChatStorage.open({ now: () => clock.ms, ...options });
  const chat = new ChatService(storage, { ...DEFAULT_LIMITS, ...options.limits });
  return { clock, storage, chat };
}

export const history = { desc: false, num: 20, begin: 0n, end: 0n, lastid: 0n, mtypes: [30, 31, 32] };

export function send(chat: ChatService, gid: number, mid: number, extra: { from?: bigint; mtype?: number; msg?: string } = {}) {
  return chat.sendgroupmsg(PID, { mtype: extra.mtype ?? 30, from: extra.from ?? 1001n, gid: BigInt(gid), mid: BigInt(mid), msg: extra.msg ?? `m${mid}`, attrs: "" });
}

/** The RTM code a call fails with (sync throw or rejection). */
export async function codeOf(run: () => unknown): Promise<number> {
  try {
    await run();
  } catch (error) {
    if (Refusal.is(error)) return error.code;
    throw error;
  }
  throw new Error("expected an Refusal, the call succeeded");
}
