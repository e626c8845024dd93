/**
 * A value the encoder cannot write, with where it is: the containers add their step while the
 * error passes through them, so the hot path keeps no path of its own.
 */
export class UnencodableValue extends Error {
  /** Steps from the value out to the top, innermost first: `.key`, `[3]`, `["map key"]`. */
  private readonly steps: string[] = [];

  constructor(readonly problem: string) {
    super(problem);
    this.name = "UnencodableValue";
  }

  /** The field path from the top value, such as `tos[3]` or `attrs.when`; "" for the top value itself. */
  get path(): string {
    const path = this.pathBelow("");
    return path.startsWith(".") ? path.slice(1) : path;
  }

  /** The field path under a name for the top value: `payload.tos[3]`. */
  pathBelow(top: string): string {
    let path = top;
    for (let i = this.steps.length - 1; i >= 0; i--) path += this.steps[i];
    return path;
  }

  /** Records the step of the container the error is passing through. */
  within(step: string): this {
    this.steps.push(step);
    this.message = `${this.path}: ${this.problem}`;
    return this;
  }
}

/** Adds the container step to an UnencodableValue; other errors pass as they are. */
export function within(error: unknown, step: string): unknown {
  return error instanceof UnencodableValue ? error.within(step) : error;
}

export function keyStep(key: string): string {
  return `.${key}`;
}

export function mapKeyStep(key: unknown): string {
  return `[${typeof key === "string" ? JSON.stringify(key) : String(key)}]`;
}

/** What a value is, for messages: its class for objects (Date, Map), else its typeof. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
