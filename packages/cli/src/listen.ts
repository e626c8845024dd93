import { FpnnClient } from "@rtmkit/fpnn";
import { RTMServerClient, type Push } from "@rtmkit/rtm-server-sdk";
import type { CliIo } from "./cli.js";
import type { ConnectionSettings } from "./connection.js";
import { callFailure, jsonLine } from "./output.js";
import { UsageError } from "./usage.js";

/** The flags of `rtmkit listen`, as commander gives them. */
export interface ListenFlags {
  groups?: string;
  rooms?: string;
  users?: string;
  events?: string;
  allGroups?: boolean;
  allRooms?: boolean;
  allP2p?: boolean;
  allEvents?: boolean;
  count?: string;
}

interface ListenPlan {
  readonly groupIds: bigint[];
  readonly roomIds: bigint[];
  readonly userIds: bigint[];
  readonly events: string[];
  readonly all: readonly [group: boolean, room: boolean, p2p: boolean, event: boolean];
  /** Stop after this many pushes (undefined: until stopped). */
  readonly count: number | undefined;
}

/** The flags checked: ids as int64 lists, at least one thing to listen to. Throws UsageError naming the flag. */
export function listenPlan(flags: ListenFlags): ListenPlan {
  const plan: ListenPlan = {
    groupIds: idsOf("--groups", flags.groups),
    roomIds: idsOf("--rooms", flags.rooms),
    userIds: idsOf("--users", flags.users),
    events: namesOf(flags.events),
    all: [flags.allGroups === true, flags.allRooms === true, flags.allP2p === true, flags.allEvents === true],
    count: countOf(flags.count),
  };
  const ids = plan.groupIds.length + plan.roomIds.length + plan.userIds.length + plan.events.length;
  if (ids === 0 && !plan.all.includes(true)) throw new UsageError("nothing to listen to: give --groups, --rooms, --users, --events or an --all-* flag");
  return plan;
}

/**
 * `rtmkit listen`: connects, sets what the connection listens to, then prints each push as one JSON line
 * (`{"event":"groupChat","data":{...}}`, 64-bit integers as decimal strings) until `signal` aborts or
 * `--count` pushes arrived. The client reconnects by itself and restores the listen state.
 */
export async function listen(plan: ListenPlan, settings: ConnectionSettings, io: CliIo, signal: AbortSignal | undefined): Promise<number> {
  let fpnn: FpnnClient;
  try {
    fpnn = new FpnnClient({ ...settings.fpnn, autoReconnect: true, keepAlive: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const client = new RTMServerClient({ fpnn, pid: settings.pid, secret: settings.secret });
  client.on("error", (error) => io.stderr(`rtmkit: ${error.message}\n`));
  const stream = client.pushes({ signal });
  try {
    if (plan.all.includes(true)) await client.setListenAll(...plan.all);
    const { groupIds, roomIds, userIds, events } = plan;
    if (groupIds.length + roomIds.length + userIds.length + events.length > 0) {
      await (plan.all.includes(true) ? client.addListen(groupIds, roomIds, userIds, events) : client.setListen(groupIds, roomIds, userIds, events));
    }
    io.stderr(`rtmkit: listening on ${fpnn.endpoint}\n`);
    let printed = 0;
    for await (const push of stream) {
      io.stdout(jsonLine(push satisfies Push));
      if (plan.count !== undefined && ++printed >= plan.count) break;
    }
    return 0;
  } catch (error) {
    return callFailure(error, io.stderr);
  } finally {
    await stream.return();
    await client.close();
  }
}

function idsOf(flag: string, text: string | undefined): bigint[] {
  if (text === undefined) return [];
  return text.split(",").map((part) => {
    const id = part.trim();
    if (!/^-?\d+$/.test(id) || BigInt(id) > 2n ** 63n - 1n || BigInt(id) < -(2n ** 63n)) throw new UsageError(`${flag}: ${JSON.stringify(id)} is not an int64 id (give ids separated by commas)`);
    return BigInt(id);
  });
}

function namesOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text.split(",").map((name) => name.trim()).filter((name) => name !== "");
}

function countOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count < 1) throw new UsageError(`--count: ${JSON.stringify(text)} is not a positive number of pushes`);
  return count;
}
