#!/usr/bin/env node
// The `rtmkit` command: `tsx packages/cli/src/bin.ts --help`.
import { runCli } from "./cli.js";

try {
  process.exitCode = await runCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`rtmkit: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
