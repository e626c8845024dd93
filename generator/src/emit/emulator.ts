import type { IdlModel, ServiceModel } from "../idl/model.js";
import { contractRuntimeSource } from "./contract-runtime-template.js";
import { NamedTypes } from "./named-types.js";
import { answerScalarsImport, answerScalarsSource, scalarsSource, wireReadersSource } from "./scalars-template.js";
import { typesImports } from "./sdk.js";
import { generatedHeader, renderTs } from "./source-file.js";
import { answerHelperNames, docComment, scalarHelperNames, tsOutput, upperFirst, usedHelpers, wireReader, wireReaderNames, zodWire } from "./ts-text.js";

/** The auth keys a `signed` service's requests carry. */
const signedAuth = [
  { key: "pid", type: "number", schema: "wireInt32", read: "readWireInt32" },
  { key: "sign", type: "string", schema: "string", read: "readString" },
  { key: "salt", type: "bigint", schema: "wireInt64", read: "readWireInt64" },
  { key: "ts", type: "number", schema: "wireInt32", read: "readWireInt32" },
] as const;

/**
 * Server-side handler contracts: per FPNN method the request type (wire keys), its key specs, the
 * answer type and schema; per service a handlers interface and a function registering it on an FpnnServer.
 */
export function emitEmulator(model: IdlModel): Map<string, string> {
  const named = new NamedTypes(model);
  const out = new Map<string, string>();
  out.set("scalars.ts", `${generatedHeader(["the IDL scalar types"], "//")}\n\n${answerScalarsImport}\n${scalarsSource}\n${answerScalarsSource}\n${wireReadersSource}`);
  out.set("contract-runtime.ts", `${generatedHeader(["the generator's contract runtime"], "//")}\n\n${contractRuntimeSource}`);
  out.set("types.ts", emitWireTypes(model, named));
  for (const s of model.services) out.set(`${s.name}.ts`, emitContracts(s, named, model));
  out.set(
    "index.ts",
    renderTs(model.sources, (f) => {
      f.addExportDeclaration({ moduleSpecifier: "./contract-runtime.js" });
      f.addExportDeclaration({ moduleSpecifier: "./types.js" });
      for (const s of model.services) f.addExportDeclaration({ moduleSpecifier: `./${s.name}.js` });
    }),
  );
  return out;
}

/** Records/structs as answers carry them (64-bit values as bigint | number, strings as string | StrBytes), plus their schemas. */
function emitWireTypes(model: IdlModel, named: NamedTypes): string {
  const roots = model.services.flatMap((s) => s.fpnnMethods.flatMap((m) => [...m.request.map((r) => r.type), ...m.answer.map((a) => a.type)]));
  const reachable = named.reachable(roots);
  return renderTs(model.typesFiles, (f) => {
    const body: string[] = [];
    for (const e of model.enums) {
      body.push(`${docComment(e.doc)}export const ${e.name} = { ${e.values.map((v) => `${v.name}: ${v.value}`).join(", ")} } as const;`);
      body.push(`export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`);
    }
    const schemas: string[] = []; // the zod texts: what the scalar helpers are imported for
    for (const { kind, type } of reachable) {
      const fields = type.fields.map((x) => `${zodWire(x.type, named.enumBase, true)}${x.optional ? ".optional()" : ""}`);
      schemas.push(...fields);
      if (kind === "record") {
        body.push(`${docComment(type.doc)}export type ${type.name} = [${type.fields.map((x) => `${x.name}: ${tsOutput(x.type, true, true)}`).join(", ")}];`);
        body.push(`export const ${type.name}Wire = z.tuple([${fields.join(", ")}]);`);
      } else {
        body.push(`${docComment(type.doc)}export interface ${type.name} {\n${type.fields.map((x) => `${x.name}${x.optional ? "?" : ""}: ${tsOutput(x.type, true, true)};`).join("\n")}\n}`);
        body.push(`export const ${type.name}Wire = z.object({ ${type.fields.map((x, i) => `${x.name}: ${fields[i]}`).join(", ")} });`);
      }
    }
    if (reachable.length > 0) f.addImportDeclaration({ moduleSpecifier: "zod", namedImports: ["z"] });
    if (body.some((b) => /\bStrBytes\b/.test(b))) f.addImportDeclaration({ moduleSpecifier: "@rtmkit/fpnn", namedImports: ["StrBytes"], isTypeOnly: true });
    const helpers = usedHelpers(schemas, [...scalarHelperNames, ...answerHelperNames]);
    if (helpers.length > 0) f.addImportDeclaration({ moduleSpecifier: "./scalars.js", namedImports: helpers });
    f.addStatements(`\n${body.join("\n\n")}`);
  });
}

