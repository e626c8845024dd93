/** One line for a failed start: a listen error gets its cause in plain words and what to do, anything else its message. */
export function startFailureMessage(error: unknown): string {
  const { code, port, address, message } = (error ?? {}) as NodeJS.ErrnoException & { port?: number; address?: string };
  const where = address === undefined ? `port ${port}` : `${address}:${port}`;
  switch (code) {
    case "EADDRINUSE":
      return `port ${port} is in use (EADDRINUSE); pick another with --port (--port 0 takes any free port)`;
    case "EACCES":
      return `not allowed to listen on ${where} (EACCES); ports below 1024 need privileges: pick another with --port`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where} (EADDRNOTAVAIL): ${address} is not an address of this machine; check --host`;
    default:
      return message ?? String(error);
  }
}
