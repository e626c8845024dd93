import { FpnnError } from "@rtmkit/fpnn";
import type { Implementation, SignedAuth } from "@rtmkit/protocol";
import type { ChatHandlers } from "@rtmkit/rtm-server-sdk";
import type { Authenticator } from "../auth.js";
import type { ChatService } from "../chat-service.js";
import { Refusal } from "../errors.js";
import { historyAnswer, messageAnswer, withSentBodies } from "./wire-bodies.js";

/** The `raiser` of every error answer the emulator sends. */
export const RAISER = "rtm-emulator";

/**
 * The chat handlers: each checks the signature of its quest, then runs the ChatService method.
 * Refusals become FPNN error answers `{code, ex, raiser}`; anything else propagates (an
 * internal failure, answered 20001 by the runtime and reported as a server 'error').
 *
 * Bodies are kept byte for byte (wire-bodies.ts): a send whose `msg` or `attrs` is a str that is not
 * UTF-8 stores those bytes, and getmsg and history answer them as the same str (StrBytes); text stays
 * text. History rows are passed through without a per-row copy.
 */
export function createChatHandlers(auth: Authenticator, chat: ChatService): ChatHandlers {
  const signed = verifiedBy(auth);
  return {
    sendmsg: (request, credentials, { frame }) => signed("sendmsg", credentials, (pid) => chat.sendmsg(pid, withSentBodies(request, frame))),
    sendmsgs: (request, credentials, { frame }) => signed("sendmsgs", credentials, (pid) => chat.sendmsgs(pid, withSentBodies(request, frame))),
    sendgroupmsg: (request, credentials, { frame }) => signed("sendgroupmsg", credentials, (pid) => chat.sendgroupmsg(pid, withSentBodies(request, frame))),
    sendroommsg: (request, credentials, { frame }) => signed("sendroommsg", credentials, (pid) => chat.sendroommsg(pid, withSentBodies(request, frame))),
    broadcastmsg: (request, credentials, { frame }) => signed("broadcastmsg", credentials, (pid) => chat.broadcastmsg(pid, withSentBodies(request, frame))),
    getgroupmsg: (request, credentials) => signed("getgroupmsg", credentials, (pid) => then(chat.getgroupmsg(pid, request), historyAnswer)),
    getroommsg: (request, credentials) => signed("getroommsg", credentials, (pid) => then(chat.getroommsg(pid, request), historyAnswer)),
    getbroadcastmsg: (request, credentials) => signed("getbroadcastmsg", credentials, (pid) => then(chat.getbroadcastmsg(pid, request), historyAnswer)),
    getp2pmsg: (request, credentials) => signed("getp2pmsg", credentials, (pid) => then(chat.getp2pmsg(pid, request), historyAnswer)),
    getmsg: (request, credentials) => signed("getmsg", credentials, (pid) => messageAnswer(chat.getmsg(pid, request))),
    delmsg: (request, credentials) => signed("delmsg", credentials, (pid) => chat.delmsg(pid, request)),
    getmsgnum: (request, credentials) => signed("getmsgnum", credentials, (pid) => chat.getmsgnum(pid, request)),
  };
}

/**
 * Runs a handler's work once the quest's signature checks out; Refusals, thrown or rejected, become FPNN
 * error answers naming the emulator as raiser.
 */
export function verifiedBy(auth: Authenticator) {
  return <T>(method: string, credentials: SignedAuth, run: (pid: number) => T): T => {
    try {
      const result = run(auth.verify(method, credentials));
      return result instanceof Promise ? (result.catch((error: unknown) => Promise.reject(toFpnnError(method, error))) as T) : result;
    } catch (error) {
      throw toFpnnError(method, error);
    }
  };
}

/**
 * Handlers a user gave for methods of their own IDL, behind the same signature check as the chat handlers
 * for the endpoints of a signed service; their refusals (Refusal) become error answers.
 */
export function verifiedImplementation(auth: Authenticator, implementation: Implementation): Implementation {
  const signed = verifiedBy(auth);
  const handlers: Record<string, unknown> = {};
  for (const [fpnn, endpoint] of Object.entries(implementation.endpoints)) {
    const handler = implementation.handlers[fpnn];
    if (typeof handler !== "function") continue;
    handlers[fpnn] =
      endpoint.service.auth === "signed"
        ? (request: unknown, credentials: SignedAuth, context: unknown) => signed(fpnn, credentials, () => handler.call(implementation.handlers, request, credentials, context))
        : handler;
  }
  return { endpoints: implementation.endpoints, handlers };
}

/** `map` applied to a value now, or to a promised one once it settles: a page read at once is answered at once. */
function then<T, R>(value: T | Promise<T>, map: (settled: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(map) : map(value);
}

/** A Refusal as the FPNN error answer naming the emulator as raiser; anything else stays an internal failure. */
export function toFpnnError(method: string, error: unknown): unknown {
  if (!Refusal.is(error)) return error;
  return new FpnnError(error.code, error.message, { raiser: RAISER, method });
}
