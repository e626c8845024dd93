/** Runs `ping` every `seconds` until stopped; 0 seconds: never. The timer does not keep the process alive. */
export class PushPinger {
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(seconds: number, ping: () => void) {
    if (seconds > 0) {
      this.#timer = setInterval(ping, seconds * 1000);
      this.#timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
