import { isUtf8 } from "node:buffer";
import { FrameFlag, StrBytes, topLevelStrBytes, type Frame } from "@rtmkit/fpnn";
import type { AnswerOf } from "@rtmkit/protocol";
import type { HistoryRow } from "@rtmkit/rtm-server-sdk";
import type { MessageBody } from "../limits.js";
import type { HistoryPage, RetrievedMessage } from "../storage/types.js";

/**
 * Message bodies between the wire and the store, byte for byte.
 *
 * C++ peers (RTM's own SDK) send bytes such as audio or files as a msgpack str, since that is how
 * msgpack writes a std::string; RTM's server, C++ too, keeps those bytes and sends them back as the same
 * str. msgpackr decodes a str that is not UTF-8 lossily, every invalid sequence becoming U+FFFD, so the
 * decoded text is not what was sent. When a decoded body holds U+FFFD, its raw bytes are read from the
 * frame: if they are not UTF-8 they are the body (stored as a BLOB, counted in bytes by the limits),
 * otherwise the text is exactly what was sent (U+FFFD itself is valid UTF-8). Bodies go back out as
 * they were stored: text as a str, bytes as a str holding those bytes (StrBytes).
 */

const REPLACEMENT = "\uFFFD";

/** A history row as it goes out. */
type WireHistoryRow = AnswerOf<typeof HistoryRow>;

/** A body of a send as the peer sent it. */
export function sentBody(decoded: string, key: string, frame: Frame): MessageBody {
  if (!decoded.includes(REPLACEMENT) || frame.flag !== FrameFlag.Msgpack) return decoded; // JSON text is always valid UTF-8
  const raw = topLevelStrBytes(frame.bytes, frame.payloadStart, frame.payloadEnd, key);
  if (raw === undefined || isUtf8(raw)) return decoded;
  return Buffer.from(raw); // a copy: the frame's buffer is reused once the quest is decoded, the store writes later
}

/** The request with its `msg` and `attrs` as the peer sent them (the same object when both are text as decoded). */
export function withSentBodies<T extends { readonly msg: string; readonly attrs: string }>(
  request: T,
  frame: Frame,
): Omit<T, "msg" | "attrs"> & { readonly msg: MessageBody; readonly attrs: MessageBody } {
  const msg = sentBody(request.msg, "msg", frame);
  const attrs = sentBody(request.attrs, "attrs", frame);
  return msg === request.msg && attrs === request.attrs ? request : { ...request, msg, attrs };
}

/** A stored body as it goes out. */
export function answerBody(body: MessageBody): string | StrBytes {
  return typeof body === "string" ? body : new StrBytes(body);
}

/** A getmsg answer: the stored message, its byte bodies as StrBytes. */
export function messageAnswer(message: RetrievedMessage): Omit<RetrievedMessage, "msg" | "attrs"> & { msg: string | StrBytes; attrs: string | StrBytes } {
  if (typeof message.msg === "string" && typeof message.attrs === "string") return message as RetrievedMessage & { msg: string; attrs: string };
  return { ...message, msg: answerBody(message.msg), attrs: answerBody(message.attrs) };
}

/** A history answer: byte bodies become StrBytes in place (the page's rows are made for this answer), nothing else is touched. */
export function historyAnswer(page: HistoryPage): Omit<HistoryPage, "msgs"> & { msgs: WireHistoryRow[] } {
  const rows = page.msgs;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (typeof row[5] !== "string" || typeof row[6] !== "string") {
      (row as unknown as WireHistoryRow)[5] = answerBody(row[5]);
      (row as unknown as WireHistoryRow)[6] = answerBody(row[6]);
    }
  }
  return page as unknown as Omit<HistoryPage, "msgs"> & { msgs: WireHistoryRow[] };
}
