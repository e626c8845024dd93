import type { IdlModel } from "../idl/model.js";
import { renderTs } from "./source-file.js";
import { docComment, literal, tsOutput } from "./ts-text.js";
import { enumBitsOf, usedNames, wireHelperNames, wireType } from "./wire-text.js";

/** The named types: enums (values and wire types), result structs, records (row types and their tables), and the names of hooks and id generators. */
export function emitTypes(model: IdlModel): string {
  const body: string[] = [];
  for (const e of model.enums) {
    body.push(`${docComment(e.doc)}export const ${e.name} = {\n${e.values.map((v) => `${docComment(v.doc)}${v.name}: ${v.value},`).join("\n")}\n} as const;`);
    body.push(`export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`);
  }
  for (const s of model.structs) {
    const fields = (s.extends !== undefined ? s.ownFields : s.fields) ?? s.fields;
    const heritage = s.extends !== undefined ? ` extends ${s.extends}` : "";
    body.push(`${docComment(s.doc)}export interface ${s.name}${heritage} {\n${fields.map((x) => `${docComment(x.doc)}${x.name}${x.optional ? "?" : ""}: ${tsOutput(x.type)};`).join("\n")}\n}`);
  }
  const bits = enumBitsOf(model);
  for (const r of model.records) {
    body.push(`${docComment(r.doc)}export type ${r.name} = [${r.fields.map((x) => `${x.name}${x.optional ? "?" : ""}: ${tsOutput(x.type)}`).join(", ")}];`);
    body.push(`export const ${r.name} = record(${literal(r.name)}, [\n${r.fields.map((x) => `${docComment(x.doc)}[${literal(x.name)}, ${wireType(x.type, bits)}],`).join("\n")}\n]);`);
  }
  if (model.base === undefined) body.push(...clientNameUnions(model));
  return renderTs(model.typesFiles.length > 0 ? model.typesFiles : model.sources, (f) => {
    const helpers = usedNames(body, wireHelperNames);
    if (helpers.length > 0) f.addImportDeclaration({ moduleSpecifier: "@rtmkit/protocol", namedImports: helpers });
    f.addStatements(body.join("\n\n"));
  });
}

/** Whether an IDL declares named types of its own (an IDL extending the RTM IDL may not). */
export function hasOwnTypes(model: IdlModel): boolean {
  return model.base === undefined || model.enums.length + model.structs.length + model.records.length > 0;
}

/** The names of hooks and id generators the IDL uses, which the SDK's tables of them must cover. */
function clientNameUnions(model: IdlModel): string[] {
  const body: string[] = [];
  const methods = model.services.flatMap((s) => [...s.methods, ...s.pushes]);
  const kindHooks = model.services.flatMap((s) => s.messageKinds.flatMap((k) => (k.hook ? [k.hook] : [])));
  const hooks = [...new Set([...methods.flatMap((m) => (m.hook ? [m.hook.name] : [])), ...kindHooks])].sort();
  const ids = [...new Set(methods.flatMap((m) => m.filled.map((f) => f.generate)))].sort();
  body.push(`/** The client hooks the IDL names: a client's hook table is typed by this, so a name it lacks fails to compile. */\nexport type HookName = ${union(hooks)};`);
  body.push(`/** The client id generators the IDL names (filled fields). */\nexport type IdGeneratorName = ${union(ids)};`);
  return body;
}

function union(names: readonly string[]): string {
  return names.length === 0 ? "never" : names.map((n) => literal(n)).join(" | ");
}
