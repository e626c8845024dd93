// The well-behaved side of the soak: SDK connections making a paced mix of RTM calls at a total target
// rate. Sends choose their own mid and a body derived from it, so every acknowledged message can be
// read back and checked (getChat now, the database file after the run); deletes are remembered so
// that "not found" is told apart as expected (a deleted message) or not (a lost one).
import { MessageCategory, nextId, RTMError, RTMServerClient, RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { MessageLedger, MessageState } from "./ledger.js";
import { LatencyReservoir } from "./reservoir.js";

export const CALL_KINDS = ["sendChat", "sendGroupChat", "sendRoomChat", "getGroupChat", "getP2PChat", "getChat", "deleteChat"] as const;
export type CallKind = (typeof CALL_KINDS)[number];

/** Share of the calls per kind, in percent. */
export const CALL_MIX: Readonly<Record<CallKind, number>> = {
  sendChat: 30,
  sendGroupChat: 15,
  sendRoomChat: 10,
  getGroupChat: 15,
  getP2PChat: 10,
  getChat: 15,
  deleteChat: 5,
};

export interface TrafficOptions {
  readonly pid: number;
  readonly secret: string;
  readonly endpoint: string;
  readonly connections: number;
  /** Calls per second over all connections. */
  readonly rate: number;
  readonly users: number;
  readonly groups: number;
  readonly rooms: number;
  /** Quest timeout of the SDK calls, seconds. */
  readonly timeoutSeconds: number;
}

/** Calls one connection may have unanswered; past it the scheduler skips that call and counts it. */
const MAX_IN_FLIGHT_PER_CONNECTION = 64;
/** The scheduler catches up at most this much missed time at once; older missed calls are skipped and counted. */
const MAX_CATCH_UP_MS = 100;
const TICK_MS = 2;
/** Latency samples kept per call kind (reservoir): bounds memory over any run length. */
const LATENCY_SAMPLES = 100_000;
/** Acknowledged messages getChat and deleteChat choose from. */
const RECENT = 16_384;
const RECENT_DELETED = 1024;
/** getChat of a deleted message, and deleteChat of one, in this share of those calls (expected: MESSAGE_NOT_FOUND). */
const DELETED_SHARE = 0.1;
const PAGE = 20;

const FILLER = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(256);

/** The body of the message with this mid: mostly 20..220 characters, one in 50 of 2..9 KiB. */
export function bodyOf(mid: number): string {
  const size = mid % 50 === 7 ? 2048 + (mid % 7168) : 20 + (mid % 200);
  return `soak ${mid} ${FILLER.slice(0, size)}`;
}

/** One kind of outcome that is not a plain success, counted. */
export interface Outcome {
  /** RTM or FPNN error code, or a name for a wrong answer ("wrong body", "deleted message served"). */
  readonly code: number | string;
  readonly expected: boolean;
  count: number;
  readonly methods: Set<CallKind>;
  /** The first such outcome's message. */
  readonly example: string;
}

export class KindStats {
  /** Settled calls (any result). */
  done = 0;
  readonly latency = new LatencyReservoir(LATENCY_SAMPLES);
}

/** Latency samples of the progress window (all kinds). */
const WINDOW_SAMPLES = 10_000;

export class Traffic {
  readonly #options: TrafficOptions;
  readonly clients: RTMServerClient[] = [];
  readonly #inFlight: number[];
  readonly ledger = new MessageLedger();
  readonly kinds = new Map<CallKind, KindStats>(CALL_KINDS.map((kind) => [kind, new KindStats()]));
  readonly outcomes = new Map<string, Outcome>();
  /** Calls not made: the scheduler fell behind by more than MAX_CATCH_UP_MS, or every connection had its maximum in flight. */
  skippedBehind = 0;
  skippedBacklog = 0;
  /** Well-behaved connections the server (or the network) closed during the run. */
  connectionsLost = 0;
  /** Conversations (P2P pairs, groups, rooms) with an acknowledged message: the emulator keeps an in-memory history order per conversation. */
  conversations = 0;
  /** Which conversations have one: P2P pairs as a users x users bitmap (1 MB for 1,000 users), then groups, then rooms. */
  readonly #seen: Uint8Array;
  /** Latencies since the last takeWindow(), all kinds. */
  #window = new LatencyReservoir(WINDOW_SAMPLES);
  #running = 0;
  #settled: (() => void) | undefined;
  #next = 0;
  #stopped = false;

  readonly #recent = new Int32Array(RECENT);
  #recentCount = 0;
  readonly #recentDeleted = new Int32Array(RECENT_DELETED);
  #recentDeletedCount = 0;
  /** Per group: the cursor of the next history page (0: the first page) and its direction. */
  readonly #groupCursor: { lastId: bigint; desc: boolean }[];
  #p2pCursor = { a: 1, b: 2, lastId: 0n, desc: true };
  readonly #pick: CallKind[] = [];

  constructor(options: TrafficOptions) {
    this.#options = options;
    this.#inFlight = new Array<number>(options.connections).fill(0);
    this.#seen = new Uint8Array(options.users * options.users + options.groups + options.rooms);
    this.#groupCursor = Array.from({ length: options.groups + 1 }, () => ({ lastId: 0n, desc: true }));
    for (const kind of CALL_KINDS) for (let i = 0; i < CALL_MIX[kind]; i++) this.#pick.push(kind);
    for (let i = 0; i < options.connections; i++) {
      const client = new RTMServerClient({ pid: options.pid, secret: options.secret, endpoint: options.endpoint, timeout: options.timeoutSeconds });
      client.fpnn.on("close", () => {
        if (!this.#stopped) this.connectionsLost++;
      });
      this.clients.push(client);
    }
  }

  async connect(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.connect()));
  }

  /** Calls settled so far, over all kinds. */
  get done(): number {
    let done = 0;
    for (const stats of this.kinds.values()) done += stats.done;
    return done;
  }

  /** The latencies since the last call (for progress lines), and a fresh window. */
  takeWindow(): LatencyReservoir {
    const window = this.#window;
    this.#window = new LatencyReservoir(WINDOW_SAMPLES);
    return window;
  }

  /** Non-success outcomes so far: [expected, unexpected]. */
  outcomeCounts(): [number, number] {
    let expected = 0;
    let unexpected = 0;
    for (const outcome of this.outcomes.values()) {
      if (outcome.expected) expected += outcome.count;
      else unexpected += outcome.count;
    }
    return [expected, unexpected];
  }

  /**
   * Makes calls at the target rate until `deadline` (performance.now() ms) or until `stop()` says so, then
   * waits up to `settleMs` for the calls in flight.
   */
  async run(deadline: number, stop: () => boolean, settleMs: number): Promise<void> {
    const started = performance.now();
    const perMs = this.#options.rate / 1000;
    let issued = 0;
    for (let now = started; now < deadline && !stop(); now = performance.now()) {
      let due = Math.floor((now - started) * perMs) - issued;
      const catchUp = Math.ceil(MAX_CATCH_UP_MS * perMs);
      if (due > catchUp) {
        this.skippedBehind += due - catchUp;
        issued += due - catchUp;
        due = catchUp;
      }
      for (; due > 0; due--, issued++) this.#issue();
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    if (this.#running > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((resolve) => (this.#settled = resolve)), new Promise((resolve) => (timer = setTimeout(resolve, settleMs)))]);
      clearTimeout(timer);
    }
  }

  /** Calls still unanswered. */
  get inFlight(): number {
    return this.#running;
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.clients.map((client) => client.close()));
  }

  #issue(): void {
    const connections = this.#options.connections;
    let c = this.#next;
    for (let tries = 0; this.#inFlight[c]! >= MAX_IN_FLIGHT_PER_CONNECTION; tries++) {
      if (tries === connections) {
        this.skippedBacklog++;
        return;
      }
      c = (c + 1) % connections;
    }
    this.#next = (c + 1) % connections;
    const kind = this.#pick[Math.floor(Math.random() * this.#pick.length)]!;
    const stats = this.kinds.get(kind)!;
    this.#inFlight[c]!++;
    this.#running++;
    const started = performance.now();
    this.#call(kind, this.clients[c]!).then(
      () => {
        const ms = performance.now() - started;
        stats.done++;
        stats.latency.add(ms);
        this.#window.add(ms);
        this.#inFlight[c]!--;
        if (--this.#running === 0) this.#settled?.();
      },
      (error: unknown) => {
        // #call reports every failure as an outcome; this only catches a bug in the benchmark itself.
        stats.done++;
        this.#inFlight[c]!--;
        this.#record(kind, "benchmark bug", false, String((error as Error)?.stack ?? error));
        if (--this.#running === 0) this.#settled?.();
      },
    );
  }

  /** One call of `kind`; resolves whatever the outcome (failures are recorded, not thrown). */
  async #call(kind: CallKind, client: RTMServerClient): Promise<void> {
    const o = this.#options;
    try {
      switch (kind) {
        case "sendChat": {
          const from = this.#user();
          let to = this.#user();
          if (to === from) to = (from % o.users) + 1;
          const mid = nextId();
          await client.sendChat(from, to, bodyOf(mid), "", { mid });
          this.#acknowledged(MessageCategory.P2PMessage, from, to, mid);
          return;
        }
        case "sendGroupChat": {
          const from = this.#user();
          const gid = 1 + Math.floor(Math.random() * o.groups);
          const mid = nextId();
          await client.sendGroupChat(from, gid, bodyOf(mid), '{"soak":true}', { mid });
          this.#acknowledged(MessageCategory.GroupMessage, from, gid, mid);
          return;
        }
        case "sendRoomChat": {
          const from = this.#user();
          const rid = 1 + Math.floor(Math.random() * o.rooms);
          const mid = nextId();
          await client.sendRoomChat(from, rid, bodyOf(mid), "", { mid });
          this.#acknowledged(MessageCategory.RoomMessage, from, rid, mid);
          return;
        }
        case "getGroupChat": {
          // Walk each group's history page by page; start again at the first page now and then or at its end.
          const gid = 1 + Math.floor(Math.random() * o.groups);
          const cursor = this.#groupCursor[gid]!;
          if (cursor.lastId === 0n || Math.random() < 0.2) {
            cursor.lastId = 0n;
            cursor.desc = Math.random() < 0.8;
          }
          const page = await client.getGroupChat(gid, cursor.desc, PAGE, 0, 0, cursor.lastId, this.#user());
          this.#checkPage(kind, page.messages);
          cursor.lastId = page.count < PAGE ? 0n : page.lastCursorId;
          return;
        }
        case "getP2PChat": {
          const cursor = this.#p2pCursor;
          if (cursor.lastId === 0n || Math.random() < 0.5) {
            const at = this.#recentOf(MessageCategory.P2PMessage);
            const [a, b] = at === undefined ? [1, 2] : [this.ledger.from(at), this.ledger.target(at)];
            this.#p2pCursor = { a, b, lastId: 0n, desc: Math.random() < 0.8 };
          }
          const { a, b, lastId, desc } = this.#p2pCursor;
          const page = await client.getP2PChat(a, b, desc, PAGE, 0, 0, lastId);
          this.#checkPage(kind, page.messages);
          if (this.#p2pCursor.a === a && this.#p2pCursor.b === b) this.#p2pCursor.lastId = page.count < PAGE ? 0n : page.lastCursorId;
          return;
        }
        case "getChat":
          return await this.#getChat(client);
        case "deleteChat":
          return await this.#deleteChat(client);
      }
    } catch (error) {
      this.#failed(kind, error, false);
    }
  }

  async #getChat(client: RTMServerClient): Promise<void> {
    const deleted = Math.random() < DELETED_SHARE && this.#recentDeletedCount > 0;
    const at = deleted ? this.#recentDeleted[Math.floor(Math.random() * Math.min(this.#recentDeletedCount, RECENT_DELETED))]! : this.#recentOf(undefined);
    if (at === undefined) return;
    const stateBefore = this.ledger.state(at);
    const mid = this.ledger.mid(at);
    try {
      const message = await client.getChat(mid, this.ledger.from(at), this.ledger.target(at), this.ledger.category(at) as MessageCategory);
      if (stateBefore === MessageState.Deleted) this.#record("getChat", "deleted message served", false, `getChat: mid ${mid} was deleted (acknowledged) and is still served`);
      else if (message.message !== bodyOf(mid)) this.#record("getChat", "wrong body", false, `getChat: mid ${mid}: body of ${message.message.length} chars differs from the one sent`);
    } catch (error) {
      // Not found is right for a deleted message, and possible while a delete of it is in flight: one sent
      // before this call, or after it on another connection and handled first.
      this.#failed("getChat", error, stateBefore !== MessageState.Live || this.ledger.state(at) !== MessageState.Live);
    }
  }

  async #deleteChat(client: RTMServerClient): Promise<void> {
    if (Math.random() < DELETED_SHARE && this.#recentDeletedCount > 0) {
      const at = this.#recentDeleted[Math.floor(Math.random() * Math.min(this.#recentDeletedCount, RECENT_DELETED))]!;
      try {
        await client.deleteChat(this.ledger.mid(at), this.ledger.from(at), this.ledger.target(at), this.ledger.category(at) as MessageCategory);
        this.#record("deleteChat", "deleted twice", false, `deleteChat: mid ${this.ledger.mid(at)} was deleted already and the second delete succeeded`);
      } catch (error) {
        this.#failed("deleteChat", error, true);
      }
      return;
    }
    let at: number | undefined;
    for (let tries = 0; tries < 4; tries++) {
      at = this.#recentOf(undefined);
      if (at === undefined || this.ledger.state(at) === MessageState.Live) break;
      at = undefined;
    }
    if (at === undefined) return;
    this.ledger.setState(at, MessageState.Deleting);
    // A failed delete leaves the message Deleting: it may or may not have been deleted.
    await client.deleteChat(this.ledger.mid(at), this.ledger.from(at), this.ledger.target(at), this.ledger.category(at) as MessageCategory);
    this.ledger.setState(at, MessageState.Deleted);
    this.#recentDeleted[this.#recentDeletedCount++ % RECENT_DELETED] = at;
  }

  /** Every row of a history page must carry the body its mid was sent with. */
  #checkPage(kind: CallKind, messages: readonly { message: string; messageId: bigint }[]): void {
    for (const message of messages) {
      if (message.message !== bodyOf(Number(message.messageId))) {
        this.#record(kind, "wrong body", false, `${kind}: mid ${message.messageId}: the body is not the one sent: ${message.message.slice(0, 40)}`);
        return;
      }
    }
  }

  #acknowledged(category: MessageCategory, from: number, target: number, mid: number): void {
    const at = this.ledger.add(category, from, target, BigInt(mid));
    this.#recent[this.#recentCount++ % RECENT] = at;
    const { users, groups } = this.#options;
    const conversation =
      category === MessageCategory.P2PMessage
        ? (Math.min(from, target) - 1) * users + Math.max(from, target) - 1
        : users * users + (category === MessageCategory.GroupMessage ? target - 1 : groups + target - 1);
    if (this.#seen[conversation] === 0) {
      this.#seen[conversation] = 1;
      this.conversations++;
    }
  }

  /** A recent acknowledged message, of the category if given (a few tries), or undefined. */
  #recentOf(category: MessageCategory | undefined): number | undefined {
    const size = Math.min(this.#recentCount, RECENT);
    if (size === 0) return undefined;
    for (let tries = 0; tries < 8; tries++) {
      const at = this.#recent[Math.floor(Math.random() * size)]!;
      if (category === undefined || this.ledger.category(at) === category) return at;
    }
    return undefined;
  }

  #user(): number {
    return 1 + Math.floor(Math.random() * this.#options.users);
  }

  #failed(kind: CallKind, error: unknown, notFoundExpected: boolean): void {
    if (RTMError.is(error)) {
      this.#record(kind, error.code, notFoundExpected && error.code === RtmErrorCode.MessageNotFound, `${kind}: ${error.message}`);
    } else {
      this.#record(kind, "exception", false, `${kind}: ${String((error as Error)?.stack ?? error)}`);
    }
  }

  #record(kind: CallKind, code: number | string, expected: boolean, message: string): void {
    const key = `${expected ? "expected" : "unexpected"} ${code}`;
    let outcome = this.outcomes.get(key);
    if (outcome === undefined) {
      outcome = { code, expected, count: 0, methods: new Set(), example: message.slice(0, 300) };
      this.outcomes.set(key, outcome);
    }
    outcome.count++;
    outcome.methods.add(kind);
  }
}
