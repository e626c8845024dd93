// The console's only way to the emulator: the JSON API under /api (documented in docs/emulator/console.md).
import type {
  ConversationKind,
  ConversationSummary,
  GroupState,
  ListenerState,
  MessagePage,
  MethodFault,
  ProjectOverview,
  RoomState,
  UserState,
} from "../../src/admin/types.ts";

export type { ConsoleMessage, ConversationKind, ConversationSummary, GroupState, ListenerState, MethodFault, ProjectOverview, RoomState, TrafficEvent, UserState } from "../../src/admin/types.ts";

/** An answer other than 2xx: the API's `{ error }` text, and the RTM code of a refused send. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(`/api${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, `HTTP ${response.status}: ${text.slice(0, 200)}`, undefined);
  }
  if (!response.ok) {
    const { error, code } = json as { error?: string; code?: number };
    throw new ApiError(response.status, error ?? `HTTP ${response.status}`, code);
  }
  return json as T;
}

const project = (pid: number) => `/projects/${pid}`;

export interface SendRequest {
  from: string;
  to?: string;
  gid?: string;
  rid?: string;
  mtype?: number;
  message: string;
  attrs?: string;
}

export const api = {
  projects: () => call<{ projects: number[] }>("GET", "/projects").then((r) => r.projects),
  overview: (pid: number) => call<ProjectOverview>("GET", `${project(pid)}/overview`),
  conversations: (pid: number, kind: ConversationKind) => call<{ conversations: ConversationSummary[] }>("GET", `${project(pid)}/conversations?kind=${kind}`).then((r) => r.conversations),
  messages(pid: number, kind: ConversationKind, id: string, otherId: string | null, before: string | null, limit = 20) {
    const query = new URLSearchParams({ kind, id, limit: String(limit) });
    if (otherId !== null) query.set("otherId", otherId);
    if (before !== null) query.set("before", before);
    return call<MessagePage>("GET", `${project(pid)}/messages?${query}`);
  },
  deleteMessage: (pid: number, message: { kind: ConversationKind; from: string; to: string; mid: string }) => call<{ deleted: boolean }>("POST", `${project(pid)}/messages/delete`, message),
  users: (pid: number) => call<{ users: UserState[] }>("GET", `${project(pid)}/users`).then((r) => r.users),
  groups: (pid: number) => call<{ groups: GroupState[] }>("GET", `${project(pid)}/groups`).then((r) => r.groups),
  rooms: (pid: number) => call<{ rooms: RoomState[] }>("GET", `${project(pid)}/rooms`).then((r) => r.rooms),
  listeners: (pid: number) => call<{ listeners: ListenerState[] }>("GET", `${project(pid)}/listeners`).then((r) => r.listeners),
  send: (pid: number, send: SendRequest) => call<{ mid: string; mtime: string }>("POST", `${project(pid)}/send`, send),
  login: (pid: number, uid: string) => call<{ uid: string; online: boolean }>("POST", `${project(pid)}/users/${encodeURIComponent(uid)}/login`),
  logout: (pid: number, uid: string) => call<{ uid: string; online: boolean }>("POST", `${project(pid)}/users/${encodeURIComponent(uid)}/logout`),
  /** The faults in force, and every method a fault can be set on. */
  faults: () => call<{ faults: Record<string, MethodFault>; methods: string[] }>("GET", "/faults"),
  setFault: (method: string, fault: MethodFault) => call<{ method: string; fault: MethodFault }>("PUT", `/faults/${encodeURIComponent(method)}`, fault),
  clearFault: (method: string) => call<{ cleared: string[] }>("DELETE", `/faults/${encodeURIComponent(method)}`),
  clearFaults: () => call<{ cleared: string[] }>("DELETE", "/faults"),
  reset: (pid: number) => call<{ reset: number }>("POST", `${project(pid)}/reset`),
  /** The exported state is downloaded by the browser from this URL (an attachment). */
  stateUrl: "/api/state",
  importState: (json: string) => call<{ imported: number[] }>("PUT", "/state", json),
};
