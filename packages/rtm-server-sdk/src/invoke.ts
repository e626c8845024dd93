import { FpnnErrorCode, type Payload, type QuestOptions } from "@rtmkit/fpnn";
import { ANSWER_MISMATCH, CallPlan, Signer, type AnyMethod, type CallOptions, type ClientParts, type FileOptions, type ResultOf } from "@rtmkit/protocol";
import { invalidArgument, RTMError } from "./errors.js";
import { fileOptionsIssue } from "./file-attrs.js";
import { FileSender } from "./file-gate.js";
import type { GateConnections } from "./gate-connections.js";
import { fileToken } from "./generated/files.js";
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
  /** Where the file sends (a "fileToken" service) go after filetoken; without it they reject with 20012. */
  fileGate?: FileGateSetup;
}

/** The file-gate connections of a client and the default timeout its file sends share between their two steps. */
export interface FileGateSetup {
  readonly connections: GateConnections;
  /** The gateway's default quest timeout, ms. */
  readonly defaultTimeoutMs: () => number;
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
  readonly #files: FileSender | undefined;

  constructor(transport: QuestTransport, options: InvokerOptions) {
    this.#transport = transport;
    this.#pid = options.pid;
    this.#signer = new Signer(options.pid, options.secret);
    this.#validate = options.validate ?? true;
    const gate = options.fileGate;
    this.#files =
      gate === undefined
        ? undefined
        : new FileSender({ pid: options.pid, connections: gate.connections, defaultTimeoutMs: gate.defaultTimeoutMs, requestToken: (args, o) => this.invoke(fileToken, args, o) });
  }

  invoke<D extends AnyMethod>(method: D, args: readonly unknown[], options: CallOptions | undefined): Promise<ResultOf<D>> {
    let plan: CallPlan;
    let payload: Payload;
    let sent: Promise<Payload>;
    try {
      plan = planOf(method);
      const viaFileGate = method.service.auth === "fileToken";
      if (this.#validate) {
        const issue = plan.argumentIssue(args) ?? plan.optionIssue(options) ?? (viaFileGate ? fileOptionsIssue(options as FileOptions | undefined) : undefined);
        if (issue !== undefined) throw invalidArgument(method.name, issue.path, issue.message);
      }
      if (viaFileGate) return this.#sendFile(method, plan, args, options);
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

  #sendFile<D extends AnyMethod>(method: D, plan: CallPlan, args: readonly unknown[], options: CallOptions | undefined): Promise<ResultOf<D>> {
    if (this.#files === undefined) {
      return Promise.reject(new RTMError(FpnnErrorCode.CoreInvalidConnection, `${method.name}: this client has no file-gate connections`, { method: method.name }));
    }
    return this.#files.send(method, plan, args, options) as Promise<ResultOf<D>>;
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
