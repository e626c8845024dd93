import { RtmCode, RtmError } from "./errors.js";
import { toInt64, toSmallInt, type Int64Like } from "./int64.js";
import { checkBodies, checkMtype, checkRecipients, DEFAULT_LIMITS, HISTORY_PAGE_MAX, type ChatLimits, type MessageBody } from "./limits.js";
import type { ChatStorage } from "./storage/chat-storage.js";
import { MessageCategory, type HistoryPage, type MessageCount, type MessageKey, type NewMessage, type RetrievedMessage } from "./storage/types.js";

// Parameter objects use the wire keys of PROTOCOL.md section 6 (auth keys are checked before, by Authenticator).

export interface SendParams {
  readonly mtype: Int64Like;
  readonly from: Int64Like;
  readonly mid: Int64Like;
  readonly msg: MessageBody;
  readonly attrs: MessageBody;
}
export interface SendP2PParams extends SendParams { readonly to: Int64Like }
export interface SendManyParams extends SendParams { readonly tos: readonly Int64Like[] }
export interface SendGroupParams extends SendParams { readonly gid: Int64Like }
export interface SendRoomParams extends SendParams { readonly rid: Int64Like }

export interface HistoryParams {
  readonly desc: boolean;
  readonly num: Int64Like;
  readonly begin: Int64Like;
  readonly end: Int64Like;
  readonly lastid: Int64Like;
  readonly mtypes: readonly Int64Like[];
}
export interface GroupHistoryParams extends HistoryParams { readonly gid: Int64Like; readonly uid: Int64Like }
export interface RoomHistoryParams extends HistoryParams { readonly rid: Int64Like; readonly uid: Int64Like }
export interface BroadcastHistoryParams extends HistoryParams { readonly uid: Int64Like }
export interface P2PHistoryParams extends HistoryParams { readonly uid: Int64Like; readonly ouid: Int64Like }

/** getmsg / delmsg: `type` is the MessageCategory, `xid` the peer uid, gid or rid (ignored for broadcast). */
export interface MessageRefParams {
  readonly mid: Int64Like;
  readonly from: Int64Like;
  readonly xid: Int64Like;
  readonly type: Int64Like;
}

/** getmsgnum: `type` 2 (group) or 3 (room), `xid` the gid or rid; absent filters count everything. */
export interface CountParams {
  readonly type: Int64Like;
  readonly xid: Int64Like;
  readonly mtypes?: readonly Int64Like[] | undefined;
  readonly begin?: Int64Like | undefined;
  readonly end?: Int64Like | undefined;
}

export interface SendAnswer { mtime: bigint }

/**
 * The chat semantics of the emulator, one method per FPNN method, over ChatStorage.
 * Refusals are RtmError: thrown by getmsg and by the other reads' parameter checks, rejected by the
 * writes; the server wiring turns them into error answers. Sends and deletes settle only after their
 * batch is committed; history pages and counts settle once read (long ones pause for the event loop).
 */
export class ChatService {
  readonly #storage: ChatStorage;
  readonly #limits: ChatLimits;

  constructor(storage: ChatStorage, limits: ChatLimits = DEFAULT_LIMITS) {
    this.#storage = storage;
    this.#limits = limits;
  }

