import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onCleanup } from "./helpers.js";

const bin = fileURLToPath(new URL("../../packages/rtm-emulator/bin/rtm-emulator.mjs", import.meta.url));
const generatorCli = fileURLToPath(new URL("../../generator/src/cli.ts", import.meta.url));

export interface Finished {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command (`rtm-emulator` or `rtmkit-gen`) to its end, within 15 s; what it printed and its exit code. */
export function runToExit(command: "rtm-emulator" | "rtmkit-gen", args: readonly string[]): Promise<Finished> {
  const argv = command === "rtm-emulator" ? [bin, ...args] : ["--import", "tsx", generatorCli, ...args];
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (output.stdout += text));
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (output.stderr += text));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`${command} ${args.join(" ")} still running after 15 s:\n${output.stderr}`))), 15_000);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, ...output });
    });
  });
}

export interface EmulatorProcess {
  readonly child: ChildProcess;
  readonly endpoint: string;
  /** Everything the process wrote to stderr so far (its log). */
  log(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
}

/** Runs the `rtm-emulator` command as a child process (with this environment plus `env`) and waits for its "listening on" line. */
export async function spawnEmulator(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [bin, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let log = "";
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rtm-emulator did not start within 15 s:\n${log}`)), 15_000);
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      log += text;
      const match = /listening on (\S+?);/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rtm-emulator exited (${code}) before listening:\n${log}`));
    });
  });
  return { child, endpoint, log: () => log, exited };
}
