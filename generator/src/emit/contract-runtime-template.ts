/** Emitted verbatim as `contract-runtime.ts` beside the emulator's generated handler contracts. */
export const contractRuntimeSource = `import type { z } from "zod";

/** One key of a request: its wire name, its schema, and whether it may be absent. */
export interface KeySpec {
  readonly key: string;
  readonly schema: z.ZodType;
  /** Reads a well-formed value without zod (what the schema would output), or gives undefined to let the schema decide. */
  readonly read?: ((value: unknown) => unknown) | undefined;
  readonly optional: boolean;
}

export type RequestCheck<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: "missing" | "invalid"; readonly key: string; readonly message: string };

/**
 * Checks a decoded request against its key specs: a missing key and a wrongly typed key are told
 * apart (they map to different error codes); 64-bit values come out as bigint.
 */
export function checkRequest<T>(method: string, specs: readonly KeySpec[], payload: Record<string, unknown>): RequestCheck<T> {
  const value: Record<string, unknown> = {};
  for (const spec of specs) {
    const raw = payload[spec.key];
    if (raw === undefined || raw === null) {
      if (spec.optional) continue;
      return { ok: false, reason: "missing", key: spec.key, message: \`\${method}: missing parameter "\${spec.key}"\` };
    }
    const read = spec.read?.(raw);
    if (read !== undefined) {
      value[spec.key] = read;
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, reason: "invalid", key: spec.key, message: \`\${method}: invalid parameter "\${spec.key}": \${issue?.message ?? "invalid"}\` };
    }
    value[spec.key] = parsed.data;
  }
  return { ok: true, value: value as T };
}

/** Checks a handler's answer against its schema; a promised answer is checked once it settles. Throws on a mismatch. */
export function checkAnswer<A>(method: string, schema: z.ZodType, answer: A | Promise<A>): A | Promise<A> {
  if (answer instanceof Promise) return answer.then((settled) => checkAnswer(method, schema, settled));
  const checked = schema.safeParse(answer);
  if (!checked.success) {
    throw new Error(\`\${method}: the handler's answer does not match the contract: \${checked.error.issues.map((i) => \`\${i.path.join(".")}: \${i.message}\`).join("; ")}\`);
  }
  return answer;
}
`;
