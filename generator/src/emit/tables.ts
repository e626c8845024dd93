import { pushEventsOf, type AnswerFieldModel, type IdlModel, type MethodModel, type ParamModel, type ServiceModel } from "../idl/model.js";
import { renderTs } from "./source-file.js";
import { docComment, literal, tsOutput, upperFirst } from "./ts-text.js";
import { enumBitsOf, namedTypeImports, usedNames, wireHelperNames, wireType } from "./wire-text.js";

/**
 * One service's tables: a descriptor per method (variants as base + fixed values), the endpoints a server
 * implements and their handler contract, the pushes and theirs. Data only: `@rtmkit/protocol` interprets it.
 */
export function emitServiceTables(model: IdlModel, service: ServiceModel): string {
  const bits = enumBitsOf(model);
  const type = (m: { type: Parameters<typeof wireType>[0] }): string => wireType(m.type, bits);
  const body: string[] = [];
  const info = `${service.name}Service`;
  body.push(`${docComment(service.doc)}export const ${info} = service(${literal(service.name)}, ${literal(service.auth)});`);
  if (service.pushes.length > 0) body.push(`/** The ${service.name} pushes: quests the server sends to the client, unsigned. */\nexport const ${service.name}Push = service(${literal(service.name)}, "none", "push");`);

  const filled = new Map<string, string>();
  for (const m of service.methods) {
    for (const f of m.filled) {
      if (filled.has(f.wire)) continue;
      const option = f.option === undefined ? "" : `, option: ${literal(f.option)}`;
      filled.set(f.wire, `${docComment(f.doc)}const ${f.wire} = { type: ${type(f)}, generate: ${literal(f.generate)}${option}, returned: ${f.returned} } as const;`);
    }
  }
  body.push(...filled.values());

  // An answer shared by several methods (a YAML anchor) is written once.
  const answers = new Map<string, { name: string; uses: number }>();
  for (const m of [...service.methods, ...service.pushes]) {
    if (m.base !== undefined) continue;
    const text = answerTable(m.answer, type);
    const seen = answers.get(text);
    answers.set(text, { name: seen?.name ?? `${m.name}Answer`, uses: (seen?.uses ?? 0) + 1 });
  }
  for (const [text, a] of answers) if (a.uses > 1 && text !== "{}") body.push(`const ${a.name} = ${text} as const;`);
  const answerOf = (m: MethodModel): string => {
    const text = answerTable(m.answer, type);
    const shared = answers.get(text)!;
    return shared.uses > 1 && text !== "{}" ? shared.name : text;
  };

  // Pushes of one message in several conversations or forms share their params table.
  const pushParams = new Map<string, { name: string; uses: number }>();
  for (const m of service.pushes) {
    const text = paramsTable(m.params, type);
    const seen = pushParams.get(text);
    pushParams.set(text, { name: seen?.name ?? `${m.name}Params`, uses: (seen?.uses ?? 0) + 1 });
  }
  for (const [text, p] of pushParams) if (p.uses > 1) body.push(`const ${p.name} = ${text.replace(/^params: /, "").replace(/,$/, "")} as const;`);
  const paramsOf = (m: MethodModel): string => {
    const text = paramsTable(m.params, type);
    const shared = m.direction === "push" ? pushParams.get(text) : undefined;
    return shared !== undefined && shared.uses > 1 ? `params: ${shared.name},` : text;
  };
  if (service.messageKinds.length > 0) {
    const kinds = service.messageKinds.map((k) => `${docComment(k.doc)}${k.name}: { ${[...(k.mtypes.length > 0 ? [`mtypes: [${k.mtypes.join(", ")}]`] : []), ...(k.hook ? [`hook: ${literal(k.hook)}`] : [])].join(", ")} },`);
    body.push(`/** The kinds of pushed messages by mtype: a message push raises \`<conversation><Kind>\`. */\nexport const ${service.name}MessageKinds = {\n${kinds.join("\n")}\n} as const;`);
  }

  for (const m of [...service.methods, ...service.pushes]) {
    const doc = docComment(`${m.name}: ${m.doc}`, `FPNN method \`${m.fpnn}\`${m.direction === "push" ? ", sent by the server" : ""}.`);
    if (m.base !== undefined) {
      const fixed = m.fixed.map((x) => `${paramName(service, m, x.wire)}: ${literal(x.value)}`).join(", ");
      body.push(`${doc}export const ${m.name} = variant(${m.base}, ${literal(m.name)}, { ${fixed} }, ${literal(m.doc)});`);
      continue;
    }
    const lines: string[] = [];
    lines.push(paramsOf(m));
    if (m.push !== undefined) lines.push(`push: ${pushText(service, m.push)},`);
    if (m.filled.length > 0) lines.push(`filled: { ${m.filled.map((f) => f.wire).join(", ")} },`);
    if (m.answer.length > 0) lines.push(`answer: ${answerOf(m)},`);
    if (m.hook) {
      const args = m.hook.args.length === 0 ? "" : `, args: { ${m.hook.args.map((a) => `${a.arg}: ${literal(a.param)}`).join(", ")} }`;
      lines.push(`hook: { name: ${literal(m.hook.name)}${args} },`);
    }
    if (resultType(m) !== "void") lines.push(`result: returns<${resultType(m)}>(),`);
    const owner = m.direction === "push" ? `${service.name}Push` : info;
    body.push(`${doc}export const ${m.name} = method(${owner}, ${literal(m.name)}, ${literal(m.fpnn)}, ${literal(m.doc)}, {\n${lines.join("\n")}\n});`);
  }

  for (const m of service.methods) {
    if (m.base !== undefined || m.result !== undefined || resultType(m) === "void") continue;
    const fields = [
      ...m.answer.map((a) => `${docComment(a.doc)}${a.name}${a.optional ? "?" : ""}: ${tsOutput(a.type)};`),
      ...m.filled.filter((x) => x.returned).map((x) => `${docComment(x.doc)}${x.wire}: bigint;`),
    ];
    body.push(`/** Result of ${m.name}. */\nexport interface ${resultType(m)} {\n${fields.join("\n")}\n}`);
  }

  const name = upperFirst(service.name);
  const bases = service.methods.filter((m) => m.base === undefined && m.alternativeOf === undefined);
  body.push(endpointTable(`${service.name}Endpoints`, `The ${service.name} methods a server implements, by FPNN method.`, bases, service.methods));
  body.push(`/** The handlers a ${service.name} server implements (registerHandlers). */\nexport type ${name}Handlers = Handlers<typeof ${service.name}Endpoints>;`);
  if (service.pushes.length > 0) {
    body.push(endpointTable(`${service.name}PushEndpoints`, `The ${service.name} pushes a client handles, by FPNN method.`, service.pushes));
    body.push(`/** The handlers a client implements for the ${service.name} pushes (registerHandlers on its FpnnClient). */\nexport type ${name}PushHandlers = Handlers<typeof ${service.name}PushEndpoints>;`);
    const events = [...pushEventsOf(service)].map(([event, carried]) => `${event}: ${carried};`);
    body.push(`/** The events the ${service.name} pushes raise, each with what its handlers get. */\nexport interface ${name}PushEvents {\n${events.join("\n")}\n}`);
  }
  body.push(`/** Every client method of the ${service.name} service, by SDK name. */\nexport const ${service.name}Methods = { ${service.methods.map((m) => m.name).join(", ")} } as const;`);

  return renderTs([service.file], (f) => {
    const protocol = [...(body.some((b) => b.includes("alternatives(")) ? ["alternatives"] : []), "endpoints", "method", ...(body.some((b) => b.includes("returns<")) ? ["returns"] : []), "service", ...(service.methods.some((m) => m.base) ? ["variant"] : []), ...usedNames(body, wireHelperNames)];
    f.addImportDeclaration({ moduleSpecifier: "@rtmkit/protocol", namedImports: [...protocol, "type Handlers"] });
    for (const declaration of namedTypeImports(model, body)) f.addImportDeclaration(declaration);
    f.addStatements(`\n${body.join("\n\n")}`);
  });
}

