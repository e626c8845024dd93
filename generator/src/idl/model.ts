import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { IdlError, type IdlProblem } from "./errors.js";
import { errorsSchema, serviceSchema, typesSchema, type MethodSpec, type ServiceFile } from "./meta-schema.js";
import { formatPath, IdlSource, type PathSegment } from "./source.js";
import { formatType, intRanges, parseType, sameType, type IntName, type NamedKind, type TypeRef } from "./type-expr.js";

export interface FieldModel {
  readonly name: string;
  readonly type: TypeRef;
  readonly doc: string;
  readonly optional: boolean;
}
export interface StructModel {
  readonly name: string;
  readonly doc: string;
  /** Every field, inherited ones first. */
  readonly fields: readonly FieldModel[];
  /** The struct this one extends, and the fields it adds. */
  readonly extends?: string;
  readonly ownFields?: readonly FieldModel[];
}
export interface EnumModel {
  readonly name: string;
  readonly doc: string;
  readonly base: IntName;
  readonly values: readonly { readonly name: string; readonly value: number; readonly doc: string }[];
}
export interface ErrorGroupModel {
  readonly key: string;
  readonly constName: string;
  readonly doc: string;
  readonly codes: readonly { readonly code: number; readonly name: string; readonly pascal: string; readonly doc: string }[];
}
export interface ParamModel {
  readonly name: string;
  readonly wire: string;
  readonly type: TypeRef;
  readonly doc: string;
  readonly optional: boolean;
  readonly default?: unknown;
  readonly min?: number;
  readonly max?: number;
  readonly omitEmpty?: boolean;
  readonly alias?: string;
}
export interface FilledModel {
  readonly wire: string;
  readonly type: TypeRef;
  readonly generate: string;
  readonly option?: string;
  readonly returned: boolean;
  readonly doc: string;
}
export interface AnswerFieldModel {
  readonly wire: string;
  readonly name: string;
  readonly type: TypeRef;
  readonly doc: string;
  readonly optional: boolean;
}
export interface MethodModel {
  readonly name: string;
  readonly fpnn: string;
  /** "push": a quest the server sends to the client. */
  readonly direction: "call" | "push";
  readonly doc: string;
  /** The generic method this variant derives from (undefined for a generic/plain method). */
  readonly base?: string;
  /** SDK positional parameters, in order. */
  readonly params: readonly ParamModel[];
  /** Wire fields with a value fixed by the method (a variant's mtype). */
  readonly fixed: readonly { readonly wire: string; readonly type: TypeRef; readonly value: unknown }[];
  readonly filled: readonly FilledModel[];
  readonly answer: readonly AnswerFieldModel[];
  readonly hook?: { readonly name: string; readonly args: readonly { readonly arg: string; readonly param: string }[] };
  /** Named result struct, or undefined when the result type is derived from the answer. */
  readonly result?: string;
  /** The method whose FPNN method this one sends too, with other keys; the server has one endpoint for both. */
  readonly alternativeOf?: string;
  /** A push: the user-level event(s) it raises. */
  readonly push?: PushModel;
}
/** A push raises one named event, or (a message push) `<conversation><Kind>` by mtype, or by a fixed kind. */
export type PushModel = { readonly event: string } | { readonly conversation: "p2p" | "group" | "room"; readonly kind?: string };
export interface MessageKindModel {
  readonly name: string;
  /** Empty: the kind of every mtype no other kind lists. */
  readonly mtypes: readonly number[];
  readonly hook?: string;
  readonly doc: string;
}
export interface ServiceModel {
  readonly name: string;
  readonly file: string;
  readonly auth: "signed" | "none" | "fileToken";
  readonly doc: string;
  readonly methods: readonly MethodModel[];
  /** Server -> client quests. */
  readonly pushes: readonly MethodModel[];
  /** How message pushes are dispatched by mtype (empty without message pushes). */
  readonly messageKinds: readonly MessageKindModel[];
}
export interface IdlModel {
  readonly sources: readonly string[];
  readonly errors: readonly ErrorGroupModel[];
  /** The errors.yaml read (absent in an IDL that extends another and declares no errors). */
  readonly errorsFile: string | undefined;
  readonly enums: readonly EnumModel[];
  readonly structs: readonly StructModel[];
  readonly records: readonly StructModel[];
  readonly typesFiles: readonly string[];
  readonly services: readonly ServiceModel[];
  /** The IDL this one extends (the RTM IDL rtmkit ships): its named types and methods are known here, generated there. */
  readonly base?: IdlModel;
}

