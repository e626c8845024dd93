import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";

/** rtmkit-gen.yaml: where the IDL is and where each output goes (paths relative to the config file). */
const configSchema = z.strictObject({
  idl: z.string(),
  /** The IDL this one extends: "rtm" (the RTM IDL shipped with rtmkit-gen) or a directory. */
  extends: z.string().optional(),
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
  /** Absolute directory of the IDL this one extends: its types and methods are known, not generated again. */
  readonly extends?: string;
  /** Absolute output paths; an absent one is not generated. */
  readonly out: {
    readonly sdk?: string;
    readonly fpnnErrors?: string;
    readonly docs?: string;
    readonly jsonSchema?: string;
  };
}

export type ConfigOverrides = Partial<{ idl: string; extends: string; sdk: string; fpnnErrors: string; docs: string; jsonSchema: string }>;

export const defaultConfigPaths = ["rtmkit.config.yaml", "rtmkit-gen.yaml", "idl/rtmkit-gen.yaml"];

/** The RTM IDL shipped with rtmkit-gen: beside the package's code (a published package), or the repository's. */
export function bundledRtmIdl(): string {
  const candidates = ["../idl", "../../idl"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((dir) => existsSync(resolve(dir, "rtm", "chat.yaml")));
  if (found === undefined) throw new Error(`the bundled RTM IDL is missing (looked in ${candidates.join(", ")})`);
  return found;
}

function extendsDir(value: string, base: string): string {
  return value === "rtm" ? bundledRtmIdl() : resolve(base, value);
}

export function findConfig(cwd: string): string | undefined {
  return defaultConfigPaths.map((p) => resolve(cwd, p)).find((p) => existsSync(p));
}

/** Reads the config file (if any) and applies flag overrides (relative to cwd). */
export function loadConfig(file: string | undefined, overrides: ConfigOverrides, cwd: string): GenConfig {
  let idl: string | undefined;
  let extended: string | undefined;
  let out: Record<string, string | undefined> = {};
  if (file !== undefined) {
    const parsed = configSchema.safeParse(parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const base = dirname(file);
    idl = resolve(base, parsed.data.idl);
    if (parsed.data.extends !== undefined) extended = extendsDir(parsed.data.extends, base);
    out = Object.fromEntries(Object.entries(parsed.data.out).map(([k, v]) => [k, v === undefined ? undefined : resolve(base, v)]));
  }
  const { idl: idlFlag, extends: extendsFlag, ...outFlags } = overrides;
  if (idlFlag !== undefined) idl = resolve(cwd, idlFlag);
  if (extendsFlag !== undefined) extended = extendsDir(extendsFlag, cwd);
  for (const [k, v] of Object.entries(outFlags)) if (v !== undefined) out[k] = resolve(cwd, v);
  if (idl === undefined) throw new Error("no IDL directory: pass --idl or a config file (rtmkit.config.yaml)");
  const pick = (k: string): Record<string, string> => (out[k] === undefined ? {} : { [k]: out[k] });
  return { idl, ...(extended !== undefined ? { extends: extended } : {}), out: { ...pick("sdk"), ...pick("fpnnErrors"), ...pick("docs"), ...pick("jsonSchema") } };
}
