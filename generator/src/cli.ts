#!/usr/bin/env node
import { watch } from "node:fs";
import { relative } from "node:path";
import { Command } from "commander";
import { findConfig, loadConfig, type ConfigOverrides } from "./config.js";
import { generate, staleFiles, writeGenerated } from "./generate.js";
import { IdlError } from "./idl/errors.js";

interface GenerateFlags extends ConfigOverrides {
  config?: string;
  check?: boolean;
  watch?: boolean;
  quiet?: boolean;
}

/** Runs one generation; returns the exit code. */
function runOnce(flags: GenerateFlags, cwd: string, log: (s: string) => void, err: (s: string) => void): number {
  const rel = (p: string): string => relative(cwd, p) || ".";
  try {
    const { config: configFile, check, watch: _w, quiet: _q, ...overrides } = flags;
    const config = loadConfig(configFile ?? findConfig(cwd), overrides, cwd);
    const started = performance.now();
    const g = generate(config);
    const ms = Math.round(performance.now() - started);
    if (check) {
      const stale = staleFiles(g);
      if (stale.length === 0) {
        log(`rtmkit-gen: ${g.files.size} generated files are up to date`);
        return 0;
      }
      err(`rtmkit-gen: stale generated files (run \`npm run generate\`):\n${stale.map((p) => `  ${rel(p)}`).join("\n")}`);
      return 1;
    }
    const touched = writeGenerated(g);
    log(`rtmkit-gen: ${g.files.size} files from ${g.model.sources.length} IDL files in ${ms} ms; ${touched.length} changed${touched.map((p) => `\n  ${rel(p)}`).join("")}`);
    return 0;
  } catch (e) {
    err(e instanceof IdlError ? e.message : `rtmkit-gen: ${(e as Error).message}`);
    return 1;
  }
}

export function buildCli(cwd = process.cwd()): Command {
  const program = new Command("rtmkit-gen").description("Validates the rtmkit IDL and generates the SDK, handler contracts and docs.");
  program
    .command("generate")
    .description("generate every output (or check that it is current)")
    .option("-c, --config <file>", "config file (default: rtmkit-gen.yaml or idl/rtmkit-gen.yaml)")
    .option("--idl <dir>", "IDL directory")
    .option("--sdk <dir>", "SDK generated folder")
    .option("--emulator <dir>", "emulator generated folder")
    .option("--fpnn-errors <file>", "FPNN error codes file")
    .option("--docs <file>", "Markdown API reference")
    .option("--json-schema <file>", "JSON Schema of the IDL")
    .option("--check", "write nothing; exit 1 listing stale files")
    .option("--watch", "regenerate when the IDL changes")
    .action((flags: GenerateFlags) => {
      const log = (s: string): void => void process.stdout.write(`${s}\n`);
      const err = (s: string): void => void process.stderr.write(`${s}\n`);
      const code = runOnce(flags, cwd, log, err);
      if (!flags.watch) {
        process.exitCode = code;
        return;
      }
      const config = loadConfig(flags.config ?? findConfig(cwd), flags, cwd);
      let timer: NodeJS.Timeout | undefined;
      watch(config.idl, { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => runOnce(flags, cwd, log, err), 100);
      });
      log(`rtmkit-gen: watching ${relative(cwd, config.idl)}`);
    });
  return program;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("cli.ts")) {
  buildCli().parseAsync(process.argv).catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exitCode = 1;
  });
}