/**
 * Loads and validates an IDL directory: `errors.yaml`, and per namespace folder a `types.yaml` plus one
 * YAML file per service. Throws IdlError listing every problem (file, line, path).
 * `display` turns an absolute path into the name used in messages and headers.
 */
export function loadIdl(dir: string, display: (path: string) => string = (p) => relative(process.cwd(), p), base?: IdlModel): IdlModel {
  const sources: IdlSource[] = [];
  const open = (path: string): IdlSource => {
    const s = IdlSource.read(path, display(path));
    sources.push(s);
    return s;
  };
  const collect = (): IdlProblem[] => sources.flatMap((s) => s.problems);

  const errorsPath = join(dir, "errors.yaml");
  const hasErrors = existsSync(errorsPath);
  if (!hasErrors && base === undefined) throw new IdlError([{ file: display(errorsPath), line: 1, path: "", message: "missing file" }]);
  const errorsSrc = hasErrors ? open(errorsPath) : undefined;
  const errorsFile = errorsSrc?.validate(errorsSchema);

  const namespaces = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const typeSrcs: { src: IdlSource; data: ReturnType<typeof typesSchema.parse> }[] = [];
  const serviceSrcs: { src: IdlSource; data: ServiceFile }[] = [];
  for (const ns of namespaces) {
    const files = readdirSync(join(dir, ns))
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    for (const f of files) {
      const src = open(join(dir, ns, f));
      if (f === "types.yaml") {
        const data = src.validate(typesSchema);
        if (data) typeSrcs.push({ src, data });
      } else {
        const data = src.validate(serviceSchema);
        if (data) serviceSrcs.push({ src, data });
      }
    }
  }
  if (collect().length > 0) throw new IdlError(collect());

  // Named types, across all types files.
  const kinds = new Map<string, NamedKind>([
    ...(base?.enums ?? []).map((e) => [e.name, "enum"] as const),
    ...(base?.structs ?? []).map((x) => [x.name, "struct"] as const),
    ...(base?.records ?? []).map((r) => [r.name, "record"] as const),
  ]);
  const declare = (src: IdlSource, path: PathSegment[], name: string, kind: NamedKind): void => {
    if (kinds.has(name)) src.report(path, `type "${name}" is declared twice`, true);
    kinds.set(name, kind);
  };
  for (const { src, data } of typeSrcs) {
    for (const n of Object.keys(data.enums ?? {})) declare(src, ["enums", n], n, "enum");
    for (const n of Object.keys(data.structs ?? {})) declare(src, ["structs", n], n, "struct");
    for (const n of Object.keys(data.records ?? {})) declare(src, ["records", n], n, "record");
  }
  const typeAt = (src: IdlSource, path: PathSegment[], text: string): TypeRef => {
    try {
      return parseType(text, (n) => kinds.get(n));
    } catch (e) {
      // Located at the type's own line, named by its owner (methods.x.params.toUid: unknown type "in64").
      src.problems.push({ file: src.file, line: src.lineAt(path), path: formatPath(path.at(-1) === "type" ? path.slice(0, -1) : path), message: (e as Error).message });
      return { kind: "scalar", name: "string" };
    }
  };

  const enums: EnumModel[] = [];
  const rawStructs = new Map<string, { src: IdlSource; extends?: string; doc: string; fields: FieldModel[] }>();
  const records: StructModel[] = [];
  for (const { src, data } of typeSrcs) {
    for (const [name, e] of Object.entries(data.enums ?? {})) {
      const [lo, hi] = intRanges[e.type];
      const values = Object.entries(e.values).map(([vn, v]) => {
        if (BigInt(v.value) < lo || BigInt(v.value) > hi) src.report(["enums", name, "values", vn, "value"], `${v.value} is outside ${e.type}`);
        return { name: vn, value: v.value, doc: v.doc ?? "" };
      });
      enums.push({ name, doc: e.doc ?? "", base: e.type, values });
    }
    for (const [name, s] of Object.entries(data.structs ?? {})) {
      const fields = Object.entries(s.fields).map(([fn, f]) => ({
        name: fn,
        type: typeAt(src, ["structs", name, "fields", fn, "type"], f.type),
        doc: f.doc ?? "",
        optional: f.optional ?? false,
      }));
      if (s.extends !== undefined && kinds.get(s.extends) !== "struct") src.report(["structs", name, "extends"], `unknown struct "${s.extends}"`);
      rawStructs.set(name, { src, ...(s.extends !== undefined ? { extends: s.extends } : {}), doc: s.doc ?? "", fields });
    }
    for (const [name, r] of Object.entries(data.records ?? {})) {
      const fields = Object.entries(r.fields).map(([fn, f]) => ({
        name: fn,
        type: typeAt(src, ["records", name, "fields", fn, "type"], f.type),
        doc: f.doc ?? "",
        optional: f.optional ?? false,
      }));
      records.push({ name, doc: r.doc ?? "", fields });
    }
  }
  const flatten = (name: string, seen: Set<string>): FieldModel[] => {
    const s = rawStructs.get(name);
    if (!s) return [];
    if (seen.has(name)) {
      s.src.report(["structs", name, "extends"], `struct "${name}" extends itself`);
      return s.fields;
    }
    seen.add(name);
    return [...(s.extends ? flatten(s.extends, seen) : []), ...s.fields];
  };
  const structs: StructModel[] = [...rawStructs].map(([name, s]) => ({
    name,
    doc: s.doc,
    fields: flatten(name, new Set()),
    ...(s.extends !== undefined ? { extends: s.extends } : {}),
    ownFields: s.fields,
  }));
  const structByName = new Map([...(base?.structs ?? []), ...structs].map((s) => [s.name, s]));

  const errors: ErrorGroupModel[] = Object.entries(errorsFile?.groups ?? {}).map(([key, g]) => ({
    key,
    constName: g.const,
    doc: g.doc,
    codes: Object.entries(g.codes).map(([code, c]) => {
      const name = typeof c === "string" ? c : c.name;
      return { code: Number(code), name, pascal: pascalCase(name), doc: typeof c === "string" ? "" : (c.doc ?? "") };
    }),
  }));

  const sdkNames = new Map<string, string>((base?.services ?? []).flatMap((s) => s.methods.map((m) => [m.name, s.file] as const)));
  const services = serviceSrcs.map(({ src, data }) => buildService(src, data, typeAt, structByName, sdkNames, base && clientNamesOf(base)));

  const problems = collect();
  if (problems.length > 0) throw new IdlError(problems);
  return {
    sources: sources.map((s) => s.file),
    errors,
    errorsFile: errorsSrc?.file,
    enums,
    structs,
    records,
    typesFiles: typeSrcs.map((t) => t.src.file),
    services,
    ...(base !== undefined ? { base } : {}),
  };
}

