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

/** Error answers logged per second at warn; past it they are counted, and the count is logged with the next one. */
export const ERROR_ANSWER_LINES_PER_SECOND = 50;

/**
 * Runtime hooks that log the emulator's answers: one line per quest at debug, error answers at warn.
 * Undefined when neither would print, so the hot path carries no hook at all. At warn and info, error
 * answers are rate-limited: a peer flooding bad quests must not flood the log (and the disk) too.
 */
export function questLogHooks(logger: Logger, now: () => number = Date.now): FpnnHooks | undefined {
  if (!logger.enabled("warn")) return undefined;
  const everyQuest = logger.enabled("debug");
  let second = 0;
  let written = 0;
  let suppressed = 0;
  const warnLimited = (message: string): void => {
    const current = Math.floor(now() / 1000);
    if (current !== second) {
      second = current;
      written = 0;
    }
    if (written === ERROR_ANSWER_LINES_PER_SECOND) {
      suppressed++;
      return;
    }
    written++;
    if (suppressed > 0) {
      logger.warn(`${suppressed} more error answer(s) were not logged (at most ${ERROR_ANSWER_LINES_PER_SECOND} a second)`);
      suppressed = 0;
    }
    logger.warn(message);
  };
  return {
    answer(event: AnswerEvent) {
      if (event.direction !== "in") return;
      const timing = `${event.latencyMs.toFixed(2)} ms`;
      if (event.error !== undefined) {
        const line = `${event.method} -> error ${event.error.code}: ${event.error.message} (${timing})`;
        if (everyQuest) logger.warn(line);
        else warnLimited(line);
      } else if (everyQuest) {
        logger.debug(`${event.method} -> ok, ${event.size} B (${timing})`);
      }
    },
  };
}
