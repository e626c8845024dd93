#!/usr/bin/env node
// The `rtmkit-gen` command of the built package (dist/bin.mjs, plain node). In the workspace: `tsx generator/src/cli.ts`.
import { buildCli } from "./cli.js";

try {
  await buildCli().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
}