/** The hooks and id generators a client built from an IDL has: those its methods name. */
interface ClientNames {
  readonly hooks: ReadonlySet<string>;
  readonly ids: ReadonlySet<string>;
}

function clientNamesOf(model: IdlModel): ClientNames {
  const methods = model.services.flatMap((s) => s.methods);
  const kindHooks = model.services.flatMap((s) => s.messageKinds.flatMap((k) => (k.hook ? [k.hook] : [])));
  return { hooks: new Set([...methods.flatMap((m) => (m.hook ? [m.hook.name] : [])), ...kindHooks]), ids: new Set(methods.flatMap((m) => m.filled.map((f) => f.generate))) };
}

/** The struct a type mentions, if any: structs describe results, they do not travel (a wire row is a record). */
function structIn(t: TypeRef): string | undefined {
  if (t.kind === "struct") return t.name;
  if (t.kind === "list" || t.kind === "set") return structIn(t.of);
  if (t.kind === "map") return structIn(t.value);
  return undefined;
}

function buildService(
  src: IdlSource,
  data: ServiceFile,
  anyTypeAt: (src: IdlSource, path: PathSegment[], text: string) => TypeRef,
  structs: Map<string, StructModel>,
  sdkNames: Map<string, string>,
  client?: ClientNames,
): ServiceModel {
  const typeAt = (at: IdlSource, path: PathSegment[], text: string): TypeRef => {
    const t = anyTypeAt(at, path, text);
    const struct = structIn(t);
    if (struct !== undefined) at.report(path, `struct "${struct}" cannot travel on the wire (structs describe results; declare a record)`);
    return t;
  };
  const methods: MethodModel[] = [];
  const pushes: MethodModel[] = [];
  const kinds = messageKindsOf(src, data, client);
  const fpnnSeen = new Set<string>();
  const addMethod = (m: MethodModel, path: PathSegment[]): void => {
    const where = sdkNames.get(m.name);
    if (where) src.report(path, `method "${m.name}" is already defined (${where})`, true);
    sdkNames.set(m.name, `${src.file} ${path.join(".")}`);
    (m.direction === "push" ? pushes : methods).push(m);
  };
  const entries = [
    ...Object.entries(data.methods ?? {}).map(([name, spec]) => ({ section: "methods", direction: "call", name, spec }) as const),
    ...Object.entries(data.pushes ?? {}).map(([name, spec]) => ({ section: "pushes", direction: "push", name, spec }) as const),
  ];
  for (const { section, direction, name, spec } of entries) {
    const at = [section, name];
    if (direction === "push") {
      for (const key of ["variants", "filled", "hook"] as const) if (spec[key] !== undefined) src.report([...at, key], `a push has no ${key}`);
    } else {
      for (const key of ["event", "conversation", "kind"] as const) if (spec[key] !== undefined) src.report([...at, key], `only a push has ${key}`);
    }
    const params = buildParams(src, at, spec, typeAt);
    const filled = (spec.filled ?? []).flatMap((wire, i): FilledModel[] => {
      const f = data.filled?.[wire];
      if (!f) {
        src.report([...at, "filled", i], `unknown filled field "${wire}" (declare it under the service's "filled")`);
        return [];
      }
      return [{ wire, type: typeAt(src, ["filled", wire, "type"], f.type), generate: f.generate, ...(f.option !== undefined ? { option: f.option } : {}), returned: f.returned ?? false, doc: f.doc ?? "" }];
    });
    const answer = Object.entries(spec.answer).map(([wire, a]) => ({
      wire,
      name: a.name ?? wire,
      type: typeAt(src, [...at, "answer", wire, "type"], a.type),
      doc: a.doc ?? "",
      optional: a.optional ?? false,
    }));
    const wires = new Set<string>();
    for (const p of params) {
      if (wires.has(p.wire)) src.report([...at, "params", p.name, "wire"], `wire key "${p.wire}" is used twice`);
      wires.add(p.wire);
    }
    for (const f of filled) {
      if (wires.has(f.wire)) src.report([...at, "filled"], `wire key "${f.wire}" is used twice`);
      wires.add(f.wire);
    }
    const hook = spec.hook
      ? {
          name: spec.hook.name,
          args: Object.entries(spec.hook.args ?? {}).map(([arg, param]) => {
            if (!params.some((p) => p.name === param)) src.report([...at, "hook", "args", arg], `unknown parameter "${param}"`);
            return { arg, param };
          }),
        }
      : undefined;
    if (hook && client && !client.hooks.has(hook.name)) src.report([...at, "hook", "name"], `the client has no hook "${hook.name}" (it has: ${[...client.hooks].join(", ")})`);
    for (const [i, f] of filled.entries()) {
      if (client && !client.ids.has(f.generate)) src.report([...at, "filled", i], `the client has no id generator "${f.generate}" (it has: ${[...client.ids].join(", ")})`);
    }
    if (spec.result !== undefined && !structs.has(spec.result)) src.report([...at, "result"], `unknown struct "${spec.result}"`);
    else if (spec.result !== undefined && direction === "push") checkResult(src, [...at, "result"], structs.get(spec.result)!, params, [], "the push");
    else if (spec.result !== undefined && !hook) checkResult(src, [...at, "result"], structs.get(spec.result)!, answer, filled, "the answer");
    const push = direction === "push" ? pushOf(src, at, spec, params, kinds) : undefined;

    if (spec.alternativeOf !== undefined) {
      const other = methods.find((x) => x.name === spec.alternativeOf);
      if (other === undefined) src.report([...at, "alternativeOf"], `no earlier method "${spec.alternativeOf}" in this service`);
      else if (other.fpnn !== spec.fpnn) src.report([...at, "alternativeOf"], `"${spec.alternativeOf}" sends ${other.fpnn}, not ${spec.fpnn}`);
      if (spec.variants !== undefined) src.report([...at, "variants"], "an alternative form has no variants");
    } else if (fpnnSeen.has(`${direction} ${spec.fpnn}`)) src.report([...at, "fpnn"], `FPNN method "${spec.fpnn}" is already described in this service (another form of it says alternativeOf)`);
    fpnnSeen.add(`${direction} ${spec.fpnn}`);

    const base: MethodModel = {
      name,
      fpnn: spec.fpnn,
      direction,
      doc: spec.doc,
      params,
      fixed: [],
      filled,
      answer,
      ...(hook ? { hook } : {}),
      ...(spec.result !== undefined ? { result: spec.result } : {}),
      ...(spec.alternativeOf !== undefined ? { alternativeOf: spec.alternativeOf } : {}),
      ...(push !== undefined ? { push } : {}),
    };
    addMethod(base, at);

    if (spec.variants === undefined) continue;
    const set = data.variantSets?.[spec.variants];
    if (!set) {
      src.report([...at, "variants"], `unknown variant set "${spec.variants}"`);
      continue;
    }
    if (!name.includes("Message")) src.report([...at, "variants"], `a method with variants needs "Message" in its name (it is replaced by the variant name)`);
    for (const [vi, v] of set.entries()) {
      const vname = name.replace("Message", v.name);
      const fixed: { wire: string; type: TypeRef; value: unknown }[] = [];
      for (const [pname, value] of Object.entries(v.fix ?? {})) {
        const p = params.find((x) => x.name === pname);
        if (!p) {
          src.report(["variantSets", spec.variants, vi, "fix", pname], `method "${name}" has no parameter "${pname}"`);
          continue;
        }
        fixed.push({ wire: p.wire, type: p.type, value });
      }
      const fixedNames = new Set(Object.keys(v.fix ?? {}));
      addMethod(
        {
          ...base,
          name: vname,
          base: name,
          doc: (spec.variantDoc ?? spec.doc).replaceAll("{label}", v.label),
          params: params.filter((p) => !fixedNames.has(p.name)),
          fixed,
        },
        at,
      );
    }
  }
  return { name: data.service, file: src.file, auth: data.auth, doc: data.doc, methods, pushes, messageKinds: kinds };
}

