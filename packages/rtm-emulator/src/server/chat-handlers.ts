import { FpnnError } from "@rtmkit/fpnn";
import type { Authenticator } from "../auth.js";
import type { ChatService } from "../chat-service.js";
import { RtmError } from "../errors.js";
import type {
  ChatHandlers,
  GetbroadcastmsgAnswer,
  GetgroupmsgAnswer,
  GetmsgAnswer,
  Getp2pmsgAnswer,
  GetroommsgAnswer,
  SignedAuth,
} from "../generated/index.js";

/** The `raiser` of every error answer the emulator sends. */
export const RAISER = "rtm-emulator";

/**
 * The chat handlers: each checks the signature of its quest, then runs the ChatService method.
 * RtmError refusals become FPNN error answers `{code, ex, raiser}`; anything else propagates (an
 * internal failure, answered 20001 by the runtime and reported as a server 'error').
 *
 * Stored bodies are strings unless a peer sent bytes, so history rows and getmsg answers match the
 * contract's string fields; they are passed through without a per-row copy.
 */
export function createChatHandlers(auth: Authenticator, chat: ChatService): ChatHandlers {
  const signed = <T>(method: string, credentials: SignedAuth, run: (pid: number) => T): T => {
    try {
      const result = run(auth.verify(method, credentials));
      return result instanceof Promise ? (result.catch((error: unknown) => Promise.reject(toFpnnError(method, error))) as T) : result;
    } catch (error) {
      throw toFpnnError(method, error);
    }
  };
  return {
    sendmsg: (request, credentials) => signed("sendmsg", credentials, (pid) => chat.sendmsg(pid, request)),
    sendmsgs: (request, credentials) => signed("sendmsgs", credentials, (pid) => chat.sendmsgs(pid, request)),
    sendgroupmsg: (request, credentials) => signed("sendgroupmsg", credentials, (pid) => chat.sendgroupmsg(pid, request)),
    sendroommsg: (request, credentials) => signed("sendroommsg", credentials, (pid) => chat.sendroommsg(pid, request)),
    broadcastmsg: (request, credentials) => signed("broadcastmsg", credentials, (pid) => chat.broadcastmsg(pid, request)),
    getgroupmsg: (request, credentials) => signed("getgroupmsg", credentials, (pid) => chat.getgroupmsg(pid, request) as GetgroupmsgAnswer),
    getroommsg: (request, credentials) => signed("getroommsg", credentials, (pid) => chat.getroommsg(pid, request) as GetroommsgAnswer),
    getbroadcastmsg: (request, credentials) => signed("getbroadcastmsg", credentials, (pid) => chat.getbroadcastmsg(pid, request) as GetbroadcastmsgAnswer),
    getp2pmsg: (request, credentials) => signed("getp2pmsg", credentials, (pid) => chat.getp2pmsg(pid, request) as Getp2pmsgAnswer),
    getmsg: (request, credentials) => signed("getmsg", credentials, (pid) => chat.getmsg(pid, request) as GetmsgAnswer),
    delmsg: (request, credentials) => signed("delmsg", credentials, (pid) => chat.delmsg(pid, request)),
    getmsgnum: (request, credentials) => signed("getmsgnum", credentials, (pid) => chat.getmsgnum(pid, request)),
  };
}

function toFpnnError(method: string, error: unknown): unknown {
  if (!RtmError.is(error)) return error;
  return new FpnnError(error.code, error.message, { raiser: RAISER, method });
}
