#!/usr/bin/env node
// The `rtm-emulator` command: `tsx packages/rtm-emulator/src/bin.ts --help`.
import { runCli } from "./cli.js";
import { startFromCli } from "./server/cli-start.js";
import { withStdinConsole } from "./server/stdin-console.js";
import { startFailureMessage } from "./start-errors.js";

try {
  process.exitCode = await runCli(process.argv.slice(2), withStdinConsole(startFromCli));
} catch (error) {
  process.stderr.write(`rtm-emulator: ${startFailureMessage(error)}\n`);
  process.exitCode = 1;
}
