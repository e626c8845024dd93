import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliUsageError, parseCliArgs, runCli, type CliSources, type EmulatorCliOptions } from "../src/cli.js";

function run(argv: string[], sources: CliSources = { env: {} }): EmulatorCliOptions {
  const result = parseCliArgs(argv, sources);
  if (result.kind !== "run") throw new Error("expected options");
  return result.options;
}

describe("parseCliArgs", () => {
  it("applies the documented defaults", () => {
    expect(run(["--project", "11000001:test-secret-123"])).toEqual({
      port: 13315,
      host: "127.0.0.1",
      projects: new Map([[11000001, "test-secret-123"]]),
      db: undefined,
      durability: "normal",
      tsSkewSeconds: 300,
      maxSaltsPerProject: 4_000_000,
      logLevel: "info",
      limits: { maxMessageBytes: 32768, maxAttrsBytes: 8192, maxRecipients: 200 },
      faults: { latencyMs: undefined, dropProbability: undefined, dropEveryNth: undefined, closeAfterQuests: undefined, methods: undefined, duplicatePushes: undefined },
      keyFile: undefined,
      keyCurve: undefined,
      idleTimeoutSeconds: 60,
      frameTimeoutSeconds: 30,
      maxConnections: 4096,
      handlerModules: [],
      fileGatePort: 0,
      maxFileBytes: 4 * 1024 * 1024,
      pushTimeoutSeconds: 10,
      maxUnansweredPushes: 1000,
      pushPingSeconds: 20,
      console: { port: 13316, host: "127.0.0.1", fallbackToFreePort: true },
    });
  });

  it("reads every option, with repeatable projects (a secret may contain ':')", () => {
    const options = run([
      "--port", "0", "--host", "0.0.0.0", "--project", "1:a", "--project", "2:b:c", "--db", "/tmp/x.sqlite", "--durability", "full",
      "--ts-skew", "60", "--max-salts", "1000", "--log-level", "debug", "--max-msg-bytes", "100", "--max-attrs-bytes", "50",
      "--max-recipients", "5", "--fault-latency", "10-20", "--fault-drop-rate", "0.5", "--fault-drop-every", "3",
      "--fault-close-after", "7", "--fault-methods", "sendmsg, getmsg", "--key", "/tmp/server.key", "--key-curve", "secp256r1",
      "--idle-timeout", "0", "--frame-timeout", "5", "--max-connections", "10", "--file-gate-port", "13316", "--max-file-bytes", "1000",
      "--push-timeout", "3", "--max-unanswered-pushes", "50", "--push-ping", "0", "--fault-duplicate-pushes",
      "--console-port", "14000", "--console-host", "0.0.0.0",
    ]);
    expect(options).toEqual({
      port: 0,
      host: "0.0.0.0",
      projects: new Map([[1, "a"], [2, "b:c"]]),
      db: "/tmp/x.sqlite",
      durability: "full",
      tsSkewSeconds: 60,
      maxSaltsPerProject: 1000,
      logLevel: "debug",
      limits: { maxMessageBytes: 100, maxAttrsBytes: 50, maxRecipients: 5 },
      faults: { latencyMs: [10, 20], dropProbability: 0.5, dropEveryNth: 3, closeAfterQuests: 7, methods: ["sendmsg", "getmsg"], duplicatePushes: true },
      keyFile: "/tmp/server.key",
      keyCurve: "secp256r1",
      idleTimeoutSeconds: 0,
      frameTimeoutSeconds: 5,
      maxConnections: 10,
      handlerModules: [],
      fileGatePort: 13316,
      maxFileBytes: 1000,
      pushTimeoutSeconds: 3,
      maxUnansweredPushes: 50,
      pushPingSeconds: 0,
      console: { port: 14000, host: "0.0.0.0", fallbackToFreePort: false },
    });
    expect(run(["--project", "1:a", "--fault-latency", "15"]).faults.latencyMs).toBe(15);
  });

  it.each([
    [[], /^no project given: use --project PID:SECRET, --projects-file FILE or the RTM_EMULATOR_PROJECTS environment variable$/],
    [["--project", "abc:s"], /PID must be an integer/],
    [["--project", "1"], /SECRET must not be empty/],
    [["--project", "1:a", "--project", "1:b"], /^project 1 has two different secrets: --project #1 and --project #2$/],
    [["--project", "1:a", "--port", "65536"], /--port must be an integer in 0\.\.65535/],
    [["--project", "1:a", "--ts-skew", "1.5"], /--ts-skew must be an integer/],
    [["--project", "1:a", "--max-connections", "0"], /--max-connections must be an integer in 1\.\./],
    [["--project", "1:a", "--idle-timeout", "-1"], /--idle-timeout must be an integer in 0\.\./],
    [["--project", "1:a", "--log-level", "loud"], /Allowed choices are silent, error, warn, info, debug/],
    [["--project", "1:a", "--durability", "maybe"], /Allowed choices are normal, full/],
    [["--project", "1:a", "--fault-latency", "20-10"], /MIN must not exceed MAX/],
    [["--project", "1:a", "--fault-drop-rate", "2"], /probability in 0\.\.1/],
    [["--project", "1:a", "--bogus"], /unknown option '--bogus'/],
    [["--project", "1:a", "stray"], /too many arguments/],
    [["--project", "1:a", "--key-curve", "secp256r1"], /needs '--key <file>'/],
    [["--project", "1:a", "--key", "k", "--key-curve", "p999"], /Allowed choices are secp256k1/],
    [["--project", "1:a", "--push-timeout", "0"], /--push-timeout must be an integer in 1\.\.86400/],
    [["--project", "1:a", "--push-timeout", "2.5"], /--push-timeout must be an integer in 1\.\.86400/],
    [["--project", "1:a", "--max-unanswered-pushes", "0"], /--max-unanswered-pushes must be an integer in 1\.\.1000000/],
    [["--project", "1:a", "--push-ping", "-1"], /--push-ping must be an integer in 0\.\.86400/],
    [["--project", "1:a", "--push-ping", "soon"], /--push-ping must be an integer/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCliArgs(argv, { env: {} })).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv, { env: {} })).toThrow(message);
  });

  it("--help documents every option and exits 0 without needing --project", () => {
    const result = parseCliArgs(["--help"]);
    expect(result.kind).toBe("exit");
    if (result.kind !== "exit") return;
    expect(result.exitCode).toBe(0);
    for (const flag of [
      "--port", "--host", "--project", "--db", "--durability", "--ts-skew", "--max-salts", "--log-level", "--max-msg-bytes",
      "--max-attrs-bytes", "--max-recipients", "--fault-latency", "--fault-drop-rate", "--fault-drop-every", "--fault-close-after",
      "--fault-methods", "--key", "--key-curve", "--help", "--projects-file", "RTM_EMULATOR_PROJECTS", "--push-timeout",
      "--max-unanswered-pushes", "--push-ping", "--fault-duplicate-pushes", "drop-connections", "send <pid> <from> to|group|room <id> <text>",
    ]) {
      expect(result.output).toContain(flag);
    }
    expect(result.output).toContain("13315");
    expect(result.output).toContain("127.0.0.1");
  });
});

