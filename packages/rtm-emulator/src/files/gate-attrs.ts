import { Refusal, RtmErrorCode } from "../errors.js";

/** The attrs of a gate quest, read from either form an RTM SDK writes. */
export interface GateAttrs {
  readonly sign: string;
  /** The `rtm` object as it came (nested form: `type`, `lang`, `duration` of a voice message...); sign, filename and ext are set from the fields below. */
  readonly rtm: Readonly<Record<string, unknown>>;
  readonly filename: string | undefined;
  readonly ext: string | undefined;
  /** Present when the quest had `custom`, whatever JSON it held. */
  readonly custom?: unknown;
}

/**
 * Reads the attrs JSON of a file-gate quest: the flat `{sign, filename, ext, custom?}` of RTM's C++ SDK f459 and
 * Node SDK, or the nested `{rtm: {sign, filename, ext, ...}, custom}` of its Go SDK. No sign in either place, or
 * attrs that are not a JSON object: AttrsWithoutSignOrExt.
 */
export function readGateAttrs(text: string): GateAttrs {
  const attrs = jsonObject(text);
  if (attrs === undefined) throw new Refusal(RtmErrorCode.AttrsWithoutSignOrExt, "attrs is not a JSON object, so it has no sign");
  const nested = jsonObjectValue(attrs.rtm);
  const source = nested !== undefined && typeof nested.sign === "string" ? nested : attrs;
  if (typeof source.sign !== "string") throw new Refusal(RtmErrorCode.AttrsWithoutSignOrExt, 'attrs has no "sign" (at the top level or under "rtm")');
  return {
    sign: source.sign,
    rtm: source === nested ? nested : {},
    filename: typeof source.filename === "string" ? source.filename : undefined,
    ext: typeof source.ext === "string" ? source.ext : undefined,
    ...(Object.hasOwn(attrs, "custom") ? { custom: attrs.custom } : {}),
  };
}

/** The attrs a stored file message gets: always the nested form, `{"rtm": {sign, filename?, ext?, ...}, "custom"?}`. */
export function storedAttrs(attrs: GateAttrs): string {
  const rtm: Record<string, unknown> = { ...attrs.rtm, sign: attrs.sign };
  if (attrs.filename === undefined) delete rtm.filename;
  else rtm.filename = attrs.filename;
  if (attrs.ext === undefined) delete rtm.ext;
  else rtm.ext = attrs.ext;
  return JSON.stringify(Object.hasOwn(attrs, "custom") ? { rtm, custom: attrs.custom } : { rtm });
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    return jsonObjectValue(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function jsonObjectValue(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
