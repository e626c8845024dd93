/**
 * The admin model's shapes (what the web console shows and sends). JSON-safe: every 64-bit id or time is a
 * decimal string, so a web layer passes them through as they are.
 */

export type ConversationKind = "p2p" | "group" | "room" | "broadcast";

export interface TrafficEvent {
  /** Increasing per emulator. */
  seq: number;
  /** ms (server clock). */
  at: number;
  kind: "quest" | "answer" | "push" | "pushAnswer";
  /** From the quest's pid key (signed quests), the push's project. */
  pid: number | null;
  /** FPNN method. */
  method: string;
  /** "ip:port" of the peer. */
  connection: string;
  /** The quest's from/uid key when it has one (decimal). */
  uid: string | null;
  /** Answers: handler time; pushAnswer: round trip. */
  latencyMs: number | null;
  error: { code: number; message: string } | null;
  /** Request (quest/push) or answer keys as compact JSON, at most 300 chars (auth keys left out). */
  summary: string;
}

export interface ProjectOverview {
  pid: number;
  /** Connections that sent a quest of this pid, still open. */
  connections: number;
  listeners: number;
  /** perSecond: over the last 10 s. */
  calls: { total: number; perSecond: number };
  /** Error answers. */
  errors: { total: number; perSecond: number };
  pushes: { total: number; perSecond: number; dropped: number };
  /** Newest first, at most 20. */
  recentErrors: TrafficEvent[];
}

export interface ConversationSummary {
  kind: ConversationKind;
  id: string;
  otherId: string | null;
  messages: number;
  lastMtime: string;
}

export interface ConsoleMessage {
  cursor: string;
  kind: ConversationKind;
  from: string;
  to: string;
  mid: string;
  mtype: number;
  /** Text; bodies that are not UTF-8 as "hex:<hex>". */
  message: string;
  attrs: string;
  mtime: string;
  fileInfo: { url: string; size: string; fileName?: string; fileExtension?: string } | null;
  audioInfo: { language?: string; duration?: number; text?: string } | null;
}

/** Newest first; next = cursor for the following page. */
export interface MessagePage {
  messages: ConsoleMessage[];
  next: string | null;
}

export interface UserState {
  uid: string;
  online: boolean;
  info: { public: string; private: string } | null;
  data: Record<string, string>;
  friends: string[];
  blacks: string[];
  token: boolean;
  devices: { appType: string; deviceToken: string }[];
  /** ms */
  projectBlackUntil: string | null;
}

export interface GroupState {
  gid: string;
  members: string[];
  bans: { uid: string; until: string }[];
  info: { public: string; private: string } | null;
}

export type RoomState = Omit<GroupState, "gid"> & { rid: string };

export interface ListenerState {
  connection: string;
  since: number;
  listens: { gids: string[]; rids: string[]; uids: string[]; events: string[]; allGroup: boolean; allRoom: boolean; allP2P: boolean; allEvent: boolean };
  unansweredPushes: number;
}

/** errorCode: answer this RTM/FPNN code instead of running the handler. */
export interface MethodFault {
  dropAnswer?: boolean;
  delayMs?: number;
  errorCode?: number;
}

/** Per pid: every table's rows, JSON-safe. */
export interface EmulatorState {
  format: "rtmkit-emulator-state";
  version: 1;
  exportedAt: number;
  projects: Record<string, unknown>;
}
