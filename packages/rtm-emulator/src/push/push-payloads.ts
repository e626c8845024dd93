import { packPayload } from "@rtmkit/fpnn";
import { answerBody } from "../server/wire-bodies.js";
import { MessageCategory, type NewMessage } from "../storage/types.js";

/** The push method of each category that is pushed (broadcasts are not: listen has no filter for them). */
export type MessagePushMethod = "pushmsg" | "pushgroupmsg" | "pushroommsg";

export function messagePushMethod(category: MessageCategory): MessagePushMethod | undefined {
  switch (category) {
    case MessageCategory.P2PMessage:
      return "pushmsg";
    case MessageCategory.GroupMessage:
      return "pushgroupmsg";
    case MessageCategory.RoomMessage:
      return "pushroommsg";
    default:
      return undefined;
  }
}

/**
 * The payload of a message push, encoded once for every listener: `from`, then `to`, `gid` or `rid` by
 * category, `mtype`, `mid`, `msg`, `attrs`, `mtime` (docs/emulator/push.md). Integers in their smallest msgpack form;
 * bodies as msgpack str exactly as stored (bytes that are not UTF-8 as such a str, as history answers them).
 */
export function messagePushPayload(row: NewMessage, mtime: bigint): Buffer {
  const msg = answerBody(row.msg);
  const attrs = answerBody(row.attrs);
  switch (row.category) {
    case MessageCategory.GroupMessage:
      return packPayload({ from: row.from, gid: row.target, mtype: row.mtype, mid: row.mid, msg, attrs, mtime });
    case MessageCategory.RoomMessage:
      return packPayload({ from: row.from, rid: row.target, mtype: row.mtype, mid: row.mid, msg, attrs, mtime });
    default:
      return packPayload({ from: row.from, to: row.target, mtype: row.mtype, mid: row.mid, msg, attrs, mtime });
  }
}

export type PresenceEvent = "login" | "logout";

export interface EventPush {
  readonly pid: number;
  readonly event: PresenceEvent;
  readonly uid: bigint;
  /** Unix seconds. */
  readonly time: number;
  /** "host:port" of the gate the user is on: the emulator's own endpoint. */
  readonly endpoint: string;
}

/** The payload of a `pushevent`: `pid`, `event`, `uid`, `time`, `endpoint`, `data` (reserved, ""). */
export function eventPushPayload(push: EventPush): Buffer {
  return packPayload({ pid: push.pid, event: push.event, uid: push.uid, time: push.time, endpoint: push.endpoint, data: "" });
}

/** `ping` carries nothing: the empty map. */
export const PING_PAYLOAD: Uint8Array = Uint8Array.of(0x80);
