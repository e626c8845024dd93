export { generate, staleFiles, writeGenerated, type Generated } from "./generate.js";
export { loadConfig, findConfig, type GenConfig, type ConfigOverrides } from "./config.js";
export { loadIdl, type IdlModel, type MethodModel, type ServiceModel } from "./idl/model.js";
export { IdlError, formatProblem, type IdlProblem } from "./idl/errors.js";
export { idlJsonSchema } from "./idl/meta-schema.js";
export { buildCli } from "./cli.js";
