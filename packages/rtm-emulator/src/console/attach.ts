import type { Logger } from "../server/logger.js";
import type { ResolvedConsoleOptions } from "./options.js";
import { startConsole, type RunningConsole } from "./server.js";
import type { ConsoleTarget } from "./target.js";

/** Starts the console when asked for (`options` from resolveConsoleOptions), else nothing. */
export async function serveConsole(target: ConsoleTarget, options: ResolvedConsoleOptions | undefined, logger: Logger): Promise<RunningConsole | undefined> {
  return options === undefined ? undefined : startConsole(target, options, logger);
}

/** What the startup line says of the console: its URL (with the token when one is asked), or that its page is not built. */
export function consoleNote(running: RunningConsole | undefined): string {
  if (running === undefined) return "";
  const unbuilt = running.assetsFound ? "" : " (its page is not built: run `npm run setup` or `pnpm --filter @rtmkit/rtm-emulator build:console`; the API works)";
  return `; console ${running.openUrl}${unbuilt}`;
}
