import { DEFAULT_MAX_FRAME_SIZE } from "@rtmkit/fpnn";
import { Refusal, RtmErrorCode } from "./errors.js";

/** Limits on what one send may carry. Every field is in the units its name says. */
export interface ChatLimits {
  /** Largest `msg` in bytes (UTF-8 length for strings). Over it: LARGE_MESSAGE_OR_ATTRS. */
  readonly maxMessageBytes: number;
  /** Largest `attrs` in bytes. Over it: LARGE_MESSAGE_OR_ATTRS. */
  readonly maxAttrsBytes: number;
  /** Most recipients in one `sendmsgs`. Over it: TOO_MANY_ITEMS_IN_PARAMETERS. */
  readonly maxRecipients: number;
}

/**
 * Defaults: 32 KiB for a message is far above any chat text and still keeps 1M stored rows in a few
 * GB at worst; attrs are metadata, 8 KiB is generous; 200 recipients per `sendmsgs` keeps one send
 * bounded at 200 rows.
 */
export const DEFAULT_LIMITS: ChatLimits = {
  maxMessageBytes: 32 * 1024,
  maxAttrsBytes: 8 * 1024,
  maxRecipients: 200,
};

/** At most this many rows per history page, whatever `num` asks for (RTM's own cap). */
export const HISTORY_PAGE_MAX = 20;

export const MTYPE_MIN = 1;
export const MTYPE_MAX = 127;

/** A message body: text, or the raw bytes of a msgpack str that is not valid UTF-8 (see server/wire-bodies.ts). */
export type MessageBody = string | Uint8Array;

/**
 * Largest msg + attrs of one message such that a full history page still fits one FPNN answer frame
 * (8 MiB): 20 rows, each with up to 64 bytes besides its bodies (the row array, five int64 values at 9
 * bytes each, mtype, deleted, and the two 5-byte str32/bin32 headers come to 50), and 1 KiB for the
 * frame header and the page's other keys (~80 bytes). 419,315 bytes.
 */
export const MAX_ROW_BODY_BYTES = Math.floor((DEFAULT_MAX_FRAME_SIZE - 1024) / HISTORY_PAGE_MAX) - 64;

/**
 * Why the msg and attrs limits are too large together for a history page to fit one answer frame,
 * naming the options as `names` says; undefined when they fit.
 */
export function bodyLimitsProblem(limits: Pick<ChatLimits, "maxMessageBytes" | "maxAttrsBytes">, names: { msg: string; attrs: string }): string | undefined {
  const { maxMessageBytes: msg, maxAttrsBytes: attrs } = limits;
  if (msg + attrs <= MAX_ROW_BODY_BYTES) return undefined;
  const why = `a history page of ${HISTORY_PAGE_MAX} messages must fit one ${DEFAULT_MAX_FRAME_SIZE / 2 ** 20} MiB answer frame, so msg and attrs together may be at most ${MAX_ROW_BODY_BYTES} bytes`;
  // The larger of the two is the one to lower (down to what the other leaves).
  const [name, value, otherName, other] = msg >= attrs ? [names.msg, msg, names.attrs, attrs] : [names.attrs, attrs, names.msg, msg];
  if (other >= MAX_ROW_BODY_BYTES) return `${names.msg} ${msg} and ${names.attrs} ${attrs} are too large: ${why}`;
  return `${name} ${value} is too large with ${otherName} ${other}: ${why}; the largest ${name} is ${MAX_ROW_BODY_BYTES - other}`;
}

export function resolveLimits(overrides: Partial<ChatLimits> = {}): ChatLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`limits.${name} must be a positive integer, got ${value}`);
  }
  const problem = bodyLimitsProblem(limits, { msg: "limits.maxMessageBytes", attrs: "limits.maxAttrsBytes" });
  if (problem !== undefined) throw new RangeError(problem);
  return limits;
}

export function checkMtype(mtype: number): void {
  if (!Number.isInteger(mtype) || mtype < MTYPE_MIN || mtype > MTYPE_MAX) {
    throw new Refusal(RtmErrorCode.InvalidMtype, `mtype must be ${MTYPE_MIN}..${MTYPE_MAX}, got ${mtype}`);
  }
}

export function byteLength(body: MessageBody): number {
  return typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
}

export function checkBodies(limits: ChatLimits, msg: MessageBody, attrs: MessageBody): void {
  const msgBytes = byteLength(msg);
  if (msgBytes > limits.maxMessageBytes) {
    throw new Refusal(RtmErrorCode.LargeMessageOrAttrs, `msg is ${msgBytes} bytes, the limit is ${limits.maxMessageBytes}`);
  }
  const attrsBytes = byteLength(attrs);
  if (attrsBytes > limits.maxAttrsBytes) {
    throw new Refusal(RtmErrorCode.LargeMessageOrAttrs, `attrs is ${attrsBytes} bytes, the limit is ${limits.maxAttrsBytes}`);
  }
}

export function checkRecipients(limits: ChatLimits, count: number): void {
  if (count === 0) throw new Refusal(RtmErrorCode.EmptyParameter, "tos is empty");
  if (count > limits.maxRecipients) {
    throw new Refusal(RtmErrorCode.TooManyItemsInParameters, `tos has ${count} recipients, the limit is ${limits.maxRecipients}`);
  }
}