describe("projects from a file and the environment", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rtm-cli-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(text: string): string {
    const path = join(dir, "projects.txt");
    writeFileSync(path, text);
    return path;
  }
  const failure = (argv: string[], env: Record<string, string> = {}) => {
    try {
      parseCliArgs(argv, { env });
    } catch (error) {
      expect(error).toBeInstanceOf(CliUsageError);
      return (error as Error).message;
    }
    throw new Error("expected a usage error");
  };

  it("reads --projects-file: one PID:SECRET per line, blank lines and # comments skipped, CRLF and spaces trimmed", () => {
    const path = file("\uFEFF# staging projects\n11000001:s3cr3t\r\n\n   # indented comment\n  11000002:with:colons and #hash  \n");
    expect(run(["--projects-file", path]).projects).toEqual(new Map([[11000001, "s3cr3t"], [11000002, "with:colons and #hash"]]));
  });

  it("reads RTM_EMULATOR_PROJECTS: entries separated by commas or whitespace", () => {
    const env = { RTM_EMULATOR_PROJECTS: " 1:a,2:b \n 3:c,, 4:d:e " };
    expect(run([], { env }).projects).toEqual(new Map([[1, "a"], [2, "b"], [3, "c"], [4, "d:e"]]));
    expect(run(["--project", "9:z"], { env: { RTM_EMULATOR_PROJECTS: "   " } }).projects).toEqual(new Map([[9, "z"]]));
  });

  it("adds the sources up, --project first; a pid repeated with the same secret is one project", () => {
    const path = file("2:b\n1:a\n");
    const options = run(["--project", "1:a", "--projects-file", path], { env: { RTM_EMULATOR_PROJECTS: "3:c,2:b" } });
    expect([...options.projects]).toEqual([[1, "a"], [2, "b"], [3, "c"]]);
  });

  it("refuses one pid with two secrets, naming both places and neither secret", () => {
    const path = file("# header\n5:from-file\n");
    const message = failure(["--projects-file", path], { RTM_EMULATOR_PROJECTS: "6:x,5:from-env" });
    expect(message).toBe(`project 5 has two different secrets: ${path} line 2 and RTM_EMULATOR_PROJECTS entry 2`);
    expect(failure(["--project", "5:arg", "--projects-file", path])).toBe(`project 5 has two different secrets: --project #1 and ${path} line 2`);
  });

  it("says which file and line, or which entry of the variable, is wrong, in one line", () => {
    const path = file("1:a\n\nnot-a-pid:b\n");
    expect(failure(["--projects-file", path])).toBe(`--projects-file ${path} line 3: PID must be an integer in 1..2147483647 (format PID:SECRET)`);
    expect(failure(["--projects-file", file("7:\n")])).toBe(`--projects-file ${path} line 1: SECRET must not be empty (format PID:SECRET)`);
    expect(failure([], { RTM_EMULATOR_PROJECTS: "1:a, 2" })).toBe("RTM_EMULATOR_PROJECTS entry 2: SECRET must not be empty (format PID:SECRET)");
    const missing = join(dir, "nope.txt");
    expect(failure(["--projects-file", missing])).toMatch(new RegExp(`^--projects-file ${missing}: cannot read it \\(ENOENT[^\\n]*\\)$`));
    expect(failure(["--projects-file", file("# only comments\n\n")])).toMatch(/^no project given/);
  });

  it("runCli takes its projects from the given environment", async () => {
    let projects: ReadonlyMap<number, string> | undefined;
    const done = runCli(["--port", "0"], async (options) => {
      projects = options.projects;
      return { close: async () => {} };
    }, { stdout: () => {}, stderr: () => {} }, { env: { RTM_EMULATOR_PROJECTS: "11000001:from-env" } });
    await new Promise((resolve) => setImmediate(resolve));
    process.emit("SIGTERM");
    expect(await done).toBe(0);
    expect(projects).toEqual(new Map([[11000001, "from-env"]]));
  });
});

describe("runCli", () => {
  function io() {
    const out = { stdout: "", stderr: "" };
    return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
  }
  const neverStart = async () => {
    throw new Error("must not start");
  };

  it("prints help and returns 0; prints a usage error and returns 2", async () => {
    const help = io();
    expect(await runCli(["--help"], neverStart, help.io)).toBe(0);
    expect(help.out.stdout).toContain("Usage: rtm-emulator");
    const bad = io();
    expect(await runCli(["--port", "x"], neverStart, bad.io)).toBe(2);
    expect(bad.out.stderr).toMatch(/^rtm-emulator: .*--port/);
  });

  it("starts with the parsed options and closes on SIGTERM", async () => {
    const events: string[] = [];
    const done = runCli(["--project", "1:a", "--port", "0"], async (options) => {
      events.push(`start ${options.port}`);
      return { close: async () => void events.push("close") };
    }, io().io);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(["start 0"]);
    process.emit("SIGTERM");
    expect(await done).toBe(0);
    expect(events).toEqual(["start 0", "close"]);
    expect(process.listenerCount("SIGTERM")).toBe(0);
  });
});
