import type { ListenState } from "../services/listen.js";
import type { PresenceEvent } from "./push-payloads.js";

/** A P2P message: the connection listens to its sender or its recipient, or to every P2P message. */
export function listensToP2P(state: Readonly<ListenState>, from: bigint, to: bigint): boolean {
  return state.allP2P || (state.uids.size > 0 && (state.uids.has(from) || state.uids.has(to)));
}

/** A group message: the connection listens to the group, or to every group. Listening to a user does not select its group messages. */
export function listensToGroup(state: Readonly<ListenState>, gid: bigint): boolean {
  return state.allGroup || state.gids.has(gid);
}

export function listensToRoom(state: Readonly<ListenState>, rid: bigint): boolean {
  return state.allRoom || state.rids.has(rid);
}

/** A login or logout: the connection listens to that event, or to every event; whoever the user is. */
export function listensToEvent(state: Readonly<ListenState>, event: PresenceEvent): boolean {
  return state.allEvent || state.events.has(event);
}