/** The params table; a single parameter on one line, its doc inline. */
function paramsTable(params: readonly ParamModel[], type: (m: ParamModel) => string): string {
  if (params.length === 0) return "params: {},";
  const entry = (p: ParamModel): string => `${p.name}: ${paramEntry(p, type)}`;
  if (params.length === 1) return `params: { ${docComment(params[0]!.doc).trimEnd()} ${entry(params[0]!)} },`.replace("{  ", "{ ");
  return `params: {\n${params.map((p) => `${docComment(p.doc)}${entry(p)},`).join("\n")}\n},`;
}

function paramEntry(p: ParamModel, type: (m: ParamModel) => string): string {
  const options = [
    ...(p.optional && p.default === undefined ? ["optional: true"] : []),
    ...(p.default !== undefined ? [`optional: true, default: ${literal(p.default)}`] : []),
    ...(p.min !== undefined ? [`min: ${p.min}`] : []),
    ...(p.max !== undefined ? [`max: ${p.max}`] : []),
    ...(p.omitEmpty === true ? ["omitEmpty: true"] : []),
    ...(p.alias !== undefined ? [`alias: ${literal(p.alias)}`] : []),
  ];
  return `[${literal(p.wire)}, ${type(p)}${options.length > 0 ? `, { ${options.join(", ")} }` : ""}]`;
}

