import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/** rtmkit-gen.yaml: where the IDL is and where each output goes (paths relative to the config file). */
const configSchema = z.strictObject({
  idl: z.string(),
  out: z.strictObject({
    sdk: z.string().optional(),
    fpnnErrors: z.string().optional(),
    docs: z.string().optional(),
    jsonSchema: z.string().optional(),
  }),
});

export interface GenConfig {
  /** Absolute IDL directory. */
  readonly idl: string;
  /** Absolute output paths; an absent one is not generated. */
  readonly out: {
    readonly sdk?: string;
    readonly fpnnErrors?: string;
    readonly docs?: string;
    readonly jsonSchema?: string;
  };
}

export type ConfigOverrides = Partial<{ idl: string; sdk: string; fpnnErrors: string; docs: string; jsonSchema: string }>;

export const defaultConfigPaths = ["rtmkit-gen.yaml", "idl/rtmkit-gen.yaml"];

export function findConfig(cwd: string): string | undefined {
  return defaultConfigPaths.map((p) => resolve(cwd, p)).find((p) => existsSync(p));
}

/** Reads the config file (if any) and applies flag overrides (relative to cwd). */
export function loadConfig(file: string | undefined, overrides: ConfigOverrides, cwd: string): GenConfig {
  let idl: string | undefined;
  let out: Record<string, string | undefined> = {};
  if (file !== undefined) {
    const parsed = configSchema.safeParse(parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const base = dirname(file);
    idl = resolve(base, parsed.data.idl);
    out = Object.fromEntries(Object.entries(parsed.data.out).map(([k, v]) => [k, v === undefined ? undefined : resolve(base, v)]));
  }
  const { idl: idlFlag, ...outFlags } = overrides;
  if (idlFlag !== undefined) idl = resolve(cwd, idlFlag);
  for (const [k, v] of Object.entries(outFlags)) if (v !== undefined) out[k] = resolve(cwd, v);
  if (idl === undefined) throw new Error("no IDL directory: pass --idl or a config file (rtmkit-gen.yaml)");
  const pick = (k: string): Record<string, string> => (out[k] === undefined ? {} : { [k]: out[k] });
  return { idl, out: { ...pick("sdk"), ...pick("fpnnErrors"), ...pick("docs"), ...pick("jsonSchema") } };
}
