// Body limits against the answer frame: 20 history rows of the largest allowed messages must fit one
// 8 MiB FPNN answer, so the limits that would break that are refused where they are set.
import { DEFAULT_MAX_FRAME_SIZE } from "@rtmkit/fpnn";
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { CliUsageError, parseCliArgs } from "../src/cli.js";
import { MAX_ROW_BODY_BYTES, resolveLimits } from "../src/limits.js";
import { startEmulator } from "../src/server/start.js";
import { PID } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("msg and attrs limits against the 8 MiB answer frame", () => {
  it("is 419,315 bytes of msg + attrs per message", () => {
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(8 * 1024 * 1024);
    expect(MAX_ROW_BODY_BYTES).toBe(419_315);
  });

  it("answers a full page of 20 messages at the largest allowed limits, every int64 at its longest", async () => {
    const limits = { maxMessageBytes: MAX_ROW_BODY_BYTES - 8192, maxAttrsBytes: 8192 };
    const emulator = await startEmulator({ projects: { [PID]: "s" }, limits });
    cleanups.push(() => emulator.close());
    const client = new RTMServerClient({ pid: PID, secret: "s", endpoint: emulator.endpoint, timeout: 30, keepAlive: false });
    cleanups.push(() => client.close());
    const from = 2n ** 62n; // 9-byte msgpack integers, like the mids below and the mtimes
    const gid = 2n ** 62n + 1n;
    for (let i = 0n; i < 20n; i++) {
      await client.sendGroupMessage(from, gid, 127, "m".repeat(limits.maxMessageBytes), "a".repeat(limits.maxAttrsBytes), { mid: 2n ** 62n + i });
    }
    const page = await client.getGroupMessage(gid, true, 20, 0, 0, 0, [127], from);
    expect(page.messages).toHaveLength(20);
    expect(page.messages.every((m) => m.message.length === limits.maxMessageBytes && m.attrs.length === limits.maxAttrsBytes)).toBe(true);
  });

  it("refuses larger limits in startEmulator, naming the option and its largest value", async () => {
    await expect(startEmulator({ projects: { [PID]: "s" }, limits: { maxMessageBytes: 500_000 } })).rejects.toThrow(
      new RangeError(
        "limits.maxMessageBytes 500000 is too large with limits.maxAttrsBytes 8192: a history page of 20 messages must fit one 8 MiB answer frame, " +
          "so msg and attrs together may be at most 419315 bytes; the largest limits.maxMessageBytes is 411123",
      ),
    );
    expect(() => resolveLimits({ maxMessageBytes: 100, maxAttrsBytes: 419_300 })).toThrow(/^limits\.maxAttrsBytes 419300 is too large with limits\.maxMessageBytes 100: .*; the largest limits\.maxAttrsBytes is 419215$/);
    expect(resolveLimits({ maxMessageBytes: 419_315 - 8192 })).toMatchObject({ maxMessageBytes: 411_123, maxAttrsBytes: 8192 });
  });

  it("refuses larger limits on the command line, naming the option and its largest value", () => {
    const usage = (argv: string[]) => {
      try {
        parseCliArgs(["--project", "1:a", ...argv], { env: {} });
      } catch (error) {
        expect(error).toBeInstanceOf(CliUsageError);
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(usage(["--max-msg-bytes", "412000"])).toBe(
      "--max-msg-bytes 412000 is too large with --max-attrs-bytes 8192: a history page of 20 messages must fit one 8 MiB answer frame, " +
        "so msg and attrs together may be at most 419315 bytes; the largest --max-msg-bytes is 411123",
    );
    expect(usage(["--max-msg-bytes", "411123"])).toBe("accepted");
    expect(usage(["--max-msg-bytes", "9000000"])).toMatch(/--max-msg-bytes must be an integer in 1\.\.419314 \(a history page of 20 messages must fit one 8 MiB answer frame\)/);
    expect(usage(["--max-msg-bytes", "1000", "--max-attrs-bytes", "419000"])).toMatch(/^--max-attrs-bytes 419000 is too large .*the largest --max-attrs-bytes is 418315$/);
  });
});
