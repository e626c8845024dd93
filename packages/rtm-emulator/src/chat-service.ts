import type { RequestOf } from "@rtmkit/protocol";
import type { chatEndpoints } from "@rtmkit/rtm-server-sdk";
import { Refusal, RtmErrorCode } from "./errors.js";
import { checkBodies, checkMtype, checkRecipients, DEFAULT_LIMITS, HISTORY_PAGE_MAX, type ChatLimits, type MessageBody } from "./limits.js";
import type { ChatStorage } from "./storage/chat-storage.js";
import { MessageCategory, type HistoryPage, type MessageCount, type MessageKey, type NewMessage, type RetrievedMessage } from "./storage/types.js";

/** A request of a chat FPNN method as the generated contract checked it (idl/rtm/chat.yaml): wire keys, 64-bit values as bigint. */
export type ChatRequest<M extends keyof typeof chatEndpoints> = RequestOf<(typeof chatEndpoints)[M]>;

/** A send with its bodies as the peer sent them: text, or the raw bytes of a str that is not UTF-8 (server/wire-bodies.ts). */
export type WithBodies<R> = Omit<R, "msg" | "attrs"> & { readonly msg: MessageBody; readonly attrs: MessageBody };

type SendFields = WithBodies<Pick<ChatRequest<"sendmsg">, "mtype" | "from" | "mid" | "msg" | "attrs">>;
type HistoryFields = Pick<ChatRequest<"getgroupmsg">, "desc" | "num" | "begin" | "end" | "lastid" | "mtypes">;

export interface SendAnswer {
  mtime: bigint;
}

/** Who may not send where: the bans and blacklists the other services keep. */
export interface SendRules {
  groupBanned(pid: number, gid: bigint, uid: bigint): boolean;
  roomBanned(pid: number, rid: bigint, uid: bigint): boolean;
  /** Whether `owner` has `other` on its blacklist. */
  blocks(pid: number, owner: bigint, other: bigint): boolean;
}

const NO_RULES: SendRules = { groupBanned: () => false, roomBanned: () => false, blocks: () => false };

/**
 * The chat semantics of the emulator, one method per FPNN method, over ChatStorage. Requests arrive
 * checked against the IDL (types and ranges); what is checked here is RTM's semantics.
 * Refusals are Refusal: thrown by getmsg and by the other reads' parameter checks, rejected by the
 * writes; the server wiring turns them into error answers. Sends and deletes settle only after their
 * batch is committed; history pages and counts settle once read (long ones pause for the event loop).
 */
export class ChatService {
  readonly #storage: ChatStorage;
  readonly #limits: ChatLimits;
  readonly #rules: SendRules;

  constructor(storage: ChatStorage, limits: ChatLimits = DEFAULT_LIMITS, rules: SendRules = NO_RULES) {
    this.#storage = storage;
    this.#limits = limits;
    this.#rules = rules;
  }