  async sendmsg(pid: number, p: SendP2PParams): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.P2P, p);
    const to = toInt64("to", p.to);
    if (to === base.from) throw new RtmError(RtmCode.SEND_TO_SELF, "to is the sender itself");
    return { mtime: await this.#storage.writes.send([{ ...base, target: to }]) };
  }

  /** One p2p row per distinct recipient, all with the same mid; the answer is one mtime. */
  async sendmsgs(pid: number, p: SendManyParams): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.P2P, p);
    if (!Array.isArray(p.tos)) throw new RtmError(RtmCode.INVALID_PARAMETER, "tos must be a list of uids");
    checkRecipients(this.#limits, p.tos.length);
    const recipients = new Set<bigint>();
    for (const raw of p.tos) {
      const to = toInt64("tos", raw);
      if (to === base.from) throw new RtmError(RtmCode.SEND_TO_SELF, "tos contains the sender itself");
      recipients.add(to);
    }
    const rows: NewMessage[] = [];
    for (const to of recipients) rows.push({ ...base, target: to });
    return { mtime: await this.#storage.writes.send(rows) };
  }

  async sendgroupmsg(pid: number, p: SendGroupParams): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.Group, p);
    return { mtime: await this.#storage.writes.send([{ ...base, target: toInt64("gid", p.gid) }]) };
  }

  async sendroommsg(pid: number, p: SendRoomParams): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.Room, p);
    return { mtime: await this.#storage.writes.send([{ ...base, target: toInt64("rid", p.rid) }]) };
  }

  async broadcastmsg(pid: number, p: SendParams): Promise<SendAnswer> {
    const base = this.#sendBase(pid, MessageCategory.Broadcast, p);
    return { mtime: await this.#storage.writes.send([{ ...base, target: 0n }]) };
  }

  getgroupmsg(pid: number, p: GroupHistoryParams): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.Group, toInt64("gid", p.gid), toInt64("uid", p.uid), p);
  }

  getroommsg(pid: number, p: RoomHistoryParams): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.Room, toInt64("rid", p.rid), toInt64("uid", p.uid), p);
  }

  getbroadcastmsg(pid: number, p: BroadcastHistoryParams): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.Broadcast, 0n, toInt64("uid", p.uid), p);
  }

  /** Both directions of the conversation (uid, ouid); row element 1 is the direction relative to uid. */
  getp2pmsg(pid: number, p: P2PHistoryParams): HistoryPage | Promise<HistoryPage> {
    return this.#history(pid, MessageCategory.P2P, toInt64("ouid", p.ouid), toInt64("uid", p.uid), p);
  }

  getmsg(pid: number, p: MessageRefParams): RetrievedMessage {
    const key = messageKey(pid, p);
    const message = this.#storage.store.getMessage(key);
    if (message === undefined) throw notFound(key);
    return message;
  }

  async delmsg(pid: number, p: MessageRefParams): Promise<Record<string, never>> {
    const key = messageKey(pid, p);
    if (!(await this.#storage.writes.delete(key))) throw notFound(key);
    return {};
  }

  getmsgnum(pid: number, p: CountParams): Promise<MessageCount> {
    const type = toSmallInt("type", p.type);
    if (type !== MessageCategory.Group && type !== MessageCategory.Room) {
      throw new RtmError(RtmCode.INVALID_PARAMETER, `type must be 2 (group) or 3 (room), got ${type}`);
    }
    const mtypes = p.mtypes ?? [];
    if (!Array.isArray(mtypes)) throw new RtmError(RtmCode.INVALID_PARAMETER, "mtypes must be a list of integers");
    return this.#storage.store.count({
      pid,
      category: type,
      target: toInt64("xid", p.xid),
      begin: p.begin === undefined ? 0n : toInt64("begin", p.begin),
      end: p.end === undefined ? 0n : toInt64("end", p.end),
      mtypes: mtypes.map((mtype) => toSmallInt("mtypes", mtype)),
    });
  }

  #sendBase(pid: number, category: MessageCategory, p: SendParams): Omit<NewMessage, "target"> {
    const mtype = toSmallInt("mtype", p.mtype);
    checkMtype(mtype);
    checkBody("msg", p.msg);
    checkBody("attrs", p.attrs);
    checkBodies(this.#limits, p.msg, p.attrs);
    return { pid, category, from: toInt64("from", p.from), mid: toInt64("mid", p.mid), mtype, msg: p.msg, attrs: p.attrs };
  }

  #history(pid: number, category: MessageCategory, target: bigint, uid: bigint, p: HistoryParams): HistoryPage | Promise<HistoryPage> {
    const num = toSmallInt("num", p.num);
    if (num < 1) throw new RtmError(RtmCode.INVALID_PARAMETER, `num must be 1..${HISTORY_PAGE_MAX}, got ${num}`);
    if (!Array.isArray(p.mtypes)) throw new RtmError(RtmCode.INVALID_PARAMETER, "mtypes must be a list of integers");
    return this.#storage.store.history({
      pid,
      category,
      target,
      uid,
      desc: p.desc === true,
      num,
      begin: toInt64("begin", p.begin),
      end: toInt64("end", p.end),
      lastid: toInt64("lastid", p.lastid),
      mtypes: p.mtypes.map((mtype) => toSmallInt("mtypes", mtype)),
    });
  }
}

function messageKey(pid: number, p: MessageRefParams): MessageKey {
  const type = toSmallInt("type", p.type);
  if (type < MessageCategory.P2P || type > MessageCategory.Broadcast) {
    throw new RtmError(RtmCode.INVALID_PARAMETER, `type must be 1 (p2p), 2 (group), 3 (room) or 4 (broadcast), got ${type}`);
  }
  const category = type as MessageCategory;
  return {
    pid,
    category,
    from: toInt64("from", p.from),
    target: category === MessageCategory.Broadcast ? 0n : toInt64("xid", p.xid),
    mid: toInt64("mid", p.mid),
  };
}

function checkBody(field: string, body: unknown): void {
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new RtmError(RtmCode.INVALID_PARAMETER, `${field} must be a string`);
  }
}

function notFound(key: MessageKey): RtmError {
  return new RtmError(RtmCode.NO_MESSAGE_FOUND, `no message mid ${key.mid} from ${key.from} (type ${key.category}, xid ${key.target})`);
}
