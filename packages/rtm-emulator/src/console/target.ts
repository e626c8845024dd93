import type { EmulatorAdmin } from "../admin/admin.js";
import type { UserSend, UserSent } from "../server/user-activity.js";

/** What the console reads and acts on: the admin model and the simulated end users of a running emulator. */
export interface ConsoleTarget {
  readonly admin: EmulatorAdmin;
  userSends(send: UserSend): Promise<UserSent>;
  userLogin(pid: number, uid: bigint | number): void;
  userLogout(pid: number, uid: bigint | number): void;
}
