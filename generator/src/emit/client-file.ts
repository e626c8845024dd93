import { Scope } from "ts-morph";
import type { IdlModel, MethodModel, ServiceModel } from "../idl/model.js";
import { renderTs } from "./source-file.js";
import { resultType } from "./tables.js";
import { tsInput } from "./ts-text.js";
import { baseModule, namedTypeImports } from "./wire-text.js";

/**
 * The typed client surface: one method per IDL method, each handing its descriptor and arguments to `invoke`.
 * For the RTM IDL an abstract `RtmMethods` (RTMServerClient extends it); for an IDL that extends the RTM IDL,
 * `RtmClient extends RTMServerClient` with the new methods.
 */
export function emitClient(model: IdlModel): string {
  const signatures: string[] = [];
  const extending = model.base !== undefined;
  return renderTs([...model.services.map((s) => s.file)], (f) => {
    const files = model.services.some((s) => s.auth === "fileToken") ? ["FileOptions"] : [];
    f.addImportDeclaration({ moduleSpecifier: "@rtmkit/protocol", namedImports: extending ? ["CallOptions", ...files, "Int64"] : ["AnyMethod", "CallOptions", ...files, "Int64", "ResultOf"], isTypeOnly: true });
    if (extending) f.addImportDeclaration({ moduleSpecifier: baseModule, namedImports: ["RTMServerClient"] });
    for (const s of model.services) f.addImportDeclaration({ moduleSpecifier: `./${s.name}.js`, namespaceImport: tablesName(s) });
    const cls = extending
      ? f.addClass({ name: "RtmClient", isExported: true, extends: "RTMServerClient", docs: ["RTMServerClient with the methods of this IDL, one per IDL method."] })
      : f.addClass({ name: "RtmMethods", isExported: true, isAbstract: true, docs: ["The RTM methods, one per IDL method; each hands its descriptor to `invoke`."] });
    if (!extending) cls.addMethod({
      name: "invoke",
      scope: Scope.Protected,
      isAbstract: true,
      typeParameters: [{ name: "D", constraint: "AnyMethod" }],
      parameters: [
        { name: "method", type: "D" },
        { name: "args", type: "readonly unknown[]" },
        { name: "options", type: "CallOptions | undefined" },
      ],
      returnType: "Promise<ResultOf<D>>",
    });
    for (const s of model.services) {
      for (const m of s.methods) {
        const result = resultType(m);
        const derived = m.result === undefined && result !== "void";
        signatures.push(result, ...m.params.map((p) => tsInput(p.type)));
        cls.addMethod({
          name: m.name,
          docs: [methodDoc(m, s)],
          parameters: [...m.params.map((p) => ({ name: p.name, type: tsInput(p.type), hasQuestionToken: p.optional })), { name: "options", type: optionsType(m, s), hasQuestionToken: true }],
          returnType: `Promise<${derived ? `${tablesName(s)}.${result}` : result}>`,
          statements: `return this.invoke(${tablesName(s)}.${m.name}, [${m.params.map((p) => p.name).join(", ")}], options);`,
        });
      }
    }
    for (const declaration of namedTypeImports(model, signatures, true)) f.addImportDeclaration({ ...declaration, isTypeOnly: true });
    if (!extending && model.services.some((s) => s.pushes.length > 0)) f.addStatements(`\n${pushTables(model)}`);
  });
}

/** Every push of the IDL in one table, and every event they raise: what RTMServerClient dispatches. */
function pushTables(model: IdlModel): string {
  const pushing = model.services.filter((s) => s.pushes.length > 0);
  const upper = (s: ServiceModel): string => s.name[0]!.toUpperCase() + s.name.slice(1);
  return [
    `/** Every push the server sends, by FPNN method. */\nexport const pushEndpoints = { ${pushing.map((s) => `...${tablesName(s)}.${s.name}PushEndpoints`).join(", ")} } as const;`,
    `/** Every event the pushes raise, each with what its handlers get. */\nexport type PushEvents = ${pushing.map((s) => `${tablesName(s)}.${upper(s)}PushEvents`).join(" & ")};`,
  ].join("\n\n");
}

/** The name client.ts imports a service's tables as: the service's, unless a parameter of it has that name. */
function tablesName(s: ServiceModel): string {
  return s.methods.some((m) => m.params.some((p) => p.name === s.name)) ? `${s.name}Tables` : s.name;
}

function methodDoc(m: MethodModel, s: ServiceModel): string {
  const options = [
    ...(s.auth === "fileToken" ? ["`fileName`, `fileExtension` and `attrs` for the attrs of the file"] : []),
    ...m.filled.filter((x) => x.option).map((x) => `\`${x.option}\` to supply the ${x.wire} yourself`),
  ];
  return [m.doc, "", ...m.params.map((p) => `@param ${p.name} ${p.doc}`), `@param options timeout (seconds) and signal${options.length > 0 ? `; ${options.join(", ")}` : ""}`].join("\n");
}

function optionsType(m: MethodModel, s: ServiceModel): string {
  const base = s.auth === "fileToken" ? "FileOptions" : "CallOptions";
  const extra = m.filled.filter((f) => f.option !== undefined).map((f) => `${f.option}?: ${tsInput(f.type)}`);
  return extra.length === 0 ? base : `${base} & { ${extra.join("; ")} }`;
}
