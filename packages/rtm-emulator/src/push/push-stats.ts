/**
 * What happened to the emulator's pushes (message pushes, pushevent and ping), totals since it started.
 * Every push handed to a connection is `sent` and ends as one of `answered`, `timedOut` or `failed`
 * (an error answer, the connection closed first, or its output full); `dropped` ones were never sent.
 */
export interface PushStats {
  /** Handed to a connection. */
  sent: number;
  /** Answered without an error. */
  answered: number;
  /** Not sent: the connection already had maxUnansweredPushes unanswered. */
  dropped: number;
  /** No answer within pushTimeoutSeconds. */
  timedOut: number;
  /** Answered with an error, or lost with its connection, or refused because the connection's output was full. */
  failed: number;
}

export function emptyPushStats(): PushStats {
  return { sent: 0, answered: 0, dropped: 0, timedOut: 0, failed: 0 };
}
