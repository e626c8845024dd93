import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { GenConfig } from "./config.js";
import { emitDocs } from "./emit/docs.js";
import { emitErrorGroups, emitSdk } from "./emit/sdk.js";
import { idlJsonSchema } from "./idl/meta-schema.js";
import { loadIdl, type IdlModel } from "./idl/model.js";

/** Every output file: absolute path -> content. Directories listed in `owned` hold only generated files. */
export interface Generated {
  readonly files: Map<string, string>;
  readonly owned: readonly string[];
  readonly model: IdlModel;
}

/** Loads the IDL (throws IdlError when invalid) and renders every output in memory. */
export function generate(config: GenConfig): Generated {
  const idlParent = dirname(config.idl);
  const display = (p: string): string => relative(idlParent, p).split("\\").join("/");
  const base = config.extends === undefined ? undefined : loadIdl(config.extends, (p) => relative(dirname(config.extends!), p).split("\\").join("/"));
  const model = loadIdl(config.idl, display, base);
  const files = new Map<string, string>();
  const owned: string[] = [];
  const fpnnGroups = config.out.fpnnErrors ? ["fpnn"] : [];
  if (config.out.sdk) {
    owned.push(config.out.sdk);
    const sdkGroups = model.errors.map((g) => g.key).filter((k) => !fpnnGroups.includes(k));
    for (const [name, text] of emitSdk(model, sdkGroups)) files.set(join(config.out.sdk, name), text);
  }
  if (config.out.fpnnErrors) files.set(config.out.fpnnErrors, emitErrorGroups(model, fpnnGroups));
  if (config.out.docs) files.set(config.out.docs, emitDocs(model));
  if (config.out.jsonSchema) files.set(config.out.jsonSchema, `${JSON.stringify(idlJsonSchema(), null, 2)}\n`);
  return { files, owned, model };
}

/** Files whose content differs from what is generated, plus stray files in generated-only folders. */
export function staleFiles(g: Generated): string[] {
  const stale: string[] = [];
  for (const [path, text] of g.files) {
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) stale.push(path);
  }
  for (const dir of g.owned) for (const f of listFiles(dir)) if (!g.files.has(f)) stale.push(f);
  return stale.sort();
}

/** Writes changed files only, and removes stray files from generated-only folders. Returns the paths touched. */
export function writeGenerated(g: Generated): string[] {
  const touched: string[] = [];
  for (const [path, text] of g.files) {
    if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    touched.push(path);
  }
  for (const dir of g.owned) {
    for (const f of listFiles(dir)) {
      if (g.files.has(f)) continue;
      rmSync(f);
      touched.push(f);
    }
  }
  return touched;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

