import { FpnnError, FpnnErrorCode, unpackPayload, type Payload, type QuestContext, type ServerConnection, type ServerHandler, type ServerInterceptor } from "@rtmkit/fpnn";
import { peerOf, type PushConnection } from "../push/push-connection.js";
import type { PushOutcome, PushTap } from "../push/push-delivery.js";
import { ProjectCounters } from "./project-counters.js";
import { Ring } from "./ring.js";
import { NO_KEYS, summarize } from "./summary.js";
import type { TrafficEvent } from "./types.js";

/** TrafficEvents kept for recentTraffic(). */
export const TRAFFIC_RING_SIZE = 1000;
/** What an answer event says when the connection closed before an answer was sent (e.g. an answer dropped by a fault). */
export const NOT_ANSWERED = "(not answered: the connection closed first)";

type Listener = (event: TrafficEvent) => void;
type Result = ReturnType<ServerHandler>;
/** The fields a quest's events share. */
type QuestBase = Pick<TrafficEvent, "pid" | "method" | "connection" | "uid">;

/**
 * The admin model's view of the traffic. Its interceptor (installed first, around every handler) counts every
 * quest of a project, and its error answers, per project; pushes are counted as PushDelivery tells it (PushTap).
 * TrafficEvents are built only while somebody subscribes (then every quest, answer, push and push answer is
 * one); without subscribers a quest costs a map lookup, a clock read and a few counter updates. Error answers
 * are the exception: each becomes an event for its project's recentErrors, subscribed or not.
 */
export class TrafficTap implements PushTap {
  readonly #projects: ReadonlyMap<number, ProjectCounters>;
  readonly #now: () => number;
  readonly #onListenerError: (error: unknown) => void;
  readonly #listeners = new Set<Listener>();
  readonly #ring = new Ring<TrafficEvent>(TRAFFIC_RING_SIZE);
  #seq = 0;

  constructor(pids: Iterable<number>, now: () => number, onListenerError: (error: unknown) => void) {
    this.#projects = new Map([...pids].map((pid) => [pid, new ProjectCounters()]));
    this.#now = now;
    this.#onListenerError = onListenerError;
  }

  readonly interceptor: ServerInterceptor = (next) => (payload, context) => {
    const pid = payload.pid;
    const project = typeof pid === "number" ? this.#projects.get(pid) : undefined;
    if (this.#listeners.size !== 0) return this.#traced(next, payload, context, project);
    if (project === undefined) return next(payload, context);
    project.called(context.connection, this.#second());
    let result: Result;
    try {
      result = next(payload, context);
    } catch (error) {
      this.#failed(project, questBase(payload, context), payload, error, null);
      throw error;
    }
    if (result instanceof Promise) result.then(undefined, (error: unknown) => void this.#failed(project, questBase(payload, context), payload, error, null));
    return result;
  };

  /** The counters of a project of this emulator. */
  counters(pid: number): ProjectCounters {
    return this.#projects.get(pid)!;
  }

  subscribe(listener: Listener): () => void {
    if (typeof listener !== "function") throw new TypeError(`listener: expected a function, got ${typeof listener}`);
    // A wrapper of its own per call: subscribing the same function twice gives two subscriptions.
    const subscription: Listener = (event) => listener(event);
    this.#listeners.add(subscription);
    return () => void this.#listeners.delete(subscription);
  }

  /** Newest first. */
  recent(limit: number): TrafficEvent[] {
    return this.#ring.newest(limit);
  }

  sent(pid: number | null, connection: PushConnection, method: string, payload: Uint8Array): PushOutcome | undefined {
    const project = pid === null ? undefined : this.#projects.get(pid);
    project?.pushes.add(this.#second());
    if (this.#listeners.size === 0) return undefined;
    let decoded: Payload | undefined;
    try {
      decoded = unpackPayload(payload);
    } catch {
      decoded = undefined; // our own encoding: never happens, and a summary is not worth a failed push
    }
    const base: QuestBase = { pid, method, connection: peerOf(connection), uid: uidOf(decoded) };
    this.#emit(this.#event(base, "push", null, null, decoded === undefined ? "" : summarize(decoded, NO_KEYS)));
    const started = performance.now();
    return (error) => {
      this.#emit(this.#event(base, "pushAnswer", performance.now() - started, error === undefined ? null : errorOf(error), ""));
    };
  }

  dropped(pid: number | null): void {
    if (pid !== null) {
      const project = this.#projects.get(pid);
      if (project !== undefined) project.pushesDropped++;
    }
  }

  #traced(next: ServerHandler, payload: Payload, context: QuestContext<ServerConnection>, project: ProjectCounters | undefined): Result {
    project?.called(context.connection, this.#second());
    const base = questBase(payload, context);
    this.#emit(this.#event(base, "quest", null, null, summarize(payload)));
    const started = performance.now();
    const failed = (error: unknown): void => this.#emit(this.#failed(project, base, payload, error, performance.now() - started));
    const answered = (value: Payload | void): void => {
      const summary = context.connection.isOpen ? summarize(value ?? {}, NO_KEYS) : NOT_ANSWERED;
      this.#emit(this.#event(base, "answer", performance.now() - started, null, summary));
    };
    let result: Result;
    try {
      result = next(payload, context);
    } catch (error) {
      failed(error);
      throw error;
    }
    if (!(result instanceof Promise)) {
      answered(result);
      return result;
    }
    return result.then(
      (value) => {
        answered(value);
        return value;
      },
      (error: unknown) => {
        failed(error);
        throw error;
      },
    );
  }

  /** An error answer's event, counted and kept in its project's recentErrors. Its summary is the request's (the answer's own keys are in `error`). */
  #failed(project: ProjectCounters | undefined, base: QuestBase, payload: Payload, thrown: unknown, latencyMs: number | null): TrafficEvent {
    const event = this.#event(base, "answer", latencyMs, errorOf(thrown), summarize(payload));
    if (project !== undefined) {
      project.errors.add(this.#second());
      project.recentErrors.push(event);
    }
    return event;
  }

  #event(base: QuestBase, kind: TrafficEvent["kind"], latencyMs: number | null, error: TrafficEvent["error"], summary: string): TrafficEvent {
    return { seq: ++this.#seq, at: this.#now(), kind, ...base, latencyMs, error, summary };
  }

  #emit(event: TrafficEvent): void {
    this.#ring.push(event);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  #second(): number {
    return Math.floor(this.#now() / 1000);
  }
}

function questBase(payload: Payload, context: QuestContext<ServerConnection>): QuestBase {
  const pid = payload.pid;
  return { pid: typeof pid === "number" && Number.isSafeInteger(pid) ? pid : null, method: context.method, connection: peerOf(context.connection), uid: uidOf(payload) };
}

/** The from (sends, message pushes) or uid (most other quests, pushevent) key, in decimal. */
function uidOf(payload: Payload | undefined): string | null {
  const uid = payload?.from ?? payload?.uid;
  return typeof uid === "bigint" || (typeof uid === "number" && Number.isSafeInteger(uid)) ? String(uid) : null;
}

/** The error answer the runtime sends for a thrown value: an FpnnError's code, anything else 20001. */
function errorOf(thrown: unknown): { code: number; message: string } {
  if (FpnnError.is(thrown)) return { code: thrown.code, message: thrown.message };
  return { code: FpnnErrorCode.CoreUnknownError, message: thrown instanceof Error ? thrown.message : String(thrown) };
}
