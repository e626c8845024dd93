/** A bad command line: exit status 2, the message on stderr. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