function emitContracts(service: ServiceModel, named: NamedTypes, model: IdlModel): string {
  const Svc = upperFirst(service.name);
  const signed = service.auth === "signed";
  void model;
  return renderTs([service.file], (f) => {
    const body: string[] = [];
    if (signed) {
      body.push(`/** The auth keys of every ${service.name} request (checked by the implementation: pid, sign over salt and ts). */
export interface SignedAuth {
${signedAuth.map((a) => `  ${a.key}: ${a.type};`).join("\n")}
}

export const signedAuthKeys: readonly KeySpec[] = [${signedAuth.map((a) => `{ key: "${a.key}", schema: ${a.schema}, read: ${a.read}, optional: false }`).join(", ")}];`);
    }
    const handlerLines: string[] = [];
    for (const m of service.fpnnMethods) {
      const T = upperFirst(m.fpnn.replace(/^\*/, ""));
      body.push(
        `${docComment(`Request of \`${m.fpnn}\` (${m.sdkName}): ${m.doc}`)}export interface ${T}Request {\n${m.request
          .map((r) => `${docComment(r.doc)}${r.wire}${r.optional ? "?" : ""}: ${tsOutput(r.type, false, true)};`)
          .join("\n")}\n}`,
      );
      body.push(
        `export const ${m.fpnn.replace(/^\*/, "")}RequestKeys: readonly KeySpec[] = [\n${m.request
          .map((r) => {
            const read = wireReader(r.type, named.enumBase);
            return `{ key: "${r.wire}", schema: ${zodWire(r.type, named.enumBase)},${read === undefined ? "" : ` read: ${read},`} optional: ${r.optional} },`;
          })
          .join("\n")}\n];`,
      );
      body.push(
        `${docComment(`Answer of \`${m.fpnn}\`.`)}export interface ${T}Answer {\n${m.answer
          .map((a) => `${docComment(a.doc)}${a.wire}${a.optional ? "?" : ""}: ${tsOutput(a.type, true, true)};`)
          .join("\n")}\n}`,
      );
      body.push(
        `export const ${m.fpnn.replace(/^\*/, "")}Answer = z.object({ ${m.answer.map((a) => `${a.wire}: ${zodWire(a.type, named.enumBase, true)}${a.optional ? ".optional()" : ""}`).join(", ")} });`,
      );
      handlerLines.push(
        `${docComment(m.doc)}${JSON.stringify(m.fpnn)}(request: ${T}Request${signed ? ", auth: SignedAuth" : ""}, context: HandlerContext): ${T}Answer | Promise<${T}Answer>;`,
      );
    }
    body.push(`/** The context FpnnServer hands to a handler. */
export type HandlerContext = Parameters<Parameters<FpnnServer["handle"]>[1]>[1];`);
    body.push(`${docComment(`One typed handler per FPNN method of the ${service.name} service.`)}export interface ${Svc}Handlers {\n${handlerLines.join("\n")}\n}`);
    body.push(`export interface Register${Svc}Options {
  /** Error code for a missing request key. */
  missingCode: number;
  /** Error code for a wrongly typed request key. */
  invalidCode: number;
  /** Check every answer against its schema before sending it (for development; default false). */
  validateAnswers?: boolean;
  /**
   * Called once, during registration, with the methods of the IDL that \`handlers\` lacks (only when some are
   * missing, e.g. a method added to the IDL that the implementation does not have yet). Each of them is still
   * registered and answers FPNN 20004 (unknown method) naming itself.
   */
  onMissing?: (methods: readonly (keyof ${Svc}Handlers)[]) => void;
}

const ${service.name}Contracts = {
${service.fpnnMethods.map((m) => `  ${JSON.stringify(m.fpnn)}: { keys: ${m.fpnn.replace(/^\*/, "")}RequestKeys, answer: ${m.fpnn.replace(/^\*/, "")}Answer },`).join("\n")}
} as const;

/**
 * Registers an implementation of ${Svc}Handlers on an FpnnServer: each request is checked (a missing key
 * rejects with \`missingCode\`, a wrongly typed one with \`invalidCode\`, naming the key)${signed ? ", its auth keys are split off," : ""}
 * and the handler's answer is optionally validated. A method \`handlers\` lacks (code that was not type-checked
 * against a newer IDL, or a cast) is answered 20004 naming it and reported to \`options.onMissing\`; it is not a crash.
 */
export function register${Svc}Handlers(server: FpnnServer, handlers: ${Svc}Handlers, options: Register${Svc}Options): FpnnServer {
  const missing: (keyof ${Svc}Handlers)[] = [];
  for (const method of Object.keys(${service.name}Contracts) as (keyof typeof ${service.name}Contracts)[]) {
    const contract = ${service.name}Contracts[method];
    const implementation: unknown = handlers[method];
    if (typeof implementation !== "function") {
      missing.push(method);
      server.handle(method, () => {
        throw new FpnnError(FpnnErrorCode.CoreUnknownMethod, \`unknown method \${method}: in the IDL, but this server does not implement it\`, { method });
      });
      continue;
    }
    const handler = (implementation as (request: unknown, ${signed ? "auth: SignedAuth, " : ""}context: HandlerContext) => Payload | Promise<Payload>).bind(handlers);
    // Synchronous handlers answer synchronously: the runtime sees each answer's size before it reads the next quest.
    server.handle(method, (payload, context) => {
      ${signed ? `const auth = checkRequest<SignedAuth>(method, signedAuthKeys, payload);
      if (!auth.ok) throw new FpnnError(auth.reason === "missing" ? options.missingCode : options.invalidCode, auth.message, { method });` : ""}
      const request = checkRequest(method, contract.keys, payload);
      if (!request.ok) throw new FpnnError(request.reason === "missing" ? options.missingCode : options.invalidCode, request.message, { method });
      const answer = handler(request.value, ${signed ? "auth.value, " : ""}context);
      return options.validateAnswers ? checkAnswer(method, contract.answer, answer) : answer;
    });
  }
  if (missing.length > 0) options.onMissing?.(missing);
  return server;
}`);
    f.addImportDeclaration({ moduleSpecifier: "zod", namedImports: ["z"] });
    const usesStrBytes = body.some((b) => /\bStrBytes\b/.test(b));
    f.addImportDeclaration({ moduleSpecifier: "@rtmkit/fpnn", namedImports: ["FpnnError", "FpnnErrorCode", "type FpnnServer", "type Payload", ...(usesStrBytes ? ["type StrBytes"] : [])] });
    f.addImportDeclaration({ moduleSpecifier: "./contract-runtime.js", namedImports: ["checkAnswer", "checkRequest", "type KeySpec"] });
    const helpers = usedHelpers(body, [...scalarHelperNames, ...answerHelperNames, ...wireReaderNames]);
    if (helpers.length > 0) f.addImportDeclaration({ moduleSpecifier: "./scalars.js", namedImports: helpers });
    const imports = typesImports(body, named).filter((n) => !n.endsWith("Input"));
    if (imports.length > 0) f.addImportDeclaration({ moduleSpecifier: "./types.js", namedImports: imports });
    f.addStatements(`\n${body.join("\n\n")}`);
  });
}
