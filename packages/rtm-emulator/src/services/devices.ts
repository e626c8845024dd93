import type { Database, Statement } from "better-sqlite3";
import { Refusal, RtmErrorCode } from "../errors.js";
import type { Empty, ServiceOptions, UidRequest } from "./common.js";

export const APP_TYPES = ["apns", "fcm"] as const;
export type AppType = (typeof APP_TYPES)[number];

/** addoption's `type` on the wire (not MessageCategory: p2p is 0 and group is 1 here). */
export const PushOptionType = { P2P: 0, Group: 1 } as const;
export type PushOptionType = (typeof PushOptionType)[keyof typeof PushOptionType];

export interface AddDeviceRequest {
  readonly uid: bigint;
  readonly apptype: string;
  readonly devicetoken: string;
}
export interface RemoveDeviceRequest {
  readonly uid: bigint;
  readonly devicetoken: string;
}
export interface PushOptionRequest {
  readonly uid: bigint;
  readonly type: number;
  readonly xid: bigint;
  /** The muted message types (the wire key is mtype, as RTM's C++ SDK sends it); absent or empty: every type. */
  readonly mtype?: readonly number[] | undefined;
}
export interface GetOptionAnswer {
  /** Muted message types per peer uid (decimal); [] means every type. */
  p2p: Record<string, number[]>;
  /** Muted message types per gid (decimal); [] means every type. */
  group: Record<string, number[]>;
}
export interface Device {
  apptype: AppType;
  devicetoken: string;
}

type OptionKey = [pid: number, uid: bigint, type: PushOptionType, xid: bigint];
interface OptionRow {
  type: PushOptionType;
  xid: string;
  mtypes: string;
}
/** Muted message types of one option entry, ascending; [] means every type. */
type Muted = number[];

/**
 * Devices for push notifications (one row per device token: re-adding a token moves it to the new
 * user) and, per user, which p2p peers and groups have their pushes muted, for which message types.
 */
export class DevicesService {
  readonly #upsertDevice: Statement<[pid: number, devicetoken: string, uid: bigint, apptype: AppType]>;
  readonly #deleteDevice: Statement<[pid: number, devicetoken: string, uid: bigint]>;
  readonly #selectDevices: Statement<[pid: number, uid: bigint], Device>;
  readonly #selectOption: Statement<OptionKey, string>;
  readonly #upsertOption: Statement<[...OptionKey, mtypes: string]>;
  readonly #deleteOption: Statement<OptionKey>;
  readonly #selectOptions: Statement<[pid: number, uid: bigint], OptionRow>;
  readonly #addOption: (key: OptionKey, mtypes: readonly number[]) => void;
  readonly #removeOption: (key: OptionKey, mtypes: readonly number[]) => void;

