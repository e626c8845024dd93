import { Scope, type SourceFile } from "ts-morph";
import type { AnswerFieldModel, IdlModel, MethodModel, ServiceModel } from "../idl/model.js";
import type { TypeRef } from "../idl/type-expr.js";
import { NamedTypes } from "./named-types.js";
import { scalarChecksSource, scalarsSource } from "./scalars-template.js";
import { generatedHeader, renderTs } from "./source-file.js";
import { docComment, fastCheck, fastCheckHelperNames, literal, scalarHelperNames, tsInput, tsOutput, upperFirst, usedHelpers, zodInput, zodWire } from "./ts-text.js";

/** The SDK's generated folder: scalars, types, one descriptor file per service, the client methods, error codes. */
export function emitSdk(model: IdlModel, errorGroups: readonly string[]): Map<string, string> {
  const named = new NamedTypes(model);
  const out = new Map<string, string>();
  out.set("scalars.ts", `${generatedHeader(["the IDL scalar types"], "//")}\n\n${scalarsSource}\n${scalarChecksSource}`);
  out.set("types.ts", emitTypes(model, named));
  for (const s of model.services) out.set(`${s.name}.ts`, emitService(s, named));
  out.set("client.ts", emitClient(model));
  out.set("error-codes.ts", emitErrorCodes(model, errorGroups));
  out.set("index.ts", emitIndex(model));
  return out;
}

function emitTypes(model: IdlModel, named: NamedTypes): string {
  const answerRoots = model.services.flatMap((s) => s.methods.flatMap((m) => m.answer.map((a) => a.type)));
  const inputRoots = model.services.flatMap((s) => s.methods.flatMap((m) => m.params.map((p) => p.type)));
  const wire = named.reachable(answerRoots);
  const input = named.reachable(inputRoots);
  return renderTs(model.typesFiles, (f) => {
    const body: string[] = [];
    for (const e of model.enums) {
      body.push(`${docComment(e.doc)}export const ${e.name} = {\n${e.values.map((v) => `${docComment(v.doc)}${v.name}: ${v.value},`).join("\n")}\n} as const;`);
      body.push(`export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`);
    }
    for (const s of model.structs) {
      body.push(`${docComment(s.doc)}export interface ${s.name} {\n${s.fields.map((x) => `${docComment(x.doc)}${x.name}${x.optional ? "?" : ""}: ${tsOutput(x.type)};`).join("\n")}\n}`);
    }
    for (const r of model.records) {
      body.push(`${docComment(r.doc)}export type ${r.name} = [${r.fields.map((x) => `${x.name}${x.optional ? "?" : ""}: ${tsOutput(x.type)}`).join(", ")}];`);
    }
    for (const { kind, type } of wire) {
      const fields = type.fields.map((x) => `${zodWire(x.type, named.enumBase)}${x.optional ? ".optional()" : ""}`);
      body.push(
        kind === "record"
          ? `/** Checks a decoded ${type.name} row. */\nexport const ${type.name}Wire = z.tuple([${fields.join(", ")}]);`
          : `/** Checks a decoded ${type.name}. */\nexport const ${type.name}Wire = z.object({ ${type.fields.map((x, i) => `${x.name}: ${fields[i]}`).join(", ")} });`,
      );
    }
    for (const { type } of input) {
      body.push(
        `/** Checks a ${type.name} argument. */\nexport const ${type.name}Input = z.object({ ${type.fields.map((x) => `${x.name}: ${zodInput(x.type, named.enumValues)}${x.optional ? ".optional()" : ""}`).join(", ")} });`,
      );
    }
    const helpers = usedHelpers(body, scalarHelperNames);
    if (wire.length + input.length > 0) f.addImportDeclaration({ moduleSpecifier: "zod", namedImports: ["z"] });
    if (body.some((b) => /\bInt64\b/.test(b))) f.addImportDeclaration({ moduleSpecifier: "../descriptor.js", namedImports: ["Int64"], isTypeOnly: true });
    if (helpers.length > 0) f.addImportDeclaration({ moduleSpecifier: "./scalars.js", namedImports: helpers });
    f.addStatements(body.join("\n\n"));
  });
}

/** The result type name of a method: its named struct, `void`, or a derived `<Base>Result`. */
function resultType(m: MethodModel): string {
  if (m.result !== undefined) return m.result;
  if (m.answer.length === 0 && !m.filled.some((f) => f.returned)) return "void";
  return `${upperFirst(m.base ?? m.name)}Result`;
}

function optionsType(m: MethodModel): string {
  const extra = m.filled.filter((f) => f.option !== undefined).map((f) => `${f.option}?: ${tsInput(f.type)}`);
  return extra.length === 0 ? "CallOptions" : `CallOptions & { ${extra.join("; ")} }`;
}

