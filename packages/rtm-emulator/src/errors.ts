/** RTM service codes the emulator answers with (names as in test/vectors/rtm-error-codes.json). */
export const RtmCode = {
  INVALID_PID_OR_SIGN: 200002,
  INVALID_MTYPE: 200005,
  SAME_SIGN: 200006,
  INVALID_SERVER_TIME: 200008,
  FREQUENCY_LIMITED: 200010,
  MESSAGE_TOO_LARGE: 200030,
  TOO_MANY_ITEMS_IN_PARAMETERS: 200032,
  EMPTY_PARAMETER: 200033,
  INVALID_PARAMETER: 200034,
  SEND_TO_SELF: 200052,
  NO_MESSAGE_FOUND: 200070,
} as const;
export type RtmCode = (typeof RtmCode)[keyof typeof RtmCode];

const brand = Symbol.for("@rtmkit/rtm-emulator/RtmError");

/**
 * A refusal carrying the RTM code and the `ex` text of the error answer.
 * The server wiring turns it into an FPNN error answer `{code, ex}`.
 */
export class RtmError extends Error {
  override readonly name = "RtmError";
  readonly [brand] = true;

  constructor(
    readonly code: RtmCode,
    message: string,
  ) {
    super(message);
  }

  /** `instanceof` that also holds across duplicated copies of this package. */
  static is(value: unknown): value is RtmError {
    return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }
}
