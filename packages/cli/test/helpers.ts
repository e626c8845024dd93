import { startEmulator, type EmulatorOptions, type RunningEmulator } from "@rtmkit/rtm-emulator";
import { runCli, type CliSources } from "../src/index.js";

export const PID = 11000001;
export const SECRET = "cli-test-secret";

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** runCli with its output captured. */
export async function rtmkit(argv: readonly string[], sources: CliSources = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { env: {}, ...sources });
  return { code, stdout, stderr };
}

/** A real emulator on a free port, serving PID/SECRET. */
export function emulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, projects: { [PID]: SECRET }, ...options });
}

/** The environment that points the CLI at an emulator. */
export function envOf(running: RunningEmulator, secret = SECRET): Record<string, string> {
  return { RTM_ENDPOINT: running.endpoint, RTM_PID: String(PID), RTM_SECRET: secret };
}
