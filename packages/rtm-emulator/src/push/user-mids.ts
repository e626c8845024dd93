/**
 * Mids of the messages the emulator sends for simulated users: increasing, from the clock (ms * 4096 + n),
 * so they repeat neither within a run nor across restarts (unless more than 4096 are sent in one ms, when they
 * run ahead of the clock). About 7e15 today: above the SDK's random mids (at most 2^52), below 2^63.
 */
export class UserMids {
  #last = 0n;

  next(nowMs: number = Date.now()): bigint {
    const fromClock = BigInt(Math.floor(nowMs)) * 4096n;
    this.#last = fromClock > this.#last ? fromClock : this.#last + 1n;
    return this.#last;
  }
}
