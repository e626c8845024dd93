#!/usr/bin/env node
import { relative } from "node:path";
import { Command } from "commander";
import { findConfig, loadConfig, type ConfigOverrides, type GenConfig } from "./config.js";
import { generate, staleFiles, writeGenerated } from "./generate.js";
import { IdlError } from "./idl/errors.js";
import { watchIdl, type IdlWatch } from "./watch.js";
import { packageVersion } from "@rtmkit/protocol";

interface GenerateFlags extends ConfigOverrides {
  config?: string;
  check?: boolean;
  watch?: boolean;
  quiet?: boolean;
}

/** The config the flags select: the config file (given or found from cwd) with the path flags applied. */
function configOf(flags: GenerateFlags, cwd: string): GenConfig {
  const { config: configFile, check: _c, watch: _w, quiet: _q, ...overrides } = flags;
  return loadConfig(configFile ?? findConfig(cwd), overrides, cwd);
}

/** Runs one generation; returns the exit code. */
function runOnce(flags: GenerateFlags, cwd: string, log: (s: string) => void, err: (s: string) => void): number {
  const rel = (p: string): string => relative(cwd, p) || ".";
  const { check } = flags;
  try {
    const config = configOf(flags, cwd);
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
  const program = new Command("rtmkit-gen")
    .description("Validates the rtmkit IDL and generates the SDK, handler contracts and docs.")
    .version(packageVersion(import.meta.url), "-V, --version", "print the version");
  program
    .command("generate")
    .description("generate every output (or check that it is current)")
    .option("-c, --config <file>", "config file (default: rtmkit-gen.yaml or idl/rtmkit-gen.yaml)")
    .option("--idl <dir>", "IDL directory")
    .option("--extends <idl>", 'the IDL this one extends: "rtm" (the bundled RTM IDL) or a directory')
    .option("--sdk <dir>", "SDK generated folder")
    .option("--fpnn-errors <file>", "FPNN error codes file")
    .option("--docs <file>", "Markdown API reference")
    .option("--json-schema <file>", "JSON Schema of the IDL")
    .option("--check", "write nothing; exit 1 listing stale files")
    .option("--watch", "regenerate when the IDL changes")
    .action((flags: GenerateFlags) => {
      const log = (s: string): void => void process.stdout.write(`${s}\n`);
      const err = (s: string): void => void process.stderr.write(`${s}\n`);
      if (flags.watch) watchAndGenerate(flags, cwd, log, err);
      else process.exitCode = runOnce(flags, cwd, log, err);
    });
  return program;
}

/**
 * `generate --watch`: generates, then again after each burst of IDL changes. An invalid IDL prints its
 * problems (file:line) and the watch goes on; SIGINT or SIGTERM stops it (exit 0).
 */
function watchAndGenerate(flags: GenerateFlags, cwd: string, log: (s: string) => void, err: (s: string) => void): void {
  if (flags.check) {
    err("rtmkit-gen: --watch and --check do not go together");
    process.exitCode = 1;
    return;
  }
  let config: GenConfig;
  let watcher: IdlWatch;
  const failed = (e: unknown): void => {
    err(`rtmkit-gen: ${config === undefined ? "" : `watching ${relative(cwd, config.idl) || "."}: `}${(e as Error).message}`);
    process.exitCode = 1;
  };
  const stop = (): void => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    watcher.close();
    log("rtmkit-gen: stopped watching");
  };
  try {
    config = configOf(flags, cwd);
    // Watch before the first run: a save during it is not missed.
    watcher = watchIdl(config, () => runOnce(flags, cwd, log, err), {
      onError: (e) => {
        failed(e);
        stop();
      },
    });
  } catch (e) {
    failed(e);
    return;
  }
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  runOnce(flags, cwd, log, err);
  log(`rtmkit-gen: watching ${relative(cwd, config.idl) || "."} (Ctrl-C stops)`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("cli.ts")) {
  buildCli().parseAsync(process.argv).catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exitCode = 1;
  });
}
