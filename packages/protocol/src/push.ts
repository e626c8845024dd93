import type { Hook } from "./client-plan.js";
import type { AnyMethod } from "./method.js";

/** Where a pushed message was sent. */
export type Conversation = "p2p" | "group" | "room";

/** A kind of pushed message: the mtypes it covers (none: every mtype no other kind lists), and a client hook its message goes through. */
export interface MessageKindSpec {
  readonly mtypes?: readonly number[];
  readonly hook?: string;
}
export type MessageKinds = Readonly<Record<string, MessageKindSpec>>;

/** What a push raises: one named event, or (a message push) `<conversation><Kind>`, the kind by mtype unless fixed. */
export type PushSpec = { readonly event: string } | { readonly conversation: Conversation; readonly kinds: MessageKinds; readonly kind?: string };

/** A push as its handlers see it: the event it raises and what they get. */
export interface PushedEvent {
  readonly event: string;
  readonly data: unknown;
  /** Set for a message push: where it was sent. */
  readonly conversation: Conversation | undefined;
}

interface EventOfKind {
  readonly event: string;
  readonly hook: Hook | undefined;
}

/**
 * How one push descriptor turns a checked request (by wire key) into the event it raises: the result struct
 * by parameter name, the event by the request's mtype, through the kind's hook. Built once per descriptor.
 */
export class PushPlan {
  readonly #fields: readonly (readonly [name: string, wire: string])[];
  readonly #conversation: Conversation | undefined;
  readonly #byMtype = new Map<number, EventOfKind>();
  readonly #other: EventOfKind;
  /** "mtype" for a message push dispatched by its mtype key. */
  readonly #mtypeWire: string | undefined;
  readonly #voidData: boolean;

  constructor(descriptor: AnyMethod, hooks: Readonly<Record<string, Hook>>) {
    const push = descriptor.push;
    if (push === undefined) throw new Error(`${descriptor.name}: not a push`);
    this.#fields = descriptor.params.map((p) => [p.name, p.wire] as const);
    this.#voidData = descriptor.params.length === 0;
    if ("event" in push) {
      this.#conversation = undefined;
      this.#other = { event: push.event, hook: undefined };
      return;
    }
    this.#conversation = push.conversation;
    const eventOf = (kind: string): EventOfKind => {
      const hookName = push.kinds[kind]?.hook;
      const hook = hookName === undefined ? undefined : hooks[hookName];
      if (hookName !== undefined && hook === undefined) throw new Error(`${descriptor.name}: the client has no hook "${hookName}"`);
      return { event: `${push.conversation}${kind[0]!.toUpperCase()}${kind.slice(1)}`, hook };
    };
    const kinds = Object.entries(push.kinds);
    const fixed = push.kind;
    this.#other = eventOf(fixed ?? kinds.find(([, k]) => k.mtypes === undefined)![0]);
    if (fixed !== undefined) return;
    for (const [kind, spec] of kinds) for (const mtype of spec.mtypes ?? []) this.#byMtype.set(mtype, eventOf(kind));
    this.#mtypeWire = descriptor.params.some((p) => p.wire === "mtype") ? "mtype" : undefined;
  }

  read(request: Readonly<Record<string, unknown>>): PushedEvent {
    const mtype = this.#mtypeWire === undefined ? undefined : request[this.#mtypeWire];
    const target = (typeof mtype === "number" ? this.#byMtype.get(mtype) : undefined) ?? this.#other;
    if (this.#voidData) return { event: target.event, data: undefined, conversation: this.#conversation };
    const data: Record<string, unknown> = {};
    for (const [name, wire] of this.#fields) if (request[wire] !== undefined) data[name] = request[wire];
    return { event: target.event, data: target.hook === undefined ? data : target.hook(data, {}), conversation: this.#conversation };
  }
}
