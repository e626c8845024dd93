import { FpnnErrorCode, type Payload } from "@rtmkit/fpnn";
import { ANSWER_MISMATCH, fileSign, type AnyMethod, type CallOptions, type CallPlan, type FileOptions } from "@rtmkit/protocol";
import { RTMError } from "./errors.js";
import { fileAttrs } from "./file-attrs.js";
import { fileToken, type FileTokenResult } from "./generated/files.js";
import type { GateConnections } from "./gate-connections.js";

export interface FileSenderOptions {
  readonly pid: number;
  /** Step 1: `filetoken` on the gateway, signed like every other call (the Invoker's path). */
  readonly requestToken: (args: readonly unknown[], options: CallOptions) => Promise<FileTokenResult>;
  readonly connections: GateConnections;
  /** The gateway's default quest timeout, ms: what a call without its own timeout has for both steps together. */
  readonly defaultTimeoutMs: () => number;
}

const textEncoder = new TextEncoder();

/**
 * A call of a "fileToken" service (sendFile...), in two steps: `filetoken` on the gateway names a file gate and
 * a token, then the send itself goes unsigned to that gate, carrying pid, the token and attrs with the file's
 * sign. The caller's timeout is one deadline for both steps (the gate gets what filetoken left; nothing left is
 * 20003) and its signal applies to both. Arguments are checked by the Invoker before this runs.
 */
export class FileSender {
  readonly #options: FileSenderOptions;

  constructor(options: FileSenderOptions) {
    this.#options = options;
  }

  send(method: AnyMethod, plan: CallPlan, args: readonly unknown[], options: FileOptions | undefined): Promise<unknown> {
    const startedAt = performance.now();
    const budgetMs = options?.timeout ? options.timeout * 1000 : this.#options.defaultTimeoutMs();
    const signal = options?.signal;
    let step1: Promise<FileTokenResult>;
    try {
      step1 = this.#options.requestToken(tokenArgs(method, args), { timeout: options?.timeout, signal });
    } catch (error) {
      return Promise.reject(RTMError.from(error, method.name));
    }
    return step1
      .then((granted) => {
        const leftMs = startedAt + budgetMs - performance.now();
        if (leftMs <= 0) {
          throw new RTMError(FpnnErrorCode.CoreTimeout, `${method.name}: timed out: filetoken used the whole ${budgetMs / 1000} s`, { method: method.name });
        }
        return this.#sendToGate(method, plan, args, options, granted, leftMs);
      })
      .catch((error: unknown) => {
        throw RTMError.from(error, method.name);
      });
  }

  async #sendToGate(method: AnyMethod, plan: CallPlan, args: readonly unknown[], options: FileOptions | undefined, granted: FileTokenResult, leftMs: number): Promise<unknown> {
    const { token, endpoint } = granted;
    const payload: Payload = { pid: this.#options.pid, token };
    plan.fill(payload, args, options);
    payload.attrs = fileAttrs(fileSign(fileBytes(args, method), token), options);
    const client = this.#options.connections.acquire(endpoint);
    let answer: Payload;
    try {
      answer = await client.quest(method.fpnn, payload, { timeout: leftMs / 1000, signal: options?.signal });
    } finally {
      this.#options.connections.release(endpoint, client);
    }
    const result = plan.result(answer, args, payload);
    if (result === ANSWER_MISMATCH) {
      throw new RTMError(FpnnErrorCode.CoreDecoding, `${method.name}: unexpected answer: ${plan.answerIssue(answer)}`, { method: method.name });
    }
    return result;
  }
}

/** filetoken's arguments for a file method: cmd is the method's FPNN name, `from` and the target keys are its arguments of the same wire key. */
function tokenArgs(method: AnyMethod, args: readonly unknown[]): unknown[] {
  return fileToken.params.map((p) => {
    if (p.wire === "cmd") return method.fpnn;
    const index = method.params.findIndex((q) => q.wire === p.wire);
    return index < 0 ? undefined : args[index];
  });
}

/** The file's bytes as they go on the wire: a string argument travels as its UTF-8. */
function fileBytes(args: readonly unknown[], method: AnyMethod): Uint8Array {
  const index = method.params.findIndex((p) => p.type.kind === "bytes");
  const data = args[index];
  return typeof data === "string" ? textEncoder.encode(data) : (data as Uint8Array);
}
