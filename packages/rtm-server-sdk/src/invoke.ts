import { FpnnErrorCode, type Payload, type QuestOptions } from "@rtmkit/fpnn";
import { ANSWER_MISMATCH, CallPlan, Signer, type AnyMethod, type CallOptions, type ClientParts, type ResultOf } from "@rtmkit/protocol";
import { invalidArgument, RTMError } from "./errors.js";
import { clientHooks } from "./hooks.js";
import { idGenerators, nextId } from "./ids.js";

/** What the invoker needs from a connection: FpnnClient satisfies it. */
export interface QuestTransport {
  quest(method: string, payload: Payload, options?: QuestOptions): Promise<Payload>;
}

export interface InvokerOptions {
  pid: number;
  secret: string;
  /** Validate arguments before sending (default true). Answers are always checked and mapped. */
  validate?: boolean;
}

const parts: ClientParts = { hooks: clientHooks, ids: idGenerators };

/** Plans are facts of the generated descriptors, shared by every client. */
const plans = new WeakMap<AnyMethod, CallPlan>();

function planOf(method: AnyMethod): CallPlan {
  let plan = plans.get(method);
  if (plan === undefined) {
    plan = new CallPlan(method, parts);
    plans.set(method, plan);
  }
  return plan;
}

/**
 * The generic invoke every generated method calls: validate, build the payload (signed envelope, fixed
 * and filled fields), send, then check and map the answer. Not an async function: the hot path hands
 * back the transport's promise with one `then`, and every failure still arrives as a rejection.
 */
export class Invoker {
  readonly #transport: QuestTransport;
  readonly #pid: number;
  readonly #signer: Signer;
  readonly #validate: boolean;

  constructor(transport: QuestTransport, options: InvokerOptions) {
    this.#transport = transport;
    this.#pid = options.pid;
    this.#signer = new Signer(options.pid, options.secret);
    this.#validate = options.validate ?? true;
  }

  invoke<D extends AnyMethod>(method: D, args: readonly unknown[], options: CallOptions | undefined): Promise<ResultOf<D>> {
    let plan: CallPlan;
    let payload: Payload;
    let sent: Promise<Payload>;
    try {
      plan = planOf(method);
      if (this.#validate) {
        const issue = plan.argumentIssue(args) ?? plan.optionIssue(options);
        if (issue !== undefined) throw invalidArgument(method.name, issue.path, issue.message);
      }
      payload = {};
      if (method.service.auth === "signed") this.#sign(payload, method.fpnn);
      plan.fill(payload, args, options);
      sent = this.#transport.quest(method.fpnn, payload, options);
    } catch (error) {
      return Promise.reject(error instanceof RTMError ? error : RTMError.from(error, method.name));
    }
    return sent.then(
      (answer) => {
        const result = plan.result(answer, args, payload);
        if (result === ANSWER_MISMATCH) {
          throw new RTMError(FpnnErrorCode.CoreDecoding, `${method.name}: unexpected answer: ${plan.answerIssue(answer)}`, { method: method.name });
        }
        return result as ResultOf<D>;
      },
      (error: unknown) => {
        throw RTMError.from(error, method.name);
      },
    );
  }

  /** The signed envelope: pid, sign, salt, ts, first in the payload as the reference SDKs write them. */
  #sign(payload: Payload, fpnn: string): void {
    const salt = nextId();
    const ts = Math.floor(Date.now() / 1000);
    payload.pid = this.#pid;
    payload.sign = this.#signer.sign(salt, fpnn, ts);
    payload.salt = salt;
    payload.ts = ts;
  }
}
