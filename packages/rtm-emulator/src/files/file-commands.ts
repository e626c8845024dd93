import { Refusal, RtmErrorCode } from "../errors.js";

/** The file-gate methods, each with the key that names its target (none for broadcastfile). */
export const FILE_COMMANDS = {
  sendfile: "to",
  sendfiles: "tos",
  sendgroupfile: "gid",
  sendroomfile: "rid",
  broadcastfile: undefined,
} as const;

export type FileCommand = keyof typeof FILE_COMMANDS;
export type TargetKey = NonNullable<(typeof FILE_COMMANDS)[FileCommand]>;

/** RTM's C++ SDK (f459 and later) asks filetoken for these instead of sendgroupfile and broadcastfile; its gate quests use the right names. */
const REFERENCE_SDK_SPELLINGS: ReadonlyMap<string, FileCommand> = new Map([
  ["GroupFile", "sendgroupfile"],
  ["BroadcastFile", "broadcastfile"],
]);

/** The file-gate method a filetoken `cmd` names, or a refusal (InvalidParameter) naming the accepted ones. */
export function fileCommandOf(cmd: string): FileCommand {
  if (Object.hasOwn(FILE_COMMANDS, cmd)) return cmd as FileCommand;
  const alias = REFERENCE_SDK_SPELLINGS.get(cmd);
  if (alias !== undefined) return alias;
  throw new Refusal(RtmErrorCode.InvalidParameter, `cmd must be one of ${Object.keys(FILE_COMMANDS).join(", ")}, got ${JSON.stringify(cmd)}`);
}

/** A target as a token binds it: the key and its value, a set of recipients in ascending order without repeats. */
export function targetOf(command: FileCommand, request: { readonly to?: bigint; readonly tos?: readonly bigint[]; readonly gid?: bigint; readonly rid?: bigint }): string {
  const key = FILE_COMMANDS[command];
  if (key === undefined) return "";
  const value = request[key];
  if (value === undefined) throw new Refusal(RtmErrorCode.EmptyParameter, `${command} needs "${key}"`);
  if (typeof value === "bigint") return `${key}:${value}`;
  return `${key}:${[...new Set(value)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(",")}`;
}
