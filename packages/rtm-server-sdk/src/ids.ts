import type { IdGeneratorName } from "./generated/types.js";
import { randomFillSync } from "node:crypto";

/**
 * Salts and mids: unique positive int64 values that need no coordination between processes.
 *
 * Each process counts up by one from a start drawn uniformly at random (node:crypto) from
 * [1, 2^52]. Ids are strictly increasing within the process until the top, 2^53 - 1 (at least
 * 2^52 ids after the start: over 140 years at a million a second), where the count restarts at a
 * fresh random start. Two processes that take a and b ids collide only if their runs overlap:
 * probability about (a + b) / 2^52 per pair of processes, far below independent random ids (where
 * n ids in all collide with probability about n^2 / 2^53). The clock plays no part, so mids are not
 * time-ordered; only the ids of one process are consecutive.
 *
 * The start is drawn on first use, not at import, so processes restored from one startup snapshot
 * still draw their own. Ids stay safe integers, so they are plain numbers: the FPNN encoder writes
 * integral numbers above 2^32 as msgpack integers, and no bigint is allocated per call.
 */

/** The largest id: the largest safe integer, 2^53 - 1. */
export const ID_TOP = Number.MAX_SAFE_INTEGER;

/** Starts are drawn from [1, START_SPAN]; the rest of the range up to ID_TOP is room to count. */
export const START_SPAN = 2 ** 52;

const words = new Uint32Array(2);

/** A uniformly random integer in [1, START_SPAN], from node:crypto: 20 + 32 random bits, plus one. */
export function randomStart(): number {
  randomFillSync(words);
  return (words[0]! >>> 12) * 2 ** 32 + words[1]! + 1;
}

export interface IdSequenceOptions {
  /** Draws the first id of a run: an integer in [1, top] (default: randomStart). */
  readonly randomStart?: () => number;
  /** The last id of a run, after which a new run starts (default ID_TOP). */
  readonly top?: number;
}

/** One counter: ids from a random start up, by one, until `top`; then a new random start. */
export class IdSequence {
  readonly #randomStart: () => number;
  readonly #top: number;
  /** The next id; 0 before the first draw and after the top: draw a start. */
  #next = 0;

  constructor(options: IdSequenceOptions = {}) {
    const top = options.top ?? ID_TOP;
    if (!Number.isSafeInteger(top) || top < 1) throw new RangeError(`top: expected a positive safe integer, got ${top}`);
    this.#randomStart = options.randomStart ?? randomStart;
    this.#top = top;
  }

  next(): number {
    let id = this.#next;
    if (id === 0) id = this.#draw();
    this.#next = id < this.#top ? id + 1 : 0;
    return id;
  }

  #draw(): number {
    const start = this.#randomStart();
    if (!Number.isSafeInteger(start) || start < 1 || start > this.#top) throw new RangeError(`randomStart: expected an integer in [1, ${this.#top}], got ${start}`);
    return start;
  }
}

/** The process's sequence: mids and salts share it. */
const ids = new IdSequence();

/** The next id of this process's sequence. */
export function nextId(): number {
  return ids.next();
}

/** The id generators the IDL's filled fields name; the generated IdGeneratorName makes a missing one a compile error. */
export const idGenerators = { mid: nextId } as const satisfies Record<IdGeneratorName, () => number>;
