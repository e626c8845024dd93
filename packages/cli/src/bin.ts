#!/usr/bin/env node
// The `rtmkit` command: `tsx packages/cli/src/bin.ts --help`.
import { runCli } from "./cli.js";

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());

try {
  process.exitCode = await runCli(process.argv.slice(2), undefined, { signal: stop.signal });
} catch (error) {
  process.stderr.write(`rtmkit: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
