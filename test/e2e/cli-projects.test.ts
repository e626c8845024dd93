// Projects can reach the rtm-emulator process without their secrets being on its command line.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { spawnEmulator } from "./cli-process.js";
import { PID, SECRET, sdk } from "./helpers.js";

describe("rtm-emulator projects from RTM_EMULATOR_PROJECTS", () => {
  it("serves every project of the variable, and no secret shows in the process's command line", async () => {
    const emulator = await spawnEmulator([], { RTM_EMULATOR_PROJECTS: `${PID}:${SECRET},\n 7:seven-secret` });
    expect(emulator.log()).toContain(`projects ${PID}, 7;`);
    await expect(sdk(emulator.endpoint).sendChat(1n, 2n, "via env", "")).resolves.toMatchObject({ mtime: expect.any(BigInt) });
    await expect(sdk(emulator.endpoint, { pid: 7, secret: "seven-secret" }).sendChat(1n, 2n, "pid 7", "")).resolves.toMatchObject({ mtime: expect.any(BigInt) });
    const cmdline = `/proc/${emulator.child.pid}/cmdline`;
    if (existsSync(cmdline)) {
      const argv = readFileSync(cmdline, "utf8");
      expect(argv).toContain("rtm-emulator");
      expect(argv).not.toContain(SECRET);
      expect(argv).not.toContain("seven-secret");
    }
  });

  it("exits 2 with one line naming the variable and the entry when an entry is wrong", async () => {
    const refused = await spawnEmulator([], { RTM_EMULATOR_PROJECTS: `${PID}:${SECRET} 7` }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refused).toBe(
      "rtm-emulator exited (2) before listening:\n" +
        "rtm-emulator: RTM_EMULATOR_PROJECTS entry 2: SECRET must not be empty (format PID:SECRET)\nTry 'rtm-emulator --help'.\n",
    );
  });
});
