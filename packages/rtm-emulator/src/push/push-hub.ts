import type { ListeningConnection, ListenService, ListenState } from "../services/listen.js";
import type { SendWatcher } from "../storage/write-batcher.js";
import { MessageCategory, type NewMessage, type StoredSend } from "../storage/types.js";
import { listensToEvent, listensToGroup, listensToP2P, listensToRoom } from "./listen-match.js";
import type { PushConnection } from "./push-connection.js";
import type { PushDelivery } from "./push-delivery.js";
import type { PushStats } from "./push-stats.js";
import { eventPushPayload, messagePushMethod, messagePushPayload, PING_PAYLOAD, type PresenceEvent } from "./push-payloads.js";

export interface PushHubOptions {
  readonly delivery: PushDelivery;
  /** Send every push twice, each with its own seq (FaultOptions.duplicatePushes): the listener must drop the repeat. */
  readonly duplicate: boolean;
  /** The emulator's "host:port", which pushevent names as the user's gate. */
  readonly endpoint: () => string;
  /** Server clock, ms (pushevent's time). */
  readonly now: () => number;
}

/**
 * Server push: who gets which message, event and ping. It hears of every committed send (as the storage's
 * SendWatcher, in commit order, so in order within each conversation) and of every presence change, matches
 * them against the listen state of the sender's project, encodes each push once, and hands the same bytes to
 * every matching connection. A project nobody listens in costs one map lookup per send.
 */
export class PushHub<C extends PushConnection & ListeningConnection> implements SendWatcher {
  readonly #listen: ListenService<C>;
  readonly #delivery: PushDelivery;
  readonly #duplicate: boolean;
  readonly #endpoint: () => string;
  readonly #now: () => number;

  constructor(listen: ListenService<C>, options: PushHubOptions) {
    this.#listen = listen;
    this.#delivery = options.delivery;
    this.#duplicate = options.duplicate;
    this.#endpoint = options.endpoint;
    this.#now = options.now;
  }

  /** Broadcasts are never pushed (listen has no filter for them); other sends only where somebody listens. */
  wants(pid: number, category: MessageCategory): boolean {
    return category !== MessageCategory.BroadcastMessage && this.#listen.listenersOf(pid) !== undefined;
  }

  /** One push per stored row: a sendmsgs row per recipient it was stored for, each with its own `to`. */
  stored(send: StoredSend): void {
    for (const row of send.rows) this.#pushMessage(row, send.mtime);
  }

  /** A user went online (login) or offline (logout). */
  presenceChanged(pid: number, uid: bigint, online: boolean): void {
    const listeners = this.#listen.listenersOf(pid);
    if (listeners === undefined) return;
    const event: PresenceEvent = online ? "login" : "logout";
    let payload: Uint8Array | undefined;
    for (const [connection, state] of listeners) {
      if (!listensToEvent(state, event)) continue;
      payload ??= eventPushPayload({ pid, event, uid, time: Math.floor(this.#now() / 1000), endpoint: this.#endpoint() });
      this.#push(connection, "pushevent", payload, pid);
    }
  }

  /** What became of the pushes so far. */
  stats(): PushStats {
    return this.#delivery.stats();
  }

  /** `ping` to every listening connection, once each (never duplicated: it carries nothing to tell apart). */
  ping(): void {
    for (const connection of this.#listen.connections()) this.#delivery.send(connection, "ping", PING_PAYLOAD);
  }

  #pushMessage(row: NewMessage, mtime: bigint): void {
    const listeners = this.#listen.listenersOf(row.pid);
    const method = messagePushMethod(row.category);
    if (listeners === undefined || method === undefined) return;
    let payload: Uint8Array | undefined;
    for (const [connection, state] of listeners) {
      if (!listensTo(state, row)) continue;
      payload ??= messagePushPayload(row, mtime);
      this.#push(connection, method, payload, row.pid);
    }
  }

  #push(connection: C, method: string, payload: Uint8Array, pid: number): void {
    this.#delivery.send(connection, method, payload, pid);
    if (this.#duplicate) this.#delivery.send(connection, method, payload, pid);
  }
}

function listensTo(state: Readonly<ListenState>, row: NewMessage): boolean {
  switch (row.category) {
    case MessageCategory.P2PMessage:
      return listensToP2P(state, row.from, row.target);
    case MessageCategory.GroupMessage:
      return listensToGroup(state, row.target);
    case MessageCategory.RoomMessage:
      return listensToRoom(state, row.target);
    default:
      return false;
  }
}
