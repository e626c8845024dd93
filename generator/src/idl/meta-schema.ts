import { z } from "zod";

/** The zod meta-schema of the IDL files. Semantic checks (known types, existing params) live in model.ts. */

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an identifier");
const wireKey = z.string().min(1, "expected a non-empty wire key");
const typeExpr = z.string().min(1, "expected a type");
const doc = z.string().optional();
const literal = z.union([z.number(), z.string(), z.boolean(), z.array(z.union([z.number(), z.string(), z.boolean()]))]);

export const fieldSchema = z.strictObject({
  type: typeExpr,
  doc,
  optional: z.boolean().optional(),
});

export const paramSchema = z.strictObject({
  wire: wireKey,
  type: typeExpr,
  doc,
  optional: z.boolean().optional(),
  default: literal.optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Leave the key out when the value is empty (an empty list or set, "", 0); servers then take the key as optional. */
  omitEmpty: z.boolean().optional(),
  /** Another wire key servers also read the value from (a single value counts as a list of one for list/set). */
  alias: wireKey.optional(),
});

export const answerFieldSchema = z.strictObject({
  name: identifier.optional(),
  type: typeExpr,
  doc,
  optional: z.boolean().optional(),
});

export const filledSchema = z.strictObject({
  type: typeExpr,
  generate: identifier,
  option: identifier.optional(),
  returned: z.boolean().optional(),
  doc,
});

export const variantSchema = z.strictObject({
  name: identifier,
  label: z.string(),
  fix: z.record(identifier, literal).optional(),
});

export const hookSchema = z.strictObject({
  name: identifier,
  args: z.record(identifier, identifier).optional(),
});

export const methodSchema = z.strictObject({
  fpnn: z.string().regex(/^\*?[A-Za-z0-9_]+$/, "expected an FPNN method name").max(255),
  doc: z.string(),
  variantDoc: z.string().optional(),
  variants: identifier.optional(),
  params: z.record(identifier, paramSchema).optional(),
  filled: z.array(identifier).optional(),
  answer: z.record(wireKey, answerFieldSchema),
  hook: hookSchema.optional(),
  result: identifier.optional(),
  /** Another method of this service that sends the same FPNN method with other keys (setListen by ids / for all). */
  alternativeOf: identifier.optional(),
  /** A push that raises one user-level event of this name (pushevent: "event", ping: "ping"). */
  event: identifier.optional(),
  /** A message push: it raises `<conversation><Kind>`, the kind by its `mtype` key (the service's messageKinds) unless `kind` fixes it. */
  conversation: z.enum(["p2p", "group", "room"]).optional(),
  kind: identifier.optional(),
});

/** A kind of pushed message: the mtypes it covers (none: every other mtype) and a client hook its message goes through. */
export const messageKindSchema = z.strictObject({
  mtypes: z.array(z.number().int().min(0).max(255)).min(1).optional(),
  hook: identifier.optional(),
  doc,
});

export const serviceSchema = z.strictObject({
  service: identifier,
  auth: z.enum(["signed", "none", "fileToken"]),
  doc: z.string(),
  variantSets: z.record(identifier, z.array(variantSchema).min(1)).optional(),
  filled: z.record(wireKey, filledSchema).optional(),
  methods: z.record(identifier, methodSchema).optional(),
  /** Quests the server sends to the client (server push): unsigned, without variants, filled fields or hooks. */
  pushes: z.record(identifier, methodSchema).optional(),
  /** The kinds a message push is dispatched to by mtype; exactly one kind without mtypes takes every other mtype. */
  messageKinds: z.record(identifier, messageKindSchema).optional(),
});

export const enumSchema = z.strictObject({
  doc,
  type: z.enum(["int8", "int16", "int32", "int64"]),
  values: z.record(identifier, z.strictObject({ value: z.number().int(), doc })),
});

export const structSchema = z.strictObject({
  doc,
  extends: identifier.optional(),
  fields: z.record(identifier, fieldSchema),
});

export const recordSchema = z.strictObject({
  doc,
  fields: z.record(identifier, fieldSchema),
});

export const typesSchema = z.strictObject({
  enums: z.record(identifier, enumSchema).optional(),
  structs: z.record(identifier, structSchema).optional(),
  records: z.record(identifier, recordSchema).optional(),
});

const errorCode = z.union([
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, "expected an UPPER_SNAKE error name"),
  z.strictObject({ name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "expected an UPPER_SNAKE error name"), doc }),
]);

export const errorsSchema = z.strictObject({
  groups: z.record(
    identifier,
    z.strictObject({
      const: identifier,
      doc: z.string(),
      codes: z.record(z.string().regex(/^[1-9][0-9]*$/, "expected a positive integer code"), errorCode),
    }),
  ),
});

export type ServiceFile = z.infer<typeof serviceSchema>;
export type TypesFile = z.infer<typeof typesSchema>;
export type ErrorsFile = z.infer<typeof errorsSchema>;
export type MethodSpec = z.infer<typeof methodSchema>;
export type ParamSpec = z.infer<typeof paramSchema>;

/** JSON Schemas for editor completion (one per IDL file kind). */
export function idlJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "rtmkit IDL",
    description: "Generated by rtmkit-gen from the IDL meta-schema — do not edit.",
    $defs: {
      service: withoutDialect(z.toJSONSchema(serviceSchema)),
      types: withoutDialect(z.toJSONSchema(typesSchema)),
      errors: withoutDialect(z.toJSONSchema(errorsSchema)),
    },
    anyOf: [{ $ref: "#/$defs/service" }, { $ref: "#/$defs/types" }, { $ref: "#/$defs/errors" }],
  };
}

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
