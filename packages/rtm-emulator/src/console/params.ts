import { z } from "zod";
import type { ConversationKind } from "../admin/types.js";
import { ApiError } from "./errors.js";

export const CONVERSATION_KINDS: readonly ConversationKind[] = ["p2p", "group", "room", "broadcast"];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 given as a decimal string (what every id is on the API) or, when small enough, a JSON number. */
export const int64 = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const text = typeof value === "number" ? (Number.isSafeInteger(value) ? String(value) : "") : value.trim();
    const id = /^-?\d{1,19}$/.test(text) ? BigInt(text) : undefined;
    if (id === undefined || id < INT64_MIN || id > INT64_MAX) {
      ctx.addIssue({ code: "custom", message: `must be an int64 as a decimal string, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return id;
  });

export const kind = z.enum(CONVERSATION_KINDS as [ConversationKind, ...ConversationKind[]], { error: () => `must be one of ${CONVERSATION_KINDS.join(", ")}` });

/** Parses `value` with `schema`; a failure is a 400 naming the first bad field (`where` prefixes its path). */
export function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length === 0 ? where : `${where === "body" ? "" : `${where} `}${issue.path.join(".")}`;
  throw new ApiError(400, `${field}: ${issue.message}`);
}

/** A query parameter that must be present. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new ApiError(400, `${name}: required`);
  return value;
}

/** An integer query parameter in min..max, or `fallback` when absent. */
export function integerParam(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ApiError(400, `${name}: must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** A decimal id in a query or path, checked as int64 and passed on as its text. */
export function idParam(value: string | undefined, name: string): string {
  const text = required(value, name);
  return String(parse(int64, text, name));
}
