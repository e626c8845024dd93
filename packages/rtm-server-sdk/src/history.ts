import type { Hook } from "@rtmkit/protocol";
import { withFileInfo } from "./file-info.js";
import type { AudioInfo, HistoryMessage, HistoryMessageResult, HistoryRow } from "./generated/types.js";
import { MessageType, P2PDirection } from "./generated/types.js";

/** A history answer after the generated field mapping, before the rows become messages. */
export interface HistoryPage {
  count: number;
  lastCursorId: bigint;
  beginMsec: bigint;
  endMsec: bigint;
  messages: HistoryRow[];
}

/**
 * The audio info hook: an audio row whose msg is JSON `{sl, rl, rt, du}` exposes it as audioInfo
 * and uses the recognised text as the message; anything else is left unchanged.
 */
export function withAudioInfo(message: HistoryMessage): HistoryMessage {
  if (message.messageType !== MessageType.Audio || !message.message.startsWith("{")) return message;
  const info = parseAudioInfo(message.message);
  if (!info) return message;
  return { ...message, message: info.recognizedText, audioInfo: info };
}

function parseAudioInfo(text: string): AudioInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const { sl, rl, rt, du } = v as Record<string, unknown>;
  if (typeof sl !== "string" || typeof rl !== "string" || typeof rt !== "string" || typeof du !== "number") return undefined;
  return { sourceLanguage: sl, recognizedLanguage: rl, recognizedText: rt, duration: du };
}

function toMessage(row: HistoryRow, fromUid: bigint, toId: bigint): HistoryMessage {
  const [id, , mtype, mid, , msg, attrs, mtime] = row;
  return withFileInfo(withAudioInfo({ cursorId: id, fromUid, toId, messageType: mtype, messageId: mid, message: msg, attrs, modifiedTime: mtime }));
}

/** Group, room and broadcast history: row element 1 is the sender; toId is the group/room id (0 for broadcast). */
export function historyResult(page: HistoryPage, toId: bigint): HistoryMessageResult {
  return { ...page, messages: page.messages.map((row) => toMessage(row, row[1], toId)) };
}

/**
 * P2P history: row element 1 is the direction (1 sent by uid to ouid, 2 sent by ouid to uid).
 * Deleted rows are dropped, as the reference SDK does; `count` stays the server's row count.
 */
export function p2pHistoryResult(page: HistoryPage, uid: bigint, ouid: bigint): HistoryMessageResult {
  const messages: HistoryMessage[] = [];
  for (const row of page.messages) {
    if (row[4]) continue;
    const sent = row[1] === BigInt(P2PDirection.Sent);
    messages.push(toMessage(row, sent ? uid : ouid, sent ? ouid : uid));
  }
  return { ...page, messages };
}

const toBigInt = (v: unknown): bigint => (typeof v === "bigint" ? v : BigInt((v as number | undefined) ?? 0));

/** The history hooks the IDL names (`hook: { name, args }`); hooks.ts checks the full set against HookName. */
export const historyHooks = {
  history: (page: Record<string, unknown>, args: Record<string, unknown>) => historyResult(page as unknown as HistoryPage, toBigInt(args.toId)),
  p2pHistory: (page: Record<string, unknown>, args: Record<string, unknown>) =>
    p2pHistoryResult(page as unknown as HistoryPage, toBigInt(args.uid), toBigInt(args.ouid)),
} as const satisfies Record<string, Hook>;
