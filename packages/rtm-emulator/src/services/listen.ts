import { Refusal, RtmErrorCode } from "../errors.js";
import type { Empty } from "./common.js";

/** The events a connection can listen to (RTM supports these two). */
export const LISTEN_EVENTS: readonly string[] = ["login", "logout"];

/** Most ids (or events) one connection may listen to per kind: listen state lives in memory. */
export const MAX_LISTENED_IDS = 10_000;

/** What one connection listens to in one project. */
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

/** A connection as the listen registry needs it: whether it is open, and when it closes. */
export interface ListeningConnection {
  readonly isOpen: boolean;
  readonly closed: Promise<unknown>;
}

const ID_KINDS = ["gids", "rids", "uids"] as const;

/**
 * The listen state of every connection (addlisten, removelisten, setlisten), per project: the project is the
 * signed quest's pid. RTM keeps it per connection and a client restores it after reconnecting, so it lives
 * with the connection, in memory: an entry leaves when its connection closes, or when it no longer listens to
 * anything. So the registry holds at most one entry per open connection and project (the server's
 * maxConnections bounds it), and a project nobody listens in has no entry at all: a send there costs one
 * map lookup to find that out.
 */
export class ListenService<C extends ListeningConnection = ListeningConnection> {
  readonly #projects = new Map<number, Map<C, ListenState>>();
  /** Every listening connection with the number of projects it listens in (the ping goes once to each). */
  readonly #connections = new Map<C, number>();
  /** Connections whose close is watched already (one watch each, however often they come and go). */
  readonly #watched = new WeakSet<C>();

  addlisten(pid: number, connection: C, p: ListenIds): Empty {
    checkEvents(p.events);
    const state = this.stateOf(pid, connection) ?? emptyState();
    for (const kind of ID_KINDS) checkSize(kind, state[kind].size + [...new Set(p[kind])].filter((id) => !state[kind].has(id)).length);
    for (const kind of ID_KINDS) for (const id of p[kind] ?? []) state[kind].add(id);
    for (const event of p.events ?? []) state.events.add(event);
    this.#store(pid, connection, state);
    return {};
  }

  removelisten(pid: number, connection: C, p: ListenIds): Empty {
    checkEvents(p.events);
    const state = this.stateOf(pid, connection);
    if (state === undefined) return {};
    for (const kind of ID_KINDS) for (const id of p[kind] ?? []) state[kind].delete(id);
    for (const event of p.events ?? []) state.events.delete(event);
    this.#store(pid, connection, state);
    return {};
  }

  /** Replaces everything: keys a quest leaves out mean an empty set or false. */
  setlisten(pid: number, connection: C, p: SetListenRequest): Empty {
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
    this.#store(pid, connection, state);
    return {};
  }

  /** What a connection listens to in a project (undefined: nothing). */
  stateOf(pid: number, connection: C): ListenState | undefined {
    return this.#projects.get(pid)?.get(connection);
  }

  /** The connections listening to something in a project, with what they listen to; undefined when there are none. */
  listenersOf(pid: number): ReadonlyMap<C, Readonly<ListenState>> | undefined {
    return this.#projects.get(pid);
  }

  /** Every connection listening to something, in any project, once each. */
  connections(): IterableIterator<C> {
    return this.#connections.keys();
  }

  /** How many connections listen to something. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Keeps the state as the connection's in the project, or drops the entry when it listens to nothing. */
  #store(pid: number, connection: C, state: ListenState): void {
    let listeners = this.#projects.get(pid);
    if (isEmpty(state)) {
      if (listeners?.delete(connection) === true) this.#left(pid, listeners, connection);
      return;
    }
    // A quest handled after its connection closed would otherwise leave an entry nobody removes.
    if (!connection.isOpen) return;
    if (listeners === undefined) this.#projects.set(pid, (listeners = new Map()));
    if (!listeners.has(connection)) this.#connections.set(connection, (this.#connections.get(connection) ?? 0) + 1);
    listeners.set(connection, state);
    if (!this.#watched.has(connection)) {
      this.#watched.add(connection);
      void connection.closed.then(() => this.forget(connection));
    }
  }

  /**
   * Drops every entry of a connection. Called when its socket has closed, and by the server as soon as it gives
   * the connection up (its 'disconnect'), which may come earlier: a peer may keep its side open for a while.
   */
  forget(connection: C): void {
    if (!this.#connections.has(connection)) return;
    for (const [pid, listeners] of this.#projects) {
      if (listeners.delete(connection)) this.#left(pid, listeners, connection);
    }
  }

  #left(pid: number, listeners: Map<C, ListenState>, connection: C): void {
    if (listeners.size === 0) this.#projects.delete(pid);
    const projects = (this.#connections.get(connection) ?? 1) - 1;
    if (projects === 0) this.#connections.delete(connection);
    else this.#connections.set(connection, projects);
  }
}

function emptyState(): ListenState {
  return { gids: new Set(), rids: new Set(), uids: new Set(), events: new Set(), allGroup: false, allRoom: false, allP2P: false, allEvent: false };
}

function isEmpty(state: ListenState): boolean {
  return (
    state.gids.size === 0 && state.rids.size === 0 && state.uids.size === 0 && state.events.size === 0 && !state.allGroup && !state.allRoom && !state.allP2P && !state.allEvent
  );
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
