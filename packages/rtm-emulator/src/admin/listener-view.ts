import type { Connection } from "@rtmkit/fpnn";
import { peerOf } from "../push/push-connection.js";
import type { ListenService } from "../services/listen.js";
import type { ListenerState } from "./types.js";

/**
 * The connections listening in a project and what they listen to. `since` is when the connection opened (ms of
 * the wall clock: FPNN notes the moment on the connection); unansweredPushes counts the quests the emulator sent it
 * (pushes and pings) that it has not answered yet. Oldest connection first.
 */
export function listenerStates(listen: ListenService<Connection>, pid: number): ListenerState[] {
  const states: ListenerState[] = [];
  for (const [connection, state] of listen.listenersOf(pid) ?? []) {
    states.push({
      connection: peerOf(connection),
      since: Math.round(performance.timeOrigin + connection.openedAt),
      listens: {
        gids: decimal(state.gids),
        rids: decimal(state.rids),
        uids: decimal(state.uids),
        events: [...state.events].sort(),
        allGroup: state.allGroup,
        allRoom: state.allRoom,
        allP2P: state.allP2P,
        allEvent: state.allEvent,
      },
      unansweredPushes: connection.pendingCount,
    });
  }
  return states.sort((a, b) => a.since - b.since || a.connection.localeCompare(b.connection));
}

function decimal(ids: ReadonlySet<bigint>): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}