function answerTable(answer: readonly AnswerFieldModel[], type: (a: AnswerFieldModel) => string): string {
  if (answer.length === 0) return "{}";
  const entry = (a: AnswerFieldModel): string => (a.name === a.wire && !a.optional ? type(a) : `[${literal(a.name)}, ${type(a)}${a.optional ? ", { optional: true }" : ""}]`);
  if (answer.length === 1) return `{ ${answer[0]!.wire}: ${entry(answer[0]!)} }`;
  return `{\n${answer.map((a) => `${docComment(a.doc)}${a.wire}: ${entry(a)},`).join("\n")}\n}`;
}

/** The endpoints table; a method sent in two forms (alternativeOf) is one endpoint taking the keys of both. */
function endpointTable(name: string, doc: string, methods: readonly MethodModel[], all: readonly MethodModel[] = methods): string {
  const entry = (m: MethodModel): string => {
    const alternative = all.find((x) => x.alternativeOf === m.name);
    return alternative === undefined ? m.name : `alternatives(${m.name}, ${alternative.name})`;
  };
  return `/** ${doc} */\nexport const ${name} = endpoints({\n${methods.map((m) => `${docComment(m.doc)}${m.fpnn}: ${entry(m)},`).join("\n")}\n});`;
}

function pushText(service: ServiceModel, push: NonNullable<MethodModel["push"]>): string {
  if ("event" in push) return `{ event: ${literal(push.event)} }`;
  return `{ conversation: ${literal(push.conversation)}, kinds: ${service.name}MessageKinds${push.kind !== undefined ? `, kind: ${literal(push.kind)}` : ""} }`;
}

/** The parameter a variant fixes, by its wire key. */
function paramName(service: ServiceModel, m: MethodModel, wire: string): string {
  const base = service.methods.find((x) => x.name === m.base)!;
  return base.params.find((p) => p.wire === wire)!.name;
}

/** The result type name of a method: its named struct, `void`, or a derived `<Base>Result`. */
export function resultType(m: MethodModel): string {
  if (m.result !== undefined) return m.result;
  if (m.answer.length === 0 && !m.filled.some((f) => f.returned)) return "void";
  return `${upperFirst(m.base ?? m.name)}Result`;
}
