/**
 * Where a stored file is, as its message's msg names it: `rtm-emulator://<gate endpoint>/files/<pid>/<file id>`.
 * Not fetchable (the emulator has no HTTP server); RunningEmulator.readFile reads it back.
 */
export function fileUrl(gateEndpoint: string, pid: number, fileId: string): string {
  return `rtm-emulator://${gateEndpoint}/files/${pid}/${fileId}`;
}

/** The pid and file id a file URL names; the endpoint is not checked (a restarted emulator may listen elsewhere). */
export function parseFileUrl(url: string): { pid: number; fileId: string } | undefined {
  const match = /^rtm-emulator:\/\/[^/]+\/files\/(\d{1,10})\/([0-9a-f]{64})$/.exec(url);
  return match === null ? undefined : { pid: Number(match[1]), fileId: match[2]! };
}
