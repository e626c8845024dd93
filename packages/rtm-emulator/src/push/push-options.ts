/** The emulator options of server push (EmulatorOptions has them). */
export interface PushOptions {
  /** Seconds a push (or ping) waits for the listener's answer before it counts as timed out (10). */
  pushTimeoutSeconds?: number;
  /** Pushes a connection may leave unanswered; past it, pushes to that connection are dropped and counted (1000). */
  maxUnansweredPushes?: number;
  /** Seconds between the `ping`s sent to every listening connection; 0 = no ping (20). */
  pushPingSeconds?: number;
}

export const DEFAULT_PUSH_TIMEOUT_SECONDS = 10;
export const DEFAULT_MAX_UNANSWERED_PUSHES = 1000;
export const DEFAULT_PUSH_PING_SECONDS = 20;
/** A day: longer would only hide a listener that stopped answering. */
const MAX_SECONDS = 86_400;

export type ResolvedPushOptions = Required<PushOptions>;

/** The push options with their defaults, checked; a bad one is a RangeError naming it. */
export function resolvePushOptions(options: PushOptions): ResolvedPushOptions {
  const timeout = options.pushTimeoutSeconds ?? DEFAULT_PUSH_TIMEOUT_SECONDS;
  if (typeof timeout !== "number" || !(timeout > 0 && timeout <= MAX_SECONDS)) {
    throw new RangeError(`pushTimeoutSeconds must be a number of seconds in (0, ${MAX_SECONDS}], got ${String(timeout)}`);
  }
  const unanswered = options.maxUnansweredPushes ?? DEFAULT_MAX_UNANSWERED_PUSHES;
  if (!Number.isSafeInteger(unanswered) || unanswered < 1) throw new RangeError(`maxUnansweredPushes must be a positive integer, got ${String(unanswered)}`);
  const ping = options.pushPingSeconds ?? DEFAULT_PUSH_PING_SECONDS;
  if (typeof ping !== "number" || !(ping >= 0 && ping <= MAX_SECONDS)) {
    throw new RangeError(`pushPingSeconds must be a number of seconds in 0..${MAX_SECONDS} (0 = no ping), got ${String(ping)}`);
  }
  return { pushTimeoutSeconds: timeout, maxUnansweredPushes: unanswered, pushPingSeconds: ping };
}
