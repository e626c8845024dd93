import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const fixture = new URL("./fixtures/mini", import.meta.url).pathname;
const repo = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "rtmkit-watch-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

/** Starts `rtmkit-gen generate --watch` on a copy of the mini IDL with its own config and output folders. */
function startWatch(name: string) {
  const dir = join(work, name);
  cpSync(fixture, join(dir, "idl"), { recursive: true });
  const config = join(dir, "rtmkit-gen.yaml");
  writeFileSync(config, "idl: ./idl\nout:\n  sdk: ./out/sdk\n  docs: ./out/api.md\n");
  const child = spawn(join(repo, "node_modules/.bin/tsx"), [join(repo, "generator/src/cli.ts"), "generate", "--watch", "--config", config], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const out = { stdout: "", stderr: "" };
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (out.stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (out.stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, out, exited, yaml: join(dir, "idl/api/store.yaml"), generated: join(dir, "out/sdk/store.ts") };
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const runs = (stdout: string): number => stdout.match(/ files from \d+ IDL files /g)?.length ?? 0;
const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;
const read = (path: string): string => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

describe("generate --watch (a real process on a copy of the IDL)", () => {
  it("regenerates once per burst of saves, survives IDL errors, stops on SIGTERM", async () => {
    const w = startWatch("burst");
    await until("the watch to start", () => w.out.stdout.includes("rtmkit-gen: watching idl"));
    expect(runs(w.out.stdout)).toBe(1);
    expect(read(w.generated)).toContain("Put a message.");
    const original = readFileSync(w.yaml, "utf8");

    // A burst: three plain writes, then an atomic save (a new file renamed over the old one, as editors do).
    for (const n of [1, 2, 3]) writeFileSync(w.yaml, original.replace("Put a message.", `Put a message (edit ${n}).`));
    writeFileSync(`${w.yaml}.tmp`, original.replace("Put a message.", "Put a message (edit 4)."));
    renameSync(`${w.yaml}.tmp`, w.yaml);
    await until("the edit to be generated", () => read(w.generated).includes("Put a message (edit 4)."));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(runs(w.out.stdout)).toBe(2);

    // Broken YAML: the error, with file and line, and the process keeps watching.
    writeFileSync(w.yaml, original.replace("methods:", "methods: [\n"));
    await until("the YAML error", () => /^idl\/api\/store\.yaml:\d+: /m.test(w.out.stderr));
    expect(alive(w.child)).toBe(true);
    // An IDL error reports the exact file, line and path.
    writeFileSync(w.yaml, original.replace("type: int16", "type: in16"));
    await until("the IDL error", () => w.out.stderr.includes('idl/api/store.yaml:26 methods.listItems.params.limit: unknown type "in16"'));
    expect(alive(w.child)).toBe(true);
    expect(read(w.generated)).toContain("Put a message (edit 4)."); // nothing written while the IDL is invalid

    // Fixed again: generated again (the file was saved by rename earlier, the watch still sees it).
    writeFileSync(w.yaml, original.replace("Put a message.", "Put a message (fixed)."));
    await until("the fix to be generated", () => read(w.generated).includes("Put a message (fixed)."));

    w.child.kill("SIGTERM");
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(w.out.stdout).toContain("rtmkit-gen: stopped watching");
  });

  it("Ctrl-C (SIGINT) stops it too, and an IDL that is invalid at the start is watched until it is fixed", async () => {
    const w = startWatch("invalid-at-start");
    const original = readFileSync(w.yaml, "utf8");
    writeFileSync(w.yaml, original.replace("type: int16", "type: in16"));
    await until("the watch to start", () => w.out.stdout.includes("rtmkit-gen: watching idl"));
    expect(w.out.stderr).toContain('idl/api/store.yaml:26 methods.listItems.params.limit: unknown type "in16"');
    expect(read(w.generated)).toBe("");
    writeFileSync(w.yaml, original);
    await until("the fixed IDL to be generated", () => read(w.generated).includes("Put a message."));
    w.child.kill("SIGINT");
    expect(await w.exited).toEqual({ code: 0, signal: null });
  });
});
