import { Refusal, RtmErrorCode } from "../errors.js";
import type { Empty } from "./common.js";

/** The events a connection can listen to (RTM supports these two). */
export const LISTEN_EVENTS: readonly string[] = ["login", "logout"];

/** Most ids (or events) one connection may listen to per kind: listen state lives in memory. */
export const MAX_LISTENED_IDS = 10_000;

/** What one connection listens to. */
export interface ListenState {
  readonly gids: Set<bigint>;
  readonly rids: Set<bigint>;
  readonly uids: Set<bigint>;
  readonly events: Set<string>;
  allGroup: boolean;
  allRoom: boolean;
  allP2P: boolean;
  allEvent: boolean;
}

export interface ListenIds {
  readonly gids?: readonly bigint[] | undefined;
  readonly rids?: readonly bigint[] | undefined;
  readonly uids?: readonly bigint[] | undefined;
  readonly events?: readonly string[] | undefined;
}

/** setlisten: the id form, the all form, or (as RTM's Node SDK sends it) both in one quest. */
export interface SetListenRequest extends ListenIds {
  readonly group?: boolean | undefined;
  readonly room?: boolean | undefined;
  readonly p2p?: boolean | undefined;
  readonly ev?: boolean | undefined;
}

const ID_KINDS = ["gids", "rids", "uids"] as const;

/**
 * The listen state of every connection (addlisten, removelisten, setlisten). RTM keeps it per connection
 * and a client restores it after reconnecting, so it lives with the connection, in memory: it is gone
 * when the connection closes (a WeakMap keyed by the connection) and never outlives the emulator.
 */
export class ListenService {
  readonly #states = new WeakMap<object, ListenState>();

  addlisten(connection: object, p: ListenIds): Empty {
    checkEvents(p.events);
    const state = this.#stateFor(connection);
    for (const kind of ID_KINDS) checkSize(kind, state[kind].size + [...new Set(p[kind])].filter((id) => !state[kind].has(id)).length);
    for (const kind of ID_KINDS) for (const id of p[kind] ?? []) state[kind].add(id);
    for (const event of p.events ?? []) state.events.add(event);
    return {};
  }

  removelisten(connection: object, p: ListenIds): Empty {
    checkEvents(p.events);
    const state = this.#states.get(connection);
    if (state === undefined) return {};
    for (const kind of ID_KINDS) for (const id of p[kind] ?? []) state[kind].delete(id);
    for (const event of p.events ?? []) state.events.delete(event);
    return {};
  }

  /** Replaces everything: keys a quest leaves out mean an empty set or false. */
  setlisten(connection: object, p: SetListenRequest): Empty {
    checkEvents(p.events);
    const state: ListenState = {
      gids: new Set(p.gids),
      rids: new Set(p.rids),
      uids: new Set(p.uids),
      events: new Set(p.events),
      allGroup: p.group ?? false,
      allRoom: p.room ?? false,
      allP2P: p.p2p ?? false,
      allEvent: p.ev ?? false,
    };
    for (const kind of ID_KINDS) checkSize(kind, state[kind].size);
    this.#states.set(connection, state);
    return {};
  }

  /** What a connection listens to (undefined: nothing was ever set on it). */
  stateOf(connection: object): Readonly<ListenState> | undefined {
    return this.#states.get(connection);
  }

  #stateFor(connection: object): ListenState {
    let state = this.#states.get(connection);
    if (state === undefined) {
      state = { gids: new Set(), rids: new Set(), uids: new Set(), events: new Set(), allGroup: false, allRoom: false, allP2P: false, allEvent: false };
      this.#states.set(connection, state);
    }
    return state;
  }
}

function checkEvents(events: readonly string[] | undefined): void {
  for (const event of events ?? []) {
    if (!LISTEN_EVENTS.includes(event)) throw new Refusal(RtmErrorCode.InvalidParameter, `events: "${event}" is not an event (${LISTEN_EVENTS.join(", ")})`);
  }
}

/** Refused before anything changes: a connection listens to at most MAX_LISTENED_IDS ids of a kind. */
function checkSize(kind: string, size: number): void {
  if (size > MAX_LISTENED_IDS) throw new Refusal(RtmErrorCode.TooManyItemsInParameters, `${kind}: a connection listens to at most ${MAX_LISTENED_IDS} ids of a kind`);
}
