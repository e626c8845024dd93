// One database file, one emulator: a second rtm-emulator on a file in use exits at once, and the lock
// dies with its holder (kill -9 leaves nothing stale behind).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnEmulator } from "./cli-process.js";
import { emulator, PID, SECRET, sdk } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rtm-e2e-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("a database file in use", () => {
  it("makes a second emulator process exit 1 with one line; after kill -9 of the first the file opens with its data", async () => {
    const db = join(dir, "chat.sqlite");
    const args = ["--project", `${PID}:${SECRET}`, "--db", db];
    const first = await spawnEmulator(args);
    const writer = sdk(first.endpoint, { autoReconnect: false });
    const sent = await writer.sendGroupChat(1001n, 5n, "written by the first", "");

    const refused = await spawnEmulator(args).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refused).toBe(
      `rtm-emulator exited (1) before listening:\n` +
        `rtm-emulator: database file ${db} is in use by another emulator or program (pid ${first.child.pid}); stop it first or use another file\n`,
    );

    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const second = await spawnEmulator(args);
    const reader = sdk(second.endpoint);
    expect(await reader.getChat(sent.mid, 1001n, 5n, 2)).toMatchObject({ message: "written by the first" });
  });

  it("makes startEmulator reject while another emulator of this process has the file, and open it once that one closed", async () => {
    const db = join(dir, "chat.sqlite");
    const first = await emulator({ db });
    await expect(emulator({ db })).rejects.toThrow(`database file ${db} is in use by another emulator or program (this process)`);
    const { mid } = await sdk(first.endpoint).sendChat(1n, 2n, "kept", "");
    await first.close();
    const second = await emulator({ db });
    expect(await sdk(second.endpoint).getChat(mid, 1n, 2n, 1)).toMatchObject({ message: "kept" });
  });
});