function argsTuple(m: MethodModel): string {
  return `[${m.params.map((p) => `${p.name}${p.optional ? "?" : ""}: ${tsInput(p.type)}`).join(", ")}]`;
}

function wireKind(t: TypeRef): string {
  if (t.kind === "scalar" && t.name === "int64") return "int64";
  if (t.kind === "list" || t.kind === "set") return t.of.kind === "scalar" && t.of.name === "int64" ? "int64list" : "list";
  return "plain";
}

/** The descriptor's `accepts` line: every parameter's fast check, or nothing when one has none. */
function acceptsLine(m: MethodModel, named: NamedTypes): string | undefined {
  const checks: string[] = [];
  for (const [i, p] of m.params.entries()) {
    const check = fastCheck(p.type, `a[${i}]`, named.enumValues, p);
    if (check === undefined) return undefined;
    checks.push(p.optional ? `(a[${i}] === undefined || ${check})` : check);
  }
  return `accepts: (a) => ${checks.length === 0 ? "true" : checks.join(" && ")},`;
}

function answerSchema(answer: readonly AnswerFieldModel[], named: NamedTypes): string {
  return `z.object({ ${answer.map((a) => `${a.wire}: ${zodWire(a.type, named.enumBase)}${a.optional ? ".optional()" : ""}`).join(", ")} })`;
}

