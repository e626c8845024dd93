import type { AnswerValue, Endpoints, Handlers, RequestOf } from "@rtmkit/protocol";
import type { Authenticator } from "../auth.js";
import { verifiedBy } from "./chat-handlers.js";

/** A service implementing a table of signed endpoints: one method per FPNN method, taking the project and the checked request. */
export type ServiceOf<E extends Endpoints> = {
  [K in keyof E]: (pid: number, request: RequestOf<E[K]>) => AnswerValue<E[K]> | Promise<AnswerValue<E[K]>>;
};

/**
 * The handlers of a signed table over a service: each checks the signature of its quest, then runs the
 * service's method of the same FPNN name; Refusals become error answers.
 */
export function signedHandlers<E extends Endpoints>(auth: Authenticator, table: E, service: NoInfer<ServiceOf<E>>): Handlers<E> {
  const signed = verifiedBy(auth);
  const handlers: Record<string, unknown> = {};
  for (const fpnn of Object.keys(table)) {
    const run = (service as Record<string, (pid: number, request: unknown) => unknown>)[fpnn]!.bind(service);
    handlers[fpnn] = (request: unknown, credentials: Parameters<typeof signed>[1]) => signed(fpnn, credentials, (pid) => run(pid, request));
  }
  return handlers as Handlers<E>;
}
