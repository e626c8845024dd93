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
