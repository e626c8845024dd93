import { Refusal, RtmErrorCode } from "../errors.js";

/** RTM's documented cap on the ids of one friends, blacks or open-info call. */
export const MAX_IDS = 100;
/** RTM's documented cap on the uids of one getonlineusers call. */
export const MAX_ONLINE_QUERY_IDS = 200;

/** The wire shapes several services share. */
export type Empty = Record<string, never>;
export interface UidRequest {
  readonly uid: bigint;
}
export interface UidsAnswer {
  uids: bigint[];
}
export interface OkAnswer {
  ok: boolean;
}

export interface ServiceOptions {
  /** Server clock in ms; injectable for tests. */
  readonly now?: (() => number) | undefined;
}

/** Refuses a list longer than `cap`, counted as sent (duplicates count). */
export function checkIdCount(key: string, ids: readonly bigint[], cap: number = MAX_IDS): void {
  if (ids.length > cap) throw new Refusal(RtmErrorCode.TooManyItemsInParameters, `${key} has ${ids.length} ids, the limit is ${cap}`);
}

export function compareIds(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The distinct ids, ascending: the shape of every id list an answer carries. */
export function ascendingIds(ids: Iterable<bigint>): bigint[] {
  return [...new Set(ids)].sort(compareIds);
}
