import type { CallOptions, Int64 } from "@rtmkit/protocol";
import type { HistoryMessage, HistoryMessageResult } from "./generated/types.js";

/** Options of the history iterators. `pageSize` is at most 20 (the server's limit per call). */
export interface IterateOptions extends CallOptions {
  desc?: boolean;
  pageSize?: number;
  beginMsec?: Int64;
  endMsec?: Int64;
  /** Cursor to start after (0: from the start). */
  lastId?: Int64;
}

export const DEFAULT_PAGE_SIZE = 20;

/**
 * Pages through history: calls `fetchPage` with the cursor of the previous page until a page
 * comes back short (fewer rows than asked for) or the cursor stops moving.
 */
export async function* iterateHistory(
  fetchPage: (lastId: Int64, pageSize: number) => Promise<HistoryMessageResult>,
  options: IterateOptions | undefined,
): AsyncGenerator<HistoryMessage, void, undefined> {
  const pageSize = options?.pageSize ?? DEFAULT_PAGE_SIZE;
  let lastId: Int64 = options?.lastId ?? 0n;
  for (;;) {
    const page = await fetchPage(lastId, pageSize);
    yield* page.messages;
    if (page.count < pageSize || page.lastCursorId === BigInt(lastId)) return;
    lastId = page.lastCursorId;
  }
}
