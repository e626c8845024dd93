import type { Database, Statement } from "better-sqlite3";
import type { MessageStore } from "../storage/message-store.js";
import { MessageCategory } from "../storage/types.js";
import { CATEGORY_OF, idArg, integerArg, positiveIdArg } from "./args.js";
import { consoleMessage, type MessageRow } from "./message-view.js";
import type { ConsoleMessage, ConversationKind, ConversationSummary, MessagePage } from "./types.js";

/** Most conversations conversations() answers. */
export const MAX_CONVERSATIONS = 500;
/** Largest message page. */
export const MAX_MESSAGE_PAGE = 100;

/**
 * Conversations and their messages, read through the store's in-memory history index (the order history pages
 * walk) and one prepared statement per row. Reads only.
 */
export class ConversationViews {
  readonly #store: MessageStore;
  readonly #row: Statement<[id: number], MessageRow & { deleted: bigint }>;

  constructor(db: Database, store: MessageStore) {
    this.#store = store;
    this.#row = db
      .prepare<[number], MessageRow & { deleted: bigint }>("SELECT id, from_uid, target, mid, mtype, msg, attrs, mtime, deleted FROM messages WHERE id = ?")
      .safeIntegers();
  }

  /**
   * The conversations with live messages, the most recent first (by their newest row, deleted or not), at most
   * MAX_CONVERSATIONS. p2p: id and otherId are the two users, the lower first; broadcast: id "0".
   */
  conversations(pid: number, kind: ConversationKind): ConversationSummary[] {
    const found: { summary: ConversationSummary; mtime: number; id: number }[] = [];
    for (const { lo, hi, conversation, deleted } of this.#store.conversations(pid, CATEGORY_OF[kind])) {
      const live = conversation.length - deleted;
      if (live <= 0) continue;
      const mtime = conversation.mtimes[conversation.length - 1]!;
      const summary: ConversationSummary = { kind, id: lo.toString(), otherId: kind === "p2p" ? hi.toString() : null, messages: live, lastMtime: String(mtime) };
      found.push({ summary, mtime, id: conversation.ids[conversation.length - 1]! });
    }
    found.sort((a, b) => b.mtime - a.mtime || b.id - a.id);
    return found.slice(0, MAX_CONVERSATIONS).map((entry) => entry.summary);
  }

  /** One page of a conversation's live messages, newest first, older than the cursor `before` (a message's cursor) when given. */
  messages(pid: number, kind: ConversationKind, id: unknown, otherId: unknown, before: unknown, limit: unknown): MessagePage {
    const [lo, hi] = conversationPair(kind, id, otherId);
    const cursor = before === null ? undefined : positiveIdArg("before", before);
    const size = integerArg("limit", limit, 1, MAX_MESSAGE_PAGE);
    const conversation = this.#store.conversation(pid, CATEGORY_OF[kind], lo, hi);
    if (conversation === undefined) return { messages: [], next: null };
    const messages: ConsoleMessage[] = [];
    // One more than asked for tells whether a next page exists.
    let at = cursor === undefined ? conversation.length - 1 : conversation.lastBeforeId(cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor));
    for (; at >= 0 && messages.length <= size; at--) {
      const row = this.#row.get(conversation.ids[at]!);
      if (row !== undefined && row.deleted === 0n) messages.push(consoleMessage(kind, row));
    }
    if (messages.length <= size) return { messages, next: null };
    messages.length = size;
    return { messages, next: messages[size - 1]!.cursor };
  }
}

/** The (conv_lo, conv_hi) pair the table stores for a conversation, from the console's id and otherId. */
function conversationPair(kind: ConversationKind, id: unknown, otherId: unknown): [bigint, bigint] {
  const first = idArg("id", id);
  if (kind === "p2p") {
    if (otherId === null) throw new TypeError("otherId: a p2p conversation needs the other user, got null");
    const other = idArg("otherId", otherId);
    return first < other ? [first, other] : [other, first];
  }
  if (otherId !== null) throw new TypeError(`otherId: expected null for a ${kind} conversation, got ${typeof otherId === "string" ? JSON.stringify(otherId) : String(otherId)}`);
  if (CATEGORY_OF[kind] === MessageCategory.BroadcastMessage && first !== 0n) throw new TypeError(`id: the broadcast conversation is "0", got ${JSON.stringify(id)}`);
  return [first, 0n];
}
