/** One problem in the IDL, located by file, line and path (`idl/rtm/chat.yaml:42 methods.sendChat.params.toUid: ...`). */
export interface IdlProblem {
  readonly file: string;
  readonly line: number;
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: IdlProblem): string {
  return `${p.file}:${p.line}${p.path ? ` ${p.path}` : ""}: ${p.message}`;
}

/** Thrown when the IDL is invalid; carries every problem found. */
export class IdlError extends Error {
  readonly problems: readonly IdlProblem[];
  constructor(problems: readonly IdlProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "IdlError";
    this.problems = problems;
  }
}
