import type { PushEvents } from "../generated/client.js";

/** One push as it reaches user code: the event it raised and what that event carries. */
export type Push = { [K in keyof PushEvents]: { readonly event: K; readonly data: PushEvents[K] } }[keyof PushEvents];

/** A handler per event, each optional (onPush({ groupChat(message) {...}, event(e) {...} })). */
export type PushHandlers = { readonly [K in keyof PushEvents]?: (data: PushEvents[K]) => unknown };

/** A handler of one event. */
export type PushHandler<K extends keyof PushEvents> = (data: PushEvents[K]) => unknown;

export type PushEventName = keyof PushEvents;
