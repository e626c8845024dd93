import type { Payload } from "./msgpack/index.js";
import { FpnnError } from "./errors.js";
import { FpnnErrorCode } from "./generated/error-codes.js";
import { SeqIndex } from "./seq-index.js";

/** One quest waiting for its answer (or, in the client's queue, for a connection). */
export interface PendingQuest {
  seq: number;
  readonly method: string;
  /** Settles exactly once, through resolve/reject below (only the settle* functions call them). */
  readonly promise: Promise<Payload>;
  readonly resolve: (answer: Payload) => void;
  readonly reject: (error: FpnnError) => void;
  /** Absolute deadline in performance.now() milliseconds. */
  deadline: number;
  slot: number;
  /** Position in the order quests were added to their table (takeAll() returns the oldest first). */
  order: number;
  /** performance.now() when sent; only tracked when an answer hook wants the latency. */
  startedAt: number;
  signal: AbortSignal | undefined;
  /** Called with the quest when its signal aborts (set only with a signal). */
  onAbort: ((quest: PendingQuest) => void) | undefined;
  /** The quests waiting under the same signal, this one included, while it waits. */
  watch: SignalWatch | undefined;
  /** Set while the quest waits in the client's queue: the encoded method name and payload. */
  methodBytes: Buffer | undefined;
  payloadBytes: Buffer | undefined;
  /** The table holding the quest right now. */
  table: QuestTable | undefined;
  /** Neighbours in its deadline slot's list. */
  prev: SlotNode | undefined;
  next: SlotNode | undefined;
}

/** A node of a slot's circular list: a quest, or the slot's own sentinel. */
interface SlotNode {
  prev: SlotNode | undefined;
  next: SlotNode | undefined;
}

