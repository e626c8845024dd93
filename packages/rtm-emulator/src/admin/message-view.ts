import { withAudioInfo, withFileInfo, type HistoryMessage } from "@rtmkit/rtm-server-sdk";
import type { ConsoleMessage, ConversationKind } from "./types.js";

/** A messages row as the views read it (safeIntegers: every integer a bigint). */
export interface MessageRow {
  id: bigint;
  from_uid: bigint;
  target: bigint;
  mid: bigint;
  mtype: bigint;
  msg: string | Buffer;
  attrs: string | Buffer;
  mtime: bigint;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A stored message as the console shows it. fileInfo and audioInfo are read the way the SDK reads history
 * (withFileInfo, withAudioInfo); unlike the SDK, `message` stays the stored text (an audio message's recognised
 * text is audioInfo.text).
 */
export function consoleMessage(kind: ConversationKind, row: MessageRow): ConsoleMessage {
  const message = bodyText(row.msg);
  const attrs = bodyText(row.attrs);
  const mtype = Number(row.mtype);
  const read: HistoryMessage =
    typeof row.msg === "string" && typeof row.attrs === "string"
      ? withFileInfo(withAudioInfo({ cursorId: row.id, fromUid: row.from_uid, toId: row.target, messageType: mtype, messageId: row.mid, message, attrs, modifiedTime: row.mtime }))
      : { cursorId: row.id, fromUid: row.from_uid, toId: row.target, messageType: mtype, messageId: row.mid, message, attrs, modifiedTime: row.mtime };
  const file = read.fileInfo;
  let audioInfo: ConsoleMessage["audioInfo"] = null;
  if (read.audioInfo !== undefined) {
    audioInfo = { language: read.audioInfo.sourceLanguage, duration: read.audioInfo.duration, text: read.audioInfo.recognizedText };
  } else if (file?.isRTMAudio === true) {
    audioInfo = {};
    if (file.language !== undefined) audioInfo.language = file.language;
    if (file.duration !== undefined) audioInfo.duration = file.duration;
  }
  let fileInfo: ConsoleMessage["fileInfo"] = null;
  if (file !== undefined) {
    fileInfo = { url: file.url, size: file.size.toString() };
    if (file.fileName !== undefined) fileInfo.fileName = file.fileName;
    if (file.fileExtension !== undefined) fileInfo.fileExtension = file.fileExtension;
  }
  return {
    cursor: row.id.toString(),
    kind,
    from: row.from_uid.toString(),
    to: row.target.toString(),
    mid: row.mid.toString(),
    mtype,
    message,
    attrs,
    mtime: row.mtime.toString(),
    fileInfo,
    audioInfo,
  };
}

/** Text as it is; bytes (a str that was not UTF-8) as "hex:<hex>". */
export function bodyText(body: string | Buffer): string {
  if (typeof body === "string") return body;
  try {
    return utf8.decode(body);
  } catch {
    return `hex:${body.toString("hex")}`;
  }
}
