// prepack: copies the RTM IDL (the repository's idl/) into this package as idl/, so the published
// @rtmkit/generator carries the IDL a user extends. The workspace's rtmkit-gen.yaml is left out: its
// output paths point into this repository. postpack (--remove) deletes the copy again.
import { cpSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../../idl", import.meta.url));
const to = fileURLToPath(new URL("../idl", import.meta.url));
rmSync(to, { recursive: true, force: true });
if (!process.argv.includes("--remove")) cpSync(from, to, { recursive: true, filter: (path) => basename(path) !== "rtmkit-gen.yaml" });
