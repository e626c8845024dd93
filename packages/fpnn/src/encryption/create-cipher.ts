import type { FrameCipher } from "../frame-cipher.js";
import { PackageFrameCipher } from "./package-cipher.js";
import type { SessionKeys } from "./session-keys.js";
import { StreamFrameCipher } from "./stream-cipher.js";

export function createFrameCipher(keys: SessionKeys, streamMode: boolean, maxFrameSize: number): FrameCipher {
  return streamMode ? new StreamFrameCipher(keys) : new PackageFrameCipher(keys, maxFrameSize);
}
