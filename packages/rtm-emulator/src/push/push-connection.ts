/** A connection as pushes need it (FPNN's Connection has all of it). */
export interface PushConnection {
  readonly isOpen: boolean;
  /** Quests sent on it and not answered yet: pushes and pings. */
  readonly pendingCount: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly closed: Promise<unknown>;
  questEncoded(method: string, payload: Uint8Array, options?: { timeout?: number }): Promise<unknown>;
}

/** "host:port" of the peer, for log lines. */
export function peerOf(connection: PushConnection): string {
  const host = connection.remoteAddress.includes(":") ? `[${connection.remoteAddress}]` : connection.remoteAddress;
  return `${host}:${connection.remotePort}`;
}