function messageKindsOf(src: IdlSource, data: ServiceFile, client: ClientNames | undefined): MessageKindModel[] {
  const kinds = Object.entries(data.messageKinds ?? {}).map(([name, k]) => ({ name, mtypes: k.mtypes ?? [], ...(k.hook !== undefined ? { hook: k.hook } : {}), doc: k.doc ?? "" }));
  const seen = new Map<number, string>();
  for (const k of kinds) {
    for (const mtype of k.mtypes) {
      if (seen.has(mtype)) src.report(["messageKinds", k.name, "mtypes"], `mtype ${mtype} is already of kind "${seen.get(mtype)}"`);
      seen.set(mtype, k.name);
    }
    if (k.hook !== undefined && client && !client.hooks.has(k.hook)) src.report(["messageKinds", k.name, "hook"], `the client has no hook "${k.hook}" (it has: ${[...client.hooks].join(", ")})`);
  }
  if (kinds.length > 0 && kinds.filter((k) => k.mtypes.length === 0).length !== 1) src.report(["messageKinds"], "exactly one kind has no mtypes: the kind of every other mtype");
  return kinds;
}

/** What a push raises: a named event, or a message event by conversation (and a fixed kind). */
function pushOf(src: IdlSource, at: PathSegment[], spec: MethodSpec, params: readonly ParamModel[], kinds: readonly MessageKindModel[]): PushModel | undefined {
  if ((spec.event === undefined) === (spec.conversation === undefined)) {
    src.report(at, "a push names either the event it raises (event) or the conversation of the message it carries (conversation)");
    return undefined;
  }
  if (params.length > 0 && spec.result === undefined) src.report(at, "a push with params names the struct its handlers get (result)");
  if (spec.event !== undefined) {
    if (spec.kind !== undefined) src.report([...at, "kind"], "a kind is for a message push (conversation)");
    return { event: spec.event };
  }
  if (kinds.length === 0) src.report([...at, "conversation"], "a message push needs the service's messageKinds");
  if (spec.kind === undefined && !params.some((p) => p.wire === "mtype")) src.report([...at, "params"], 'a message push dispatched by mtype carries the wire key "mtype"');
  if (spec.kind !== undefined && !kinds.some((k) => k.name === spec.kind)) src.report([...at, "kind"], `unknown message kind "${spec.kind}" (messageKinds has: ${kinds.map((k) => k.name).join(", ")})`);
  return { conversation: spec.conversation!, ...(spec.kind !== undefined ? { kind: spec.kind } : {}) };
}

