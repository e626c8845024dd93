import type { AnswerEvent, FpnnHooks } from "@rtmkit/fpnn";
import { LOG_LEVELS, type LogLevel } from "../cli.js";

export type LogSink = (line: string) => void;

/** Writes `<ISO time> <LEVEL> <message>` lines at or above a level; below it, a call costs one comparison. */
export class Logger {
  readonly #rank: number;
  readonly #sink: LogSink;

  constructor(level: LogLevel, sink: LogSink) {
    this.#rank = rankOf(level);
    this.#sink = sink;
  }

  enabled(level: Exclude<LogLevel, "silent">): boolean {
    return rankOf(level) <= this.#rank;
  }

  error(message: string): void {
    this.#write("error", message);
  }
  warn(message: string): void {
    this.#write("warn", message);
  }
  info(message: string): void {
    this.#write("info", message);
  }
  debug(message: string): void {
    this.#write("debug", message);
  }

  #write(level: Exclude<LogLevel, "silent">, message: string): void {
    if (rankOf(level) <= this.#rank) this.#sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`);
  }
}

function rankOf(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

/**
 * Runtime hooks that log the emulator's answers: one line per quest at debug, error answers at warn.
 * Undefined when neither would print, so the hot path carries no hook at all.
 */
export function questLogHooks(logger: Logger): FpnnHooks | undefined {
  if (!logger.enabled("warn")) return undefined;
  const everyQuest = logger.enabled("debug");
  return {
    answer(event: AnswerEvent) {
      if (event.direction !== "in") return;
      const timing = `${event.latencyMs.toFixed(2)} ms`;
      if (event.error !== undefined) {
        logger.warn(`${event.method} -> error ${event.error.code}: ${event.error.message} (${timing})`);
      } else if (everyQuest) {
        logger.debug(`${event.method} -> ok, ${event.size} B (${timing})`);
      }
    },
  };
}