/** Promise executor shared by every quest (no closure per quest): hands out resolve and reject. */
let capturedResolve: ((answer: Payload) => void) | undefined;
let capturedReject: ((error: FpnnError) => void) | undefined;
function capture(resolve: (answer: Payload) => void, reject: (error: FpnnError) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** A quest not yet in any table, with the promise its caller gets; `timeoutMs` counts from now. */
export function newPendingQuest(
  method: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onAbort: ((quest: PendingQuest) => void) | undefined,
): PendingQuest {
  const promise = new Promise<Payload>(capture);
  const now = performance.now();
  const quest: PendingQuest = {
    seq: 0,
    method,
    promise,
    resolve: capturedResolve!,
    reject: capturedReject!,
    deadline: now + timeoutMs,
    slot: 0,
    order: 0,
    startedAt: now,
    signal,
    onAbort: undefined,
    watch: undefined,
    methodBytes: undefined,
    payloadBytes: undefined,
    table: undefined,
    prev: undefined,
    next: undefined,
  };
  if (signal !== undefined && onAbort !== undefined) {
    quest.onAbort = onAbort;
    joinWatch(quest, signal);
  }
  return quest;
}

/**
 * The quests waiting under one AbortSignal and the signal's one 'abort' listener, however many
 * quests share it: a listener per quest made Node warn past ten (MaxListenersExceededWarning) and
 * cost an addEventListener and removeEventListener per quest.
 */
interface SignalWatch {
  readonly signal: AbortSignal;
  readonly quests: Set<PendingQuest>;
  readonly listener: () => void;
}

/** The watch of each signal with quests waiting under it; removed with its listener when the last settles. */
const watches = new WeakMap<AbortSignal, SignalWatch>();

function joinWatch(quest: PendingQuest, signal: AbortSignal): void {
  let watch = watches.get(signal);
  if (watch === undefined) {
    const created: SignalWatch = { signal, quests: new Set(), listener: () => abortWatch(created) };
    watches.set(signal, created);
    signal.addEventListener("abort", created.listener, { once: true });
    watch = created;
  }
  watch.quests.add(quest);
  quest.watch = watch;
}

/** A quest settles: it leaves its watch, and the last one out removes the listener. */
function leaveWatch(quest: PendingQuest): void {
  const watch = quest.watch!;
  quest.watch = undefined;
  watch.quests.delete(quest);
  if (watch.quests.size === 0 && watches.get(watch.signal) === watch) {
    watches.delete(watch.signal);
    watch.signal.removeEventListener("abort", watch.listener);
  }
}

/** The signal aborted (its once-listener is gone): every quest still waiting under it is aborted. */
function abortWatch(watch: SignalWatch): void {
  watches.delete(watch.signal);
  // Each onAbort settles its quest, which deletes it from the set: safe while iterating a Set.
  for (const quest of watch.quests) quest.onAbort!(quest);
  watch.quests.clear();
}

/** Deadline granularity: a quest times out at most this much after its deadline, never before. */
const TICK_MS = 20;

/**
 * seq -> pending quest, with deadlines kept in coarse time slots (intrusive linked lists, so adding
 * and removing allocate nothing) swept by one timer per table, running only while the table is not
 * empty: no timer per quest.
 */
export class QuestTable {
  private readonly pending = new SeqIndex<PendingQuest>();
  private added = 0;
  private readonly slots = new Map<number, SlotNode>();
  private lastSlot = -1;
  private lastSentinel: SlotNode | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sweptSlot = 0;

  constructor(private readonly onExpire: (quest: PendingQuest) => void) {}

  get size(): number {
    return this.pending.size;
  }

  add(quest: PendingQuest): void {
    quest.table = this;
    quest.order = this.added++;
    this.pending.add(quest);
    const slot = Math.ceil(quest.deadline / TICK_MS);
    quest.slot = slot;
    let sentinel = slot === this.lastSlot ? this.lastSentinel : this.slots.get(slot);
    if (sentinel === undefined) {
      sentinel = { prev: undefined, next: undefined };
      sentinel.prev = sentinel.next = sentinel;
      this.slots.set(slot, sentinel);
    }
    this.lastSlot = slot;
    this.lastSentinel = sentinel;
    const tail = sentinel.prev!;
    quest.prev = tail;
    quest.next = sentinel;
    tail.next = quest;
    sentinel.prev = quest;
    if (this.timer === undefined) {
      this.sweptSlot = Math.floor(performance.now() / TICK_MS);
      this.timer = setInterval(this.sweep, TICK_MS);
    }
  }

  /** Removes and returns the quest (undefined when unknown: answered, expired or never sent). */
  take(seq: number): PendingQuest | undefined {
    const quest = this.pending.take(seq);
    if (quest === undefined) return undefined;
    quest.table = undefined;
    quest.prev!.next = quest.next;
    quest.next!.prev = quest.prev;
    quest.prev = quest.next = undefined;
    return quest;
  }

  /** Removes every quest, oldest first. */
  takeAll(): PendingQuest[] {
    const all = this.pending.entries().sort(byOrder);
    for (const quest of all) {
      quest.table = undefined;
      quest.prev = quest.next = undefined;
    }
    this.pending.clear();
    this.slots.clear();
    this.lastSlot = -1;
    this.lastSentinel = undefined;
    this.stopTimer();
    return all;
  }

  private readonly sweep = (): void => {
    const now = Math.floor(performance.now() / TICK_MS);
    for (let slot = this.sweptSlot + 1; slot <= now; slot++) {
      const sentinel = this.slots.get(slot);
      if (sentinel === undefined) continue;
      this.slots.delete(slot);
      if (slot === this.lastSlot) {
        this.lastSlot = -1;
        this.lastSentinel = undefined;
      }
      let node = sentinel.next!;
      while (node !== sentinel) {
        const quest = node as PendingQuest;
        node = node.next!;
        quest.table = undefined;
        quest.prev = quest.next = undefined;
        this.pending.take(quest.seq);
        this.onExpire(quest);
      }
    }
    this.sweptSlot = now;
    if (this.pending.size === 0) this.stopTimer();
  };

  private stopTimer(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    // Empty slots of answered quests are dropped with the timer; a restart begins from the current slot.
    if (this.pending.size === 0) {
      this.slots.clear();
      this.lastSlot = -1;
      this.lastSentinel = undefined;
    }
  }
}

function byOrder(a: PendingQuest, b: PendingQuest): number {
  return a.order - b.order;
}

/** Settles a quest: takes it out of its signal's watch first. */
export function settleResolve(quest: PendingQuest, answer: Payload): void {
  if (quest.watch !== undefined) leaveWatch(quest);
  quest.resolve(answer);
}

export function settleReject(quest: PendingQuest, error: FpnnError): void {
  if (quest.watch !== undefined) leaveWatch(quest);
  quest.reject(error);
}

/** The onAbort of every quest: takes the quest out of whichever table holds it and rejects it with 20015. */
export function abortQuest(quest: PendingQuest): void {
  const table = quest.table;
  if (table !== undefined && table.take(quest.seq) === quest) settleReject(quest, cancelledError(quest.method, quest.signal!));
}

export function cancelledError(method: string, signal: AbortSignal): FpnnError {
  return new FpnnError(FpnnErrorCode.CoreCancelled, `quest ${method} cancelled`, { method, cause: signal.reason });
}

export function timeoutError(quest: PendingQuest): FpnnError {
  const seconds = Math.round((quest.deadline - quest.startedAt) / 10) / 100;
  return new FpnnError(FpnnErrorCode.CoreTimeout, `quest ${quest.method} timed out after ${seconds} s`, { method: quest.method });
}
