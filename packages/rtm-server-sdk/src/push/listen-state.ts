import { toBigInt64, type AnyMethod } from "@rtmkit/protocol";
import { addListen, removeListen, setListen, setListenAll } from "../generated/listen.js";

type IdKind = "groupIds" | "roomIds" | "userIds";
const ID_KINDS: readonly IdKind[] = ["groupIds", "roomIds", "userIds"];
const FLAGS = ["allGroup", "allRoom", "allP2P", "allEvent"] as const;
type Flag = (typeof FLAGS)[number];

/** The arguments of the one setlisten quest that gives a new connection the listen state back. */
export type RestoreArgs = [groupIds: bigint[], roomIds: bigint[], userIds: bigint[], events: string[], ...flags: (true | undefined)[]];

/**
 * What this client's connection listens to, as the server holds it: RTM keeps listen state per connection,
 * so the client keeps a copy, changed by every listen call that succeeded, and sends it again on every new
 * connection. setListen and setListenAll replace everything, as they do on the server.
 */
export class ListenState {
  readonly #ids: Record<IdKind, Set<bigint>> = { groupIds: new Set(), roomIds: new Set(), userIds: new Set() };
  readonly #events = new Set<string>();
  readonly #flags: Record<Flag, boolean> = { allGroup: false, allRoom: false, allP2P: false, allEvent: false };

  /** Whether a call of `method` changes the listen state. */
  static changedBy(method: AnyMethod): boolean {
    return method === addListen || method === removeListen || method === setListen || method === setListenAll;
  }

  /** Applies a listen call that succeeded, with its positional arguments. */
  apply(method: AnyMethod, args: readonly unknown[]): void {
    if (method === setListenAll) {
      this.#clear();
      FLAGS.forEach((flag, i) => (this.#flags[flag] = args[i] === true));
      return;
    }
    if (method === setListen) this.#clear();
    const remove = method === removeListen;
    ID_KINDS.forEach((kind, i) => {
      for (const value of iterable(args[i])) {
        const id = toBigInt64(value);
        if (id !== undefined) this.#ids[kind][remove ? "delete" : "add"](id);
      }
    });
    for (const event of iterable(args[3])) this.#events[remove ? "delete" : "add"](event as string);
  }

  get isEmpty(): boolean {
    return ID_KINDS.every((kind) => this.#ids[kind].size === 0) && this.#events.size === 0 && FLAGS.every((flag) => !this.#flags[flag]);
  }

  /** setlisten by ids (the non-empty sets) and for everything (the flags that are on), in one quest. */
  restoreArgs(): RestoreArgs {
    return [...ID_KINDS.map((kind) => [...this.#ids[kind]]), [...this.#events], ...FLAGS.map((flag) => (this.#flags[flag] ? (true as const) : undefined))] as RestoreArgs;
  }

  #clear(): void {
    for (const kind of ID_KINDS) this.#ids[kind].clear();
    this.#events.clear();
    for (const flag of FLAGS) this.#flags[flag] = false;
  }
}

function iterable(value: unknown): Iterable<unknown> {
  return value !== null && typeof value === "object" && Symbol.iterator in value ? (value as Iterable<unknown>) : [];
}
