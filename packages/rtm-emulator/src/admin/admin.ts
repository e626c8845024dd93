import type { Connection } from "@rtmkit/fpnn";
import type { EmulatorServices } from "../server/services.js";
import type { ListenService } from "../services/listen.js";
import type { ChatStorage } from "../storage/chat-storage.js";
import { CATEGORY_OF, idArg, integerArg, kindArg, projectArg } from "./args.js";
import { ConversationViews } from "./conversation-views.js";
import { EntityViews } from "./entity-views.js";
import { listenerStates } from "./listener-view.js";
import type { MethodFaults } from "./method-faults.js";
import { ProjectData } from "./project-data.js";
import { TRAFFIC_RING_SIZE, type TrafficTap } from "./traffic-tap.js";
import type {
  ConversationKind,
  ConversationSummary,
  EmulatorState,
  GroupState,
  ListenerState,
  MessagePage,
  MethodFault,
  ProjectOverview,
  RoomState,
  TrafficEvent,
  UserState,
} from "./types.js";

/**
 * What the emulator's console reads and does, on RunningEmulator as `admin`. Bad arguments (unknown pid, bad
 * id text, limit out of range) throw a TypeError naming the argument; a pid that is not a project throws.
 */
export interface EmulatorAdmin {
  projects(): number[];
  overview(pid: number): ProjectOverview;
  /** Most recent first, at most 500. */
  conversations(pid: number, kind: ConversationKind): ConversationSummary[];
  /** limit 1..100 */
  messages(pid: number, kind: ConversationKind, id: string, otherId: string | null, before: string | null, limit: number): MessagePage;
  /** Every uid the project's tables or presence mention, ascending. */
  users(pid: number): UserState[];
  groups(pid: number): GroupState[];
  rooms(pid: number): RoomState[];
  listeners(pid: number): ListenerState[];
  deleteMessage(pid: number, kind: ConversationKind, from: string, to: string, mid: string): boolean;
  /** null clears it; takes effect on the next quest. */
  setMethodFault(method: string, fault: MethodFault | null): void;
  methodFaults(): Record<string, MethodFault>;
  clearMethodFaults(): void;
  /** The FPNN methods setMethodFault takes: every method the emulator serves, ascending. */
  methods(): string[];
  /** Every row of the project gone (messages, files, all services), presence cleared. */
  resetProject(pid: number): void;
  exportState(): EmulatorState;
  /** Replaces the projects it contains; refuses (TypeError naming the field) a bad document. */
  importState(state: EmulatorState): void;
  /** Live feed; events are only built while somebody subscribes. */
  subscribe(listener: (event: TrafficEvent) => void): () => void;
  /** Newest first, from a ring of the last 1,000. */
  recentTraffic(limit: number): TrafficEvent[];
}

/** What the admin model reads and acts on: the emulator's parts, as start.ts wires them. */
export interface AdminParts {
  readonly projects: ReadonlyMap<number, unknown>;
  readonly storage: ChatStorage;
  readonly services: EmulatorServices;
  readonly listen: ListenService<Connection>;
  readonly tap: TrafficTap;
  readonly faults: MethodFaults;
  /** Server clock, ms. */
  readonly now: () => number;
}

/** The EmulatorAdmin over an emulator's parts; every call checks its arguments first (a TypeError names the one that is wrong). */
export function createEmulatorAdmin(parts: AdminParts): EmulatorAdmin {
  const { projects, storage, services, listen, tap, faults, now } = parts;
  const conversationViews = new ConversationViews(storage.database, storage.store);
  const entityViews = new EntityViews(storage.database, storage.store, services.users, now);
  const data = new ProjectData(storage, services, projects, now);
  /** The pid checked, on an emulator still open (its database is needed by most calls). */
  const project = (pid: unknown): number => {
    const checked = projectArg(projects, pid);
    if (!storage.isOpen) throw new Error("the emulator is closed");
    return checked;
  };
  return {
    projects: () => [...projects.keys()].sort((a, b) => a - b),
    overview(pid) {
      const counters = tap.counters(projectArg(projects, pid));
      const second = Math.floor(now() / 1000);
      return {
        pid,
        connections: counters.openConnections,
        listeners: listen.listenersOf(pid)?.size ?? 0,
        calls: { total: counters.calls.total, perSecond: counters.calls.perSecond(second) },
        errors: { total: counters.errors.total, perSecond: counters.errors.perSecond(second) },
        pushes: { total: counters.pushes.total, perSecond: counters.pushes.perSecond(second), dropped: counters.pushesDropped },
        recentErrors: counters.recentErrors.newest(),
      };
    },
    conversations: (pid, kind) => conversationViews.conversations(project(pid), kindArg(kind)),
    messages: (pid, kind, id, otherId, before, limit) => conversationViews.messages(project(pid), kindArg(kind), id, otherId, before, limit),
    users: (pid) => entityViews.users(project(pid)),
    groups: (pid) => entityViews.groups(project(pid)),
    rooms: (pid) => entityViews.rooms(project(pid)),
    listeners: (pid) => listenerStates(listen, projectArg(projects, pid)),
    deleteMessage(pid, kind, from, to, mid) {
      const key = {
        pid: project(pid),
        category: CATEGORY_OF[kindArg(kind)],
        from: idArg("from", from),
        target: idArg("to", to),
        mid: idArg("mid", mid),
      };
      if (kind === "broadcast" && key.target !== 0n) throw new TypeError(`to: a broadcast message is to "0", got ${JSON.stringify(to)}`);
      // As delmsg: the same store call, after the sends queued before it are committed.
      storage.writes.flush();
      return storage.store.transaction(() => storage.store.markDeleted(key));
    },
    setMethodFault: (method, fault) => faults.set(method, fault),
    methodFaults: () => faults.all(),
    clearMethodFaults: () => faults.clear(),
    methods: () => faults.methods(),
    resetProject: (pid) => data.reset(project(pid)),
    exportState: () => {
      if (!storage.isOpen) throw new Error("the emulator is closed");
      return data.exportState();
    },
    importState: (state) => {
      if (!storage.isOpen) throw new Error("the emulator is closed");
      data.importState(state);
    },
    subscribe: (listener) => tap.subscribe(listener),
    recentTraffic: (limit) => tap.recent(integerArg("limit", limit, 1, TRAFFIC_RING_SIZE)),
  };
}
