import { MessageCategory } from "../storage/types.js";
import type { ConversationKind } from "./types.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^-?\d{1,19}$/;

export const CATEGORY_OF: Readonly<Record<ConversationKind, MessageCategory>> = {
  p2p: MessageCategory.P2PMessage,
  group: MessageCategory.GroupMessage,
  room: MessageCategory.RoomMessage,
  broadcast: MessageCategory.BroadcastMessage,
};

/** A pid of this emulator, else a TypeError naming the argument. */
export function projectArg(projects: ReadonlyMap<number, unknown>, pid: unknown, name = "pid"): number {
  if (typeof pid !== "number" || !projects.has(pid)) throw new TypeError(`${name}: ${describe(pid)} is not a project of this emulator`);
  return pid;
}

export function kindArg(kind: unknown, name = "kind"): ConversationKind {
  if (typeof kind === "string" && Object.hasOwn(CATEGORY_OF, kind)) return kind as ConversationKind;
  throw new TypeError(`${name}: expected one of ${Object.keys(CATEGORY_OF).join(", ")}, got ${describe(kind)}`);
}

/** An int64 id written in decimal (the admin model's id text), as a bigint. */
export function idArg(name: string, text: unknown): bigint {
  if (typeof text === "string" && DECIMAL.test(text)) {
    const id = BigInt(text);
    if (id >= INT64_MIN && id <= INT64_MAX) return id;
  }
  throw new TypeError(`${name}: expected an int64 in decimal text, got ${describe(text)}`);
}

/** A positive id in decimal text (a message cursor). */
export function positiveIdArg(name: string, text: unknown): bigint {
  const id = idArg(name, text);
  if (id < 1n) throw new TypeError(`${name}: expected a positive id, got ${describe(text)}`);
  return id;
}

export function integerArg(name: string, value: unknown, min: number, max: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new TypeError(`${name}: expected an integer in ${min}..${max}, got ${describe(value)}`);
}

/** A value as an error message names it (long text cut). */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}
