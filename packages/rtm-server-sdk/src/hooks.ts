import type { Hook } from "@rtmkit/protocol";
import { withFileInfo } from "./file-info.js";
import type { HookName, RetrievedMessage } from "./generated/types.js";
import { historyHooks } from "./history.js";

/** A getMessage answer after the generated field mapping: a file message gets its fileInfo. */
function retrieved(message: Record<string, unknown>): RetrievedMessage {
  return withFileInfo(message as unknown as RetrievedMessage);
}

/** Every hook the IDL names (`hook: { name, args }`); the generated HookName makes a missing one a compile error. */
export const clientHooks = { ...historyHooks, retrieved } as const satisfies Record<HookName, Hook>;
