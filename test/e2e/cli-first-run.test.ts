// What a first run of the commands prints: the version, and a plain line when the emulator's port is taken.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runToExit } from "./cli-process.js";
import { onCleanup } from "./helpers.js";

const versionOf = (packageJson: string): string => (JSON.parse(readFileSync(new URL(packageJson, import.meta.url), "utf8")) as { version: string }).version;

describe("first run of the commands", () => {
  it("rtm-emulator on a port in use prints one line with a hint and exits 1, no stack trace", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    onCleanup(() => new Promise((resolve) => holder.close(resolve)));
    const { port } = holder.address() as { port: number };
    const run = await runToExit("rtm-emulator", ["--port", String(port), "--project", "1:a"]);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `rtm-emulator: port ${port} is in use (EADDRINUSE); pick another with --port (--port 0 takes any free port)\n`,
    });
  });

  it("rtm-emulator --version and -V print the version of its package.json", async () => {
    const version = versionOf("../../packages/rtm-emulator/package.json");
    const runs = await Promise.all([runToExit("rtm-emulator", ["--version"]), runToExit("rtm-emulator", ["-V"])]);
    expect(runs).toEqual([0, 1].map(() => ({ code: 0, stdout: `${version}\n`, stderr: "" })));
  });

  it("rtmkit-gen --version prints the version of its package.json", async () => {
    expect(await runToExit("rtmkit-gen", ["--version"])).toEqual({ code: 0, stdout: `${versionOf("../../generator/package.json")}\n`, stderr: "" });
  });
});
