import type { FileInfo } from "./generated/types.js";

/** The message types of file messages (FileMessageType: 40 image ... 50 other file). */
export const FILE_MTYPE_MIN = 40;
export const FILE_MTYPE_MAX = 50;

export function isFileMessageType(mtype: number): boolean {
  return mtype >= FILE_MTYPE_MIN && mtype <= FILE_MTYPE_MAX;
}

/**
 * What a file message carries, read from its msg (JSON `{url, size, surl?}`) and attrs: the nested form
 * `{rtm: {type, lang, duration, filename, ext, sign}, custom}` that RTM's newer SDKs read, or the flat
 * `{sign, filename, ext}` that RTM's C++ SDK f459 writes. Undefined when msg is not such JSON; attrs that
 * are not JSON only lose the name, extension and voice-message fields.
 */
export function parseFileInfo(msg: string, attrs: string): FileInfo | undefined {
  const body = jsonObject(msg);
  if (body === undefined || typeof body.url !== "string") return undefined;
  const size = sizeOf(body.size);
  if (size === undefined) return undefined;
  const info: FileInfo = { url: body.url, size, isRTMAudio: false };
  if (typeof body.surl === "string") info.surl = body.surl;

  const attributes = jsonObject(attrs);
  if (attributes === undefined) return info;
  const nested = attributes.rtm;
  const rtm = typeof nested === "object" && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : attributes;
  if (typeof rtm.filename === "string") info.fileName = rtm.filename;
  if (typeof rtm.ext === "string") info.fileExtension = rtm.ext;
  if (rtm.type === "audiomsg") {
    info.isRTMAudio = true;
    if (typeof rtm.lang === "string") info.language = rtm.lang;
    if (typeof rtm.duration === "number" && Number.isInteger(rtm.duration)) info.duration = rtm.duration;
  }
  return info;
}

/** A message with its fileInfo when it is a file message whose msg parses; the message and attrs stay as received. */
export function withFileInfo<M extends { messageType: number; message: string; attrs: string; fileInfo?: FileInfo }>(message: M): M {
  if (!isFileMessageType(message.messageType)) return message;
  const fileInfo = parseFileInfo(message.message, message.attrs);
  return fileInfo === undefined ? message : { ...message, fileInfo };
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A size as a JSON number (a non-negative integer) or a decimal string (a server may write an int64 as text). */
function sizeOf(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d{1,18}$/.test(value)) return BigInt(value);
  return undefined;
}