  async sendmsg(pid: number, p: WithBodies<ChatRequest<"sendmsg">>): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.P2PMessage, p);
    if (p.to === base.from) throw new Refusal(RtmErrorCode.SendToSelf, "to is the sender itself");
    if (this.#rules.blocks(pid, p.to, base.from)) throw new Refusal(RtmErrorCode.BlockedUser, `to ${p.to} has blacklisted from ${base.from}`);
    return { mtime: await this.#storage.writes.send([{ ...base, target: p.to }]) };
  }

  /** One p2p row per distinct recipient that has not blacklisted the sender, all with the same mid; the answer is one mtime. */
  async sendmsgs(pid: number, p: WithBodies<ChatRequest<"sendmsgs">>): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.P2PMessage, p);
    checkRecipients(this.#limits, p.tos.length);
    const recipients = new Set<bigint>();
    for (const to of p.tos) {
      if (to === base.from) throw new Refusal(RtmErrorCode.SendToSelf, "tos contains the sender itself");
      if (!this.#rules.blocks(pid, to, base.from)) recipients.add(to);
    }
    const rows: NewMessage[] = [];
    for (const to of recipients) rows.push({ ...base, target: to });
    return { mtime: await this.#storage.writes.send(rows) };
  }

  async sendgroupmsg(pid: number, p: WithBodies<ChatRequest<"sendgroupmsg">>): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.GroupMessage, p);
    if (this.#rules.groupBanned(pid, p.gid, base.from)) throw new Refusal(RtmErrorCode.BannedInGroup, `from ${base.from} is banned in group ${p.gid}`);
    return { mtime: await this.#storage.writes.send([{ ...base, target: p.gid }]) };
  }

  async sendroommsg(pid: number, p: WithBodies<ChatRequest<"sendroommsg">>): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.RoomMessage, p);
    if (this.#rules.roomBanned(pid, p.rid, base.from)) throw new Refusal(RtmErrorCode.BannedInRoom, `from ${base.from} is banned in room ${p.rid}`);
    return { mtime: await this.#storage.writes.send([{ ...base, target: p.rid }]) };
  }

  async broadcastmsg(pid: number, p: WithBodies<ChatRequest<"broadcastmsg">>): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.BroadcastMessage, p);
    return { mtime: await this.#storage.writes.send([{ ...base, target: 0n }]) };
  }

  getgroupmsg(pid: number, p: ChatRequest<"getgroupmsg">): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.GroupMessage, p.gid, p.uid, p);
  }

  getroommsg(pid: number, p: ChatRequest<"getroommsg">): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.RoomMessage, p.rid, p.uid, p);
  }

  getbroadcastmsg(pid: number, p: ChatRequest<"getbroadcastmsg">): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.BroadcastMessage, 0n, p.uid, p);
  }

  /** Both directions of the conversation (uid, ouid); row element 1 is the P2PDirection relative to uid. */
  getp2pmsg(pid: number, p: ChatRequest<"getp2pmsg">): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.P2PMessage, p.ouid, p.uid, p);
  }

  getmsg(pid: number, p: ChatRequest<"getmsg">): RetrievedMessage {
    const key = messageKey(pid, p);
    const message = this.#storage.store.getMessage(key);
    if (message === undefined) throw notFound(key);
    return message;
  }

  async delmsg(pid: number, p: ChatRequest<"delmsg">): Promise<Record<string, never>> {
    const key = messageKey(pid, p);
    if (!(await this.#storage.writes.delete(key))) throw notFound(key);
    return {};
  }

  getmsgnum(pid: number, p: ChatRequest<"getmsgnum">): Promise<MessageCount> {
    const category = p.type;
    if (category !== MessageCategory.GroupMessage && category !== MessageCategory.RoomMessage) {
      throw new Refusal(RtmErrorCode.InvalidParameter, `type must be ${MessageCategory.GroupMessage} (group) or ${MessageCategory.RoomMessage} (room), got ${category}`);
    }
    return this.#storage.store.count({ pid, category, target: p.xid, begin: p.begin ?? 0n, end: p.end ?? 0n, mtypes: p.mtypes ?? [] });
  }

  #sendBase(pid: number, category: MessageCategory, p: SendFields): Omit<NewMessage, "target"> {
    checkMtype(p.mtype);
    checkBodies(this.#limits, p.msg, p.attrs);
    return { pid, category, from: p.from, mid: p.mid, mtype: p.mtype, msg: p.msg, attrs: p.attrs };
  }

  #history(pid: number, category: MessageCategory, target: bigint, uid: bigint, p: HistoryFields): HistoryPage | Promise<HistoryPage> {
    if (p.num < 1) throw new Refusal(RtmErrorCode.InvalidParameter, `num must be 1..${HISTORY_PAGE_MAX}, got ${p.num}`);
    return this.#storage.store.history({ pid, category, target, uid, desc: p.desc, num: p.num, begin: p.begin, end: p.end, lastid: p.lastid, mtypes: p.mtypes });
  }
}

const categories: readonly number[] = Object.values(MessageCategory);

function messageKey(pid: number, p: ChatRequest<"getmsg">): MessageKey {
  if (!categories.includes(p.type)) {
    throw new Refusal(RtmErrorCode.InvalidParameter, `type must be one of ${Object.entries(MessageCategory).map(([name, value]) => `${value} (${name})`).join(", ")}, got ${p.type}`);
  }
  const category = p.type as MessageCategory;
  return { pid, category, from: p.from, target: category === MessageCategory.BroadcastMessage ? 0n : p.xid, mid: p.mid };
}

function notFound(key: MessageKey): Refusal {
  return new Refusal(RtmErrorCode.MessageNotFound, `no message mid ${key.mid} from ${key.from} (type ${key.category}, xid ${key.target})`);
}
