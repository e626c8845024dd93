export { runCli, type CliIo, type CliSources } from "./cli.js";
export { catalog, catalogOf, type Catalog, type EnumNames } from "./catalog.js";
export { parseValue, ValueError } from "./values.js";
export { toJson } from "./output.js";
