import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A request the API refuses: its status (400, 404, 413...) and a message naming the field. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    /** The RTM code of a refused simulated send. */
    readonly code?: number,
  ) {
    super(message);
  }
}
