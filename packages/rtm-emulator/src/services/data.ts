import type { Database, Statement } from "better-sqlite3";
import { Refusal, RtmErrorCode } from "../errors.js";
import type { Empty, ServiceOptions } from "./common.js";

/** RTM's documented caps, in UTF-8 bytes. */
export const MAX_DATA_KEY_BYTES = 128;
export const MAX_DATA_VAL_BYTES = 65535;

export interface DataKeyRequest {
  readonly uid: bigint;
  readonly key: string;
}
export interface DataSetRequest {
  readonly uid: bigint;
  readonly key: string;
  readonly val: string;
}
export interface DataGetAnswer {
  val?: string;
}

type DataKey = [pid: number, uid: bigint, key: string];

/** A string key/value store per user. */
export class DataService {
  readonly #upsert: Statement<[pid: number, uid: bigint, key: string, val: string]>;
  readonly #select: Statement<DataKey, string>;
  readonly #delete: Statement<DataKey>;

  // The clock is unused (nothing here expires); the option keeps every service constructed alike.
  constructor(db: Database, _options: ServiceOptions = {}) {
    this.#upsert = db.prepare("INSERT INTO user_data (pid, uid, key, val) VALUES (?, ?, ?, ?) ON CONFLICT (pid, uid, key) DO UPDATE SET val = excluded.val");
    this.#select = db.prepare<DataKey, string>("SELECT val FROM user_data WHERE pid = ? AND uid = ? AND key = ?").pluck();
    this.#delete = db.prepare("DELETE FROM user_data WHERE pid = ? AND uid = ? AND key = ?");
  }

  dataset(pid: number, p: DataSetRequest): Empty {
    checkKey(p.key);
    const bytes = Buffer.byteLength(p.val, "utf8");
    if (bytes > MAX_DATA_VAL_BYTES) throw new Refusal(RtmErrorCode.InvalidParameter, `val is ${bytes} bytes, the limit is ${MAX_DATA_VAL_BYTES}`);
    this.#upsert.run(pid, p.uid, p.key, p.val);
    return {};
  }

  /** `{}` (no val) when the key is not set. */
  dataget(pid: number, p: DataKeyRequest): DataGetAnswer {
    checkKey(p.key);
    const val = this.#select.get(pid, p.uid, p.key);
    return val === undefined ? {} : { val };
  }

  datadel(pid: number, p: DataKeyRequest): Empty {
    checkKey(p.key);
    this.#delete.run(pid, p.uid, p.key);
    return {};
  }
}

/** A key dataset would refuse can never be stored, so every method refuses it alike. */
function checkKey(key: string): void {
  if (key === "") throw new Refusal(RtmErrorCode.EmptyParameter, "key is empty");
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > MAX_DATA_KEY_BYTES) throw new Refusal(RtmErrorCode.InvalidParameter, `key is ${bytes} bytes, the limit is ${MAX_DATA_KEY_BYTES}`);
}