/** The user-level events a service's pushes raise, in declaration order, with the struct each carries ("void": none). */
export function pushEventsOf(service: ServiceModel): Map<string, string> {
  const events = new Map<string, string>();
  for (const m of service.pushes) {
    const push = m.push;
    if (push === undefined) continue;
    const names = "event" in push ? [push.event] : (push.kind !== undefined ? [push.kind] : service.messageKinds.map((k) => k.name)).map((kind) => `${push.conversation}${kind[0]!.toUpperCase()}${kind.slice(1)}`);
    for (const name of names) if (!events.has(name)) events.set(name, m.result ?? "void");
  }
  return events;
}

function buildParams(
  src: IdlSource,
  at: PathSegment[],
  spec: MethodSpec,
  typeAt: (src: IdlSource, path: PathSegment[], text: string) => TypeRef,
): ParamModel[] {
  let sawOptional = false;
  return Object.entries(spec.params ?? {}).map(([name, p]) => {
    const optional = p.optional === true || p.default !== undefined;
    if (sawOptional && !optional) src.report([...at, "params", name], `required parameter "${name}" follows an optional one`, true);
    sawOptional ||= optional;
    return {
      name,
      wire: p.wire,
      type: typeAt(src, [...at, "params", name, "type"], p.type),
      doc: p.doc ?? "",
      optional,
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.min !== undefined ? { min: p.min } : {}),
      ...(p.max !== undefined ? { max: p.max } : {}),
      ...(p.omitEmpty === true ? { omitEmpty: true } : {}),
      ...(p.alias !== undefined ? { alias: p.alias } : {}),
    };
  });
}

/** Without a hook, a named result must be exactly the answer fields plus the returned filled fields. */
function checkResult(
  src: IdlSource,
  path: PathSegment[],
  struct: StructModel,
  answer: readonly { readonly name: string; readonly type: TypeRef }[],
  filled: readonly FilledModel[],
  source: string,
): void {
  const produced = new Map<string, TypeRef>([...answer.map((a) => [a.name, a.type] as const), ...filled.filter((f) => f.returned).map((f) => [f.wire, f.type] as const)]);
  for (const f of struct.fields) {
    const t = produced.get(f.name);
    if (!t && !f.optional) src.report(path, `${source} does not provide field "${f.name}" of ${struct.name}`);
    else if (t && !sameType(t, f.type)) src.report(path, `field "${f.name}" is ${formatType(t)} in ${source} but ${formatType(f.type)} in ${struct.name}`);
    produced.delete(f.name);
  }
  for (const extra of produced.keys()) src.report(path, `${struct.name} has no field "${extra}"`);
}

export function pascalCase(upperSnake: string): string {
  return upperSnake
    .toLowerCase()
    .split("_")
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}
