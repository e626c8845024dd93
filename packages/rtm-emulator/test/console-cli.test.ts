// The console's command-line flags: parsed (defaults, --no-console, conflicts), and the real bin in its own process
// printing the console's URL on its startup line and serving it.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CliUsageError, DEFAULT_HOST, parseCliArgs, type EmulatorCliOptions } from "../src/cli.js";
import { DEFAULT_CONSOLE_PORT } from "../src/console/options.js";
import { onCleanup, PID, SECRET } from "./console-helpers.js";

const bin = fileURLToPath(new URL("../bin/rtm-emulator.mjs", import.meta.url));

function consoleOf(...argv: string[]): EmulatorCliOptions["console"] {
  const parsed = parseCliArgs(["--project", `${PID}:${SECRET}`, ...argv], { env: {} });
  if (parsed.kind !== "run") throw new Error("expected options");
  return parsed.options.console;
}

describe("console flags", () => {
  it("serve the console on 127.0.0.1:13316 by default (a free port when that one is taken), or as told", () => {
    expect(DEFAULT_CONSOLE_PORT).toBe(13316);
    expect(consoleOf()).toEqual({ port: 13316, host: DEFAULT_HOST, fallbackToFreePort: true });
    expect(consoleOf("--console-port", "0")).toEqual({ port: 0, host: "127.0.0.1", fallbackToFreePort: false });
    expect(consoleOf("--console-port", "14000", "--console-host", "0.0.0.0")).toEqual({ port: 14000, host: "0.0.0.0", fallbackToFreePort: false });
    expect(consoleOf("--no-console")).toBeUndefined();
  });

  it("refuse a bad port, an empty host, and console flags with --no-console", () => {
    expect(() => consoleOf("--console-port", "65536")).toThrow(new CliUsageError("option '--console-port <port>' argument '65536' is invalid. --console-port must be an integer in 0..65535."));
    expect(() => consoleOf("--console-host", " ")).toThrow("option '--console-host <host>' must not be empty");
    expect(() => consoleOf("--no-console", "--console-port", "1")).toThrow("option '--console-port <port>' does nothing with '--no-console'");
    expect(() => consoleOf("--no-console", "--console-host", "::1")).toThrow("option '--console-host <host>' does nothing with '--no-console'");
  });
});

describe("rtm-emulator with its console", () => {
  it("prints the console's URL after the endpoint on its startup line and serves it; --no-console leaves it out", async () => {
    const start = async (...args: string[]) => {
      const child = spawn(process.execPath, [bin, "--port", "0", "--project", `${PID}:${SECRET}`, ...args], { stdio: ["ignore", "ignore", "pipe"] });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      onCleanup(async () => {
        child.kill("SIGTERM");
        await exited;
      });
      let log = "";
      return new Promise<string>((resolve, reject) => {
        child.stderr.setEncoding("utf8").on("data", (text: string) => {
          log += text;
          const line = /^.*listening on \S+?;.*$/m.exec(log);
          if (line) resolve(line[0]);
        });
        void exited.then((code) => reject(new Error(`rtm-emulator exited (${String(code)}):\n${log}`)));
      });
    };
    const line = await start("--console-port", "0");
    const url = /; console (http:\/\/127\.0\.0\.1:\d+\/)(;|$)/.exec(line)?.[1];
    expect(url, line).toBeDefined();
    expect((await fetch(new URL("/api/projects", url))).status).toBe(200);
    expect(await start("--no-console")).not.toContain("console");
  });
});