  // The clock is unused (nothing here expires); the option keeps every service constructed alike.
  constructor(db: Database, _options: ServiceOptions = {}) {
    this.#upsertDevice = db.prepare(`
      INSERT INTO devices (pid, devicetoken, uid, apptype) VALUES (?, ?, ?, ?)
      ON CONFLICT (pid, devicetoken) DO UPDATE SET uid = excluded.uid, apptype = excluded.apptype`);
    this.#deleteDevice = db.prepare("DELETE FROM devices WHERE pid = ? AND devicetoken = ? AND uid = ?");
    this.#selectDevices = db.prepare<[number, bigint], Device>("SELECT apptype, devicetoken FROM devices WHERE pid = ? AND uid = ? ORDER BY devicetoken");
    this.#selectOption = db.prepare<OptionKey, string>("SELECT mtypes FROM push_options WHERE pid = ? AND uid = ? AND type = ? AND xid = ?").pluck();
    this.#upsertOption = db.prepare(`
      INSERT INTO push_options (pid, uid, type, xid, mtypes) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (pid, uid, type, xid) DO UPDATE SET mtypes = excluded.mtypes`);
    this.#deleteOption = db.prepare("DELETE FROM push_options WHERE pid = ? AND uid = ? AND type = ? AND xid = ?");
    // xid as text: it is only ever a map key of the answer.
    this.#selectOptions = db.prepare<[number, bigint], OptionRow>(
      "SELECT type, CAST(xid AS TEXT) AS xid, mtypes FROM push_options WHERE pid = ? AND uid = ? ORDER BY type, xid",
    );

    const stored = (key: OptionKey): Muted | undefined => {
      const text = this.#selectOption.get(...key);
      return text === undefined ? undefined : (JSON.parse(text) as Muted);
    };
    const store = (key: OptionKey, muted: Muted) => this.#upsertOption.run(...key, JSON.stringify(muted));
    this.#addOption = db.transaction((key: OptionKey, mtypes: readonly number[]) => {
      const current = stored(key);
      const all = mtypes.length === 0 || (current !== undefined && current.length === 0);
      store(key, all ? [] : ascending([...(current ?? []), ...mtypes]));
    });
    this.#removeOption = db.transaction((key: OptionKey, mtypes: readonly number[]) => {
      const current = stored(key);
      if (current === undefined) return;
      if (mtypes.length === 0) {
        this.#deleteOption.run(...key);
        return;
      }
      // An entry for every type has no list to take types out of: it stays until removed whole.
      if (current.length === 0) return;
      const left = current.filter((mtype) => !mtypes.includes(mtype));
      // An empty list would read as "every type": with nothing left muted the entry goes.
      if (left.length === 0) this.#deleteOption.run(...key);
      else store(key, left);
    });
  }

  adddevice(pid: number, p: AddDeviceRequest): Empty {
    const apptype = appType(p.apptype);
    checkDeviceToken(p.devicetoken);
    this.#upsertDevice.run(pid, p.devicetoken, p.uid, apptype);
    return {};
  }

  /** Removes the device only if it is uid's. */
  removedevice(pid: number, p: RemoveDeviceRequest): Empty {
    checkDeviceToken(p.devicetoken);
    this.#deleteDevice.run(pid, p.devicetoken, p.uid);
    return {};
  }

  addoption(pid: number, p: PushOptionRequest): Empty {
    this.#addOption([pid, p.uid, optionType(p.type), p.xid], p.mtype ?? []);
    return {};
  }

  removeoption(pid: number, p: PushOptionRequest): Empty {
    this.#removeOption([pid, p.uid, optionType(p.type), p.xid], p.mtype ?? []);
    return {};
  }

  getoption(pid: number, p: UidRequest): GetOptionAnswer {
    const answer: GetOptionAnswer = { p2p: {}, group: {} };
    for (const row of this.#selectOptions.all(pid, p.uid)) {
      (row.type === PushOptionType.P2P ? answer.p2p : answer.group)[row.xid] = JSON.parse(row.mtypes) as Muted;
    }
    return answer;
  }

  /** The user's devices, by device token. */
  devicesOf(pid: number, uid: bigint): Device[] {
    return this.#selectDevices.all(pid, uid);
  }
}

function appType(apptype: string): AppType {
  const known = APP_TYPES.find((name) => name === apptype);
  if (known === undefined) throw new Refusal(RtmErrorCode.InvalidParameter, `apptype must be ${APP_TYPES.map((name) => `"${name}"`).join(" or ")}, got ${JSON.stringify(apptype)}`);
  return known;
}

function checkDeviceToken(devicetoken: string): void {
  if (devicetoken === "") throw new Refusal(RtmErrorCode.EmptyParameter, "devicetoken is empty");
}

function optionType(type: number): PushOptionType {
  if (type === PushOptionType.P2P || type === PushOptionType.Group) return type;
  throw new Refusal(RtmErrorCode.InvalidParameter, `type must be ${PushOptionType.P2P} (p2p) or ${PushOptionType.Group} (group), got ${type}`);
}

function ascending(mtypes: readonly number[]): Muted {
  return [...new Set(mtypes)].sort((a, b) => a - b);
}
