import { RtmErrorCode } from "@rtmkit/rtm-server-sdk";

const brand = Symbol.for("@rtmkit/rtm-emulator/Refusal");

/**
 * The emulator refusing a quest: an RTM code of the IDL and the `ex` text of the error answer.
 * The server wiring turns it into an FPNN error answer `{code, ex, raiser}`.
 */
export class Refusal extends Error {
  override readonly name = "Refusal";
  readonly [brand] = true;

  constructor(
    readonly code: RtmErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** `instanceof` that also holds across duplicated copies of this package. */
  static is(value: unknown): value is Refusal {
    return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }
}

export { RtmErrorCode };
