/**
 * Work between two turns of the event loop, at most (roughly: a statement in progress finishes
 * first). Long reads (a count over a big group, a history walk whose filter matches little) pause
 * after this much, so other connections, and *ping, are answered meanwhile.
 */
export const SLICE_MS = 5;

/** Tells a long synchronous walk when its slice of time is used up, and pauses it for one turn of the event loop. */
export class TimeSlicer {
  #since = performance.now();

  constructor(readonly sliceMs: number = SLICE_MS) {}

  /** True when the walk should `await pause()` before going on. */
  due(): boolean {
    return performance.now() - this.#since >= this.sliceMs;
  }

  /** Resolves after the event loop has run its pending I/O (setImmediate runs after the poll phase). */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}
