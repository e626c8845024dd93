import { ChatStorage, MessageCategory, type NewMessage } from "@rtmkit/rtm-emulator";

export const BENCH_PID = 11000001;
export const GROUPS = 100;
export const USERS = 1000;

export interface FillResult {
  rows: number;
  ms: number;
  firstMtime: number;
  lastMtime: number;
}

/**
 * Writes `rows` messages straight through the storage layer (no network): 70% group, 20% p2p,
 * 10% room, 10 messages per ms of a clock that ends at the real time, in transactions of 20k rows.
 */
export function fillDatabase(path: string, rows: number): FillResult {
  const lastMtime = Date.now() - 1000;
  const firstMtime = lastMtime - Math.ceil(rows / 10);
  let clock = firstMtime;
  const storage = ChatStorage.open({ path, now: () => clock });
  const started = performance.now();
  try {
    const BATCH = 20_000;
    for (let done = 0; done < rows; done += BATCH) {
      storage.store.transaction(() => {
        for (let i = done; i < Math.min(done + BATCH, rows); i++) {
          if (i % 10 === 0) clock++;
          storage.store.storeSend([rowOf(i)]);
        }
      });
    }
  } finally {
    storage.close();
  }
  return { rows, ms: performance.now() - started, firstMtime, lastMtime: clock };
}

function rowOf(i: number): NewMessage {
  const r = i % 10;
  const from = BigInt(i % USERS) + 1n;
  const mid = BigInt(i) + 1n;
  if (r < 7) return { pid: BENCH_PID, category: MessageCategory.GroupMessage, from, target: BigInt(i % GROUPS) + 1n, mid, mtype: 30, msg: `group message ${i}`, attrs: "" };
  if (r < 9) return { pid: BENCH_PID, category: MessageCategory.P2PMessage, from, target: (from % BigInt(USERS)) + 1n, mid, mtype: 30, msg: `p2p message ${i}`, attrs: "" };
  return { pid: BENCH_PID, category: MessageCategory.RoomMessage, from, target: 7n, mid, mtype: 31, msg: `room message ${i}`, attrs: "{}" };
}
