import type { PayloadShapeLimits } from "./shape.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * The JSON counterpart of exceedsPayloadLimits (JSON payloads, flag 0x40): steps over the text once, outside
 * strings, and counts containers and commas (an upper bound of their entries) and nesting. Returns a short
 * reason once a limit is passed, else undefined. Well-formedness is JSON.parse's job afterwards.
 */
export function checkJsonShape(bytes: Uint8Array, start: number, end: number, limits: PayloadShapeLimits): string | undefined {
  let entries = 0;
  let depth = 0;
  for (let at = start; at < end; at++) {
    const c = bytes[at]!;
    if (c === QUOTE) {
      for (at++; at < end && bytes[at] !== QUOTE; at++) if (bytes[at] === BACKSLASH) at++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
      if (++entries > limits.maxEntries) return tooMany(limits);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    } else if (c === COMMA && ++entries > limits.maxEntries) {
      return tooMany(limits);
    }
  }
  return undefined;
}

function tooMany(limits: PayloadShapeLimits): string {
  return `more than ${limits.maxEntries} map entries and array elements`;
}