function emitService(service: ServiceModel, named: NamedTypes): string {
  return renderTs([service.file], (f) => {
    const body: string[] = [];
    // One answer schema per distinct answer shape, named after the first method that has it.
    const answers = new Map<string, string>();
    const bySchema = new Map<string, string>();
    for (const m of service.methods) {
      const schema = answerSchema(m.answer, named);
      let name = bySchema.get(schema);
      if (name === undefined) {
        name = `${m.base ?? m.name}Answer`;
        bySchema.set(schema, name);
        body.push(`const ${name} = ${schema};`);
      }
      answers.set(m.name, name);
    }
    for (const m of service.methods) {
      const result = resultType(m);
      if (m.base === undefined && result.endsWith("Result") && m.result === undefined) {
        const fields = [
          ...m.answer.map((a) => `${docComment(a.doc)}${a.name}${a.optional ? "?" : ""}: ${tsOutput(a.type)};`),
          ...m.filled.filter((x) => x.returned).map((x) => `${docComment(x.doc)}${x.wire}: ${tsOutput(x.type)};`),
        ];
        body.push(`/** Result of ${m.name}. */\nexport interface ${result} {\n${fields.join("\n")}\n}`);
      }
      body.push(`/** Arguments of ${m.name}. */\nexport type ${upperFirst(m.name)}Args = ${argsTuple(m)};`);
      const input = `z.tuple([${m.params.map((p) => `${zodInput(p.type, named.enumValues, p)}${p.optional ? ".optional()" : ""}`).join(", ")}])`;
      const fixed = m.fixed.map((x) => `${x.wire}: ${literal(x.value)}`).join(", ");
      const filled = m.filled.map((x) => `{ wire: ${literal(x.wire)}, generate: ${literal(x.generate)}, ${x.option !== undefined ? `option: ${literal(x.option)}, ` : ""}returned: ${x.returned} }`);
      const accepts = acceptsLine(m, named);
      const hook = m.hook
        ? `hook: { name: ${literal(m.hook.name)}, args: { ${m.hook.args.map((a) => `${a.arg}: ${m.params.findIndex((p) => p.name === a.param)}`).join(", ")} } },`
        : "";
      body.push(
        `${docComment(`${m.name}: ${m.doc}`, `FPNN method \`${m.fpnn}\`.`)}export const ${m.name}: MethodDescriptor<${upperFirst(m.name)}Args, ${result}> = {
  service: ${literal(service.name)},
  name: ${literal(m.name)},
  fpnn: ${literal(m.fpnn)},
  signed: ${service.auth === "signed"},
  params: ${literal(m.params.map((p) => p.name))},
  wire: ${literal(m.params.map((p) => p.wire))},
  kinds: ${literal(m.params.map((p) => wireKind(p.type)))},
  defaults: [${m.params.map((p) => (p.default === undefined ? "undefined" : literal(p.default))).join(", ")}],
  fixed: { ${fixed} },
  filled: [${filled.join(", ")}],
  input: ${input},${accepts ? `\n  ${accepts}` : ""}
  answer: ${answers.get(m.name)},
  result: ${literal(m.answer.map((a) => [a.wire, a.name]))},${hook ? `\n  ${hook}` : ""}
};`,
      );
    }
    body.push(`/** Every method of the ${service.name} service, by SDK name. */\nexport const ${service.name}Methods = { ${service.methods.map((m) => m.name).join(", ")} } as const;`);
    f.addImportDeclaration({ moduleSpecifier: "zod", namedImports: ["z"] });
    const needsInt64 = body.some((b) => /\bInt64\b/.test(b));
    f.addImportDeclaration({ moduleSpecifier: "../descriptor.js", namedImports: [...(needsInt64 ? ["Int64"] : []), "MethodDescriptor"], isTypeOnly: true });
    const helpers = usedHelpers(body, [...scalarHelperNames, ...fastCheckHelperNames]);
    if (helpers.length > 0) f.addImportDeclaration({ moduleSpecifier: "./scalars.js", namedImports: helpers });
    const imports = typesImports(body, named);
    if (imports.length > 0) f.addImportDeclaration({ moduleSpecifier: "./types.js", namedImports: imports });
    f.addStatements(`\n${body.join("\n\n")}`);
  });
}

/** Imports from types.ts that a file's text needs: schemas as values, the rest as types. */
export function typesImports(body: readonly string[], named: NamedTypes): string[] {
  const all = body.join(" ");
  const out: string[] = [];
  for (const n of named.allNames()) {
    if (new RegExp(`\\b${n}Wire\\b`).test(all)) out.push(`${n}Wire`);
    if (new RegExp(`\\b${n}Input\\b`).test(all)) out.push(`${n}Input`);
    if (new RegExp(`\\b${n}\\b`).test(all)) out.push(`type ${n}`);
  }
  return out;
}

function emitClient(model: IdlModel): string {
  const named = new NamedTypes(model);
  return renderTs([...model.services.map((s) => s.file)], (f) => {
    f.addImportDeclaration({ moduleSpecifier: "../descriptor.js", namedImports: ["CallOptions", "Int64", "MethodDescriptor"], isTypeOnly: true });
    const typeNames = new Set<string>();
    for (const s of model.services) f.addImportDeclaration({ moduleSpecifier: `./${s.name}.js`, namespaceImport: s.name });
    const cls = f.addClass({
      name: "RtmMethods",
      isExported: true,
      isAbstract: true,
      docs: ["The RTM methods, one per IDL method; each hands its descriptor to `invoke`."],
    });
    cls.addMethod({
      name: "invoke",
      scope: Scope.Protected,
      isAbstract: true,
      typeParameters: [{ name: "Args", constraint: "readonly unknown[]" }, { name: "Result" }],
      parameters: [
        { name: "method", type: "MethodDescriptor<Args, Result>" },
        { name: "args", type: "Args" },
        { name: "options", type: "CallOptions | undefined" },
      ],
      returnType: "Promise<Result>",
    });
    for (const s of model.services) {
      for (const m of s.methods) {
        const result = resultType(m);
        if (m.result !== undefined) typeNames.add(m.result);
        const paramDocs = m.params.map((p) => `@param ${p.name} ${p.doc}`);
        cls.addMethod({
          name: m.name,
          docs: [[m.doc, "", ...paramDocs, `@param options timeout (seconds) and signal${m.filled.some((x) => x.option) ? `; ${m.filled.filter((x) => x.option).map((x) => `\`${x.option}\` to supply the ${x.wire} yourself`).join(", ")}` : ""}`].join("\n")],
          parameters: [
            ...m.params.map((p) => ({ name: p.name, type: tsInput(p.type), hasQuestionToken: p.optional })),
            { name: "options", type: optionsType(m), hasQuestionToken: true },
          ],
          returnType: `Promise<${result.endsWith("Result") && m.result === undefined ? `${s.name}.${result}` : result}>`,
          statements: `return this.invoke(${s.name}.${m.name}, [${m.params.map((p) => p.name).join(", ")}], options);`,
        });
        for (const p of m.params) for (const n of named.mentioned([tsInput(p.type)])) typeNames.add(n);
      }
    }
    if (typeNames.size > 0) f.addImportDeclaration({ moduleSpecifier: "./types.js", namedImports: [...typeNames].sort(), isTypeOnly: true });
  });
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
  return `${generatedHeader([model.errorsFile], "//")}\n\n${parts.join("\n\n")}\n`;
}

function emitIndex(model: IdlModel): string {
  return renderTs(model.sources, (f) => {
    f.addExportDeclaration({ moduleSpecifier: "./types.js" });
    f.addExportDeclaration({ moduleSpecifier: "./error-codes.js" });
    f.addExportDeclaration({ moduleSpecifier: "./client.js" });
    for (const s of model.services) f.addExportDeclaration({ moduleSpecifier: `./${s.name}.js`, namespaceExport: s.name });
  });
}
