import type { IdlModel } from "../idl/model.js";
import { emitClient } from "./client-file.js";
import { generatedHeader, renderTs } from "./source-file.js";
import { emitServiceTables } from "./tables.js";
import { emitTypes, hasOwnTypes } from "./types-file.js";

/** The SDK's generated folder: the tables (types, one file per service), the client methods, error codes. */
export function emitSdk(model: IdlModel, errorGroups: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (hasOwnTypes(model)) out.set("types.ts", emitTypes(model));
  for (const s of model.services) out.set(`${s.name}.ts`, emitServiceTables(model, s));
  out.set("client.ts", emitClient(model));
  if (model.errorsFile !== undefined) out.set("error-codes.ts", emitErrorCodes(model, errorGroups));
  out.set("index.ts", emitIndex(model));
  return out;
}

function emitErrorCodes(model: IdlModel, groups: readonly string[]): string {
  return emitErrorGroups(model, groups);
}

/** One constant object per error group, in the format of packages/fpnn/src/generated/error-codes.ts. */
export function emitErrorGroups(model: IdlModel, groups: readonly string[]): string {
  const parts = model.errors
    .filter((g) => groups.includes(g.key))
    .map(
      (g) => `/** ${g.doc} */
export const ${g.constName} = {
${g.codes.map((c) => `${c.doc ? `  /** ${c.doc} */\n` : ""}  ${c.pascal}: ${c.code},`).join("\n")}
} as const;

export type ${g.constName} = (typeof ${g.constName})[keyof typeof ${g.constName}];`,
    );
  return `${generatedHeader([model.errorsFile ?? "errors.yaml"], "//")}\n\n${parts.join("\n\n")}\n`;
}

function emitIndex(model: IdlModel): string {
  return renderTs(model.sources, (f) => {
    if (hasOwnTypes(model)) f.addExportDeclaration({ moduleSpecifier: "./types.js" });
    if (model.errorsFile !== undefined) f.addExportDeclaration({ moduleSpecifier: "./error-codes.js" });
    f.addExportDeclaration({ moduleSpecifier: "./client.js" });
    for (const s of model.services) f.addExportDeclaration({ moduleSpecifier: `./${s.name}.js`, namespaceExport: s.name });
    for (const s of model.services) {
      const name = s.name[0]!.toUpperCase() + s.name.slice(1);
      const contracts = [`${s.name}Endpoints`, `type ${name}Handlers`, ...(s.pushes.length > 0 ? [`${s.name}PushEndpoints`, `type ${name}PushHandlers`] : [])];
      f.addExportDeclaration({ moduleSpecifier: `./${s.name}.js`, namedExports: contracts });
    }
  });
}
