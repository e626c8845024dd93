/**
 * The published shape of every package, end to end: `pnpm pack` each workspace package (its prepack builds
 * dist/ with tsdown, pnpm applies publishConfig and rewrites workspace:*), `npm install` the tarballs into a
 * fresh project under os.tmpdir() (real copies, no links, no tsx), then with plain node:
 *  - an ESM and a CommonJS script each start the installed `rtm-emulator` bin on a free port and do
 *    sendChat + getP2PChat through the installed SDK, and load the web console's page (built into the package)
 *    from an emulator started in process;
 *  - the installed `rtmkit-gen` bin generates an SDK from the IDL the generator package ships;
 *  - tsc type-checks small consumers with moduleResolution nodenext (an .mts and a .cts file) and bundler.
 * One pack and one install serve every check. Slow (builds and installs): minutes, not seconds.
 *
 * better-sqlite3 (the emulator's SQLite) has a native addon that its install script fetches prebuilt or
 * compiles. Its prebuilt binaries are not reachable from every machine and compiling takes minutes on a small
 * one, so the install is offered the workspace's own build of the same version as a local prebuild (the
 * better-sqlite3 install script's `local_prebuilds` setting); when the versions differ (or with
 * RTMKIT_PACK_TEST_COMPILE=1) the install script fetches or compiles as it does for any user.
 */
import { execFile, spawn, type ExecFileOptions } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const PACKAGES = ["@rtmkit/fpnn", "@rtmkit/protocol", "@rtmkit/rtm-server-sdk", "@rtmkit/rtm-emulator", "@rtmkit/generator", "@rtmkit/cli"] as const;
const PNPM = ["-y", "pnpm@10.34.8"] as const;
const SLOW = 600_000;

let work = "";
let app = "";
const timings: string[] = [];

/** This environment without what `pnpm run` / `npm run` put in it for the workspace (npm_config_*, npm_package_*...). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_/i.test(k)));
  return { ...env, ...extra };
}

function run(file: string, args: readonly string[], options: ExecFileOptions & { cwd: string }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, encoding: "utf8", ...options }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(" ")} failed (${error.code ?? error.signal}):\n${String(stdout)}\n${String(stderr)}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function timed<T>(label: string, body: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await body();
  } finally {
    timings.push(`${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * A directory holding the workspace's compiled better-sqlite3 as the prebuild tarball its install script
 * looks for (`better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`), or undefined.
 */
async function workspacePrebuilds(): Promise<string | undefined> {
  if (process.env.RTMKIT_PACK_TEST_COMPILE === "1") return undefined;
  try {
    const fromEmulator = createRequire(join(repo, "packages/rtm-emulator/package.json"));
    const pkgDir = dirname(fromEmulator.resolve("better-sqlite3/package.json"));
    const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { version: string };
    if (!existsSync(join(pkgDir, "build/Release/better_sqlite3.node"))) return undefined;
    const dir = join(work, "prebuilds");
    mkdirSync(dir, { recursive: true });
    const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    await run("tar", ["-czf", join(dir, name), "-C", pkgDir, "build/Release/better_sqlite3.node"], { cwd: work });
    return dir;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "rtmkit-pack-"));
  app = join(work, "app");
  const packs = join(work, "packs");
  mkdirSync(app);
  await timed("pnpm pack (builds)", () =>
    run("npx", [...PNPM, "-r", "--workspace-concurrency=2", "pack", "--pack-destination", packs], { cwd: repo, env: cleanEnv() }),
  );
  const tarballs = readdirSync(packs).filter((f) => f.endsWith(".tgz"));
  expect(tarballs.sort()).toEqual(PACKAGES.map((p) => `${p.slice(1).replace("/", "-")}-0.1.0.tgz`).sort());
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "rtmkit-pack-consumer", version: "0.0.0", private: true }, null, 2));
  const prebuilds = await workspacePrebuilds();
  const typesNode = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies["@types/node"]!;
  await timed("npm install", () =>
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.map((t) => join(packs, t)), `@types/node@${typesNode}`], {
      cwd: app,
      env: cleanEnv(prebuilds === undefined ? {} : { npm_config_better_sqlite3_local_prebuilds: prebuilds }),
    }),
  );
}, SLOW);

afterAll(() => {
  if (timings.length > 0) process.stdout.write(`pack-install timings: ${timings.join(", ")}\n`);
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

/** A script that starts the installed rtm-emulator bin, then sends and reads back a chat through the installed SDK. */
function chatScript(format: "esm" | "cjs"): string {
  const imports =
    format === "esm"
      ? `import { spawn } from "node:child_process";\n${PACKAGES.map((p, i) => `import * as pkg${i} from "${p}";`).join("\n")}\n`
      : `const { spawn } = require("node:child_process");\n${PACKAGES.map((p, i) => `const pkg${i} = require("${p}");`).join("\n")}\n`;
  const body = `
const loaded = [${PACKAGES.map((_, i) => `pkg${i}`).join(", ")}].map((m) => Object.keys(m).length);
if (loaded.some((n) => n === 0)) throw new Error("a package has no exports: " + loaded);
const { RTMServerClient } = pkg2;
const text = "hello from ${format}";
const child = spawn("node_modules/.bin/rtm-emulator", ["--port", "0", "--project", "11000001:pack-secret"], { stdio: ["ignore", "ignore", "pipe"] });
const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
let log = "";
const endpoint = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("rtm-emulator did not listen within 30 s:\\n" + log)), 30000);
  child.stderr.setEncoding("utf8").on("data", (t) => {
    log += t;
    const m = /listening on (\\S+?);/.exec(log);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  exited.then((code) => { clearTimeout(timer); reject(new Error("rtm-emulator exited (" + code + "):\\n" + log)); });
});
const client = new RTMServerClient({ pid: 11000001, secret: "pack-secret", endpoint, timeout: 10 });
try {
  const sent = await client.sendChat(1001n, 1002n, text, "");
  const page = await client.getP2PChat(1001n, 1002n, true, 10, 0n, 0n, 0n);
  const back = page.messages.find((m) => m.messageId === sent.mid || m.message === text);
  console.log("read back: " + (back ? back.message : "(nothing)") + " of " + page.count);
  // The web console's page ships built in the package: served by an emulator started in this process.
  const withConsole = await pkg3.startEmulator({ projects: [{ pid: 1, secret: "s" }], console: true });
  try {
    const consolePage = await fetch(withConsole.consoleUrl);
    console.log("console page: " + consolePage.status + " " + (await consolePage.text()).includes('src="app.js"'));
  } finally {
    await withConsole.close();
  }
} finally {
  await client.close();
  child.kill("SIGTERM");
  console.log("emulator exit: " + (await exited));
}
`;
  return format === "esm" ? `${imports}${body}` : `${imports}(async () => {${body}})().catch((e) => { console.error(e); process.exitCode = 1; });\n`;
}

describe("the packed packages, installed with npm outside the workspace", () => {
  it("install real copies of dist/, README.md and LICENSE: no sources, no links, no tsx", () => {
    for (const name of PACKAGES) {
      const dir = join(app, "node_modules", name);
      expect(lstatSync(dir).isSymbolicLink(), name).toBe(false);
      const files = readdirSync(dir).sort();
      expect(files, name).toEqual(expect.arrayContaining(["LICENSE", "README.md", "dist", "package.json"]));
      expect(files, name).not.toContain("src");
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
      expect(JSON.stringify(manifest), name).not.toContain("workspace:");
      expect(JSON.stringify(manifest.exports), name).not.toContain("/src/");
      expect(existsSync(join(dir, "node_modules/@rtmkit")), `${name} has a nested @rtmkit copy`).toBe(false);
    }
    expect(existsSync(join(app, "node_modules/tsx"))).toBe(false);
    expect(readFileSync(join(app, "node_modules/.bin/rtm-emulator"), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it.each(["esm", "cjs"] as const)("%s: the rtm-emulator bin serves sendChat + getP2PChat of the installed SDK (plain node)", { timeout: 60_000 }, async (format) => {
    const script = join(app, format === "esm" ? "chat.mjs" : "chat.cjs");
    writeFileSync(script, chatScript(format));
    const { stdout } = await timed(`${format} script`, () => run(process.execPath, [script], { cwd: app, env: cleanEnv() }));
    expect(stdout).toContain(`read back: hello from ${format} of 1`);
    expect(stdout).toContain("console page: 200 true");
    expect(stdout).toContain("emulator exit: 0");
  });

  it("the rtmkit-gen bin generates an SDK from the IDL the generator package ships (plain node)", { timeout: 120_000 }, async () => {
    const idl = join(app, "node_modules/@rtmkit/generator/idl");
    expect(readdirSync(join(idl, "rtm")).sort()).toEqual(readdirSync(join(repo, "idl/rtm")).filter((f) => f.endsWith(".yaml")).sort());
    expect(existsSync(join(idl, "errors.yaml"))).toBe(true);
    const { stdout } = await run(join(app, "node_modules/.bin/rtmkit-gen"), ["generate", "--idl", idl, "--sdk", "generated/sdk", "--docs", "generated/api.md"], {
      cwd: app,
      env: cleanEnv(),
    });
    // errors.yaml, and every file under idl/rtm
    expect(stdout).toMatch(new RegExp(`^rtmkit-gen: \\d+ files from ${1 + readdirSync(join(repo, "idl/rtm")).filter((f) => f.endsWith(".yaml")).length} IDL files`));
    expect(readFileSync(join(app, "generated/sdk/chat.ts"), "utf8")).toContain('import { endpoints, method, returns, service, variant');
    expect(readFileSync(join(app, "generated/api.md"), "utf8")).toContain("sendChat");
  });

  it("tsc type-checks consumers with moduleResolution nodenext (ESM and CommonJS) and bundler", { timeout: 180_000 }, async () => {
    const consumer = `import { RTMServerClient, RTMError, type HistoryMessage } from "@rtmkit/rtm-server-sdk";
import { startEmulator, type RunningEmulator } from "@rtmkit/rtm-emulator";
import { FpnnClient } from "@rtmkit/fpnn";
import { int64, type WireType } from "@rtmkit/protocol";
import { generate, loadConfig, type GenConfig } from "@rtmkit/generator";

export async function roundTrip(): Promise<string[]> {
  const emulator: RunningEmulator = await startEmulator({ projects: [{ pid: 1, secret: "s" }] });
  const client = new RTMServerClient({ pid: 1, secret: "s", endpoint: emulator.endpoint });
  try {
    const { mid } = await client.sendChat(1n, 2n, "hi", "");
    const page = await client.getP2PChat(1n, 2n, true, 10, 0n, 0n, 0n);
    const messages: HistoryMessage[] = page.messages;
    const fpnn: FpnnClient = client.fpnn;
    void fpnn;
    return [String(mid), ...messages.map((m) => m.message)];
  } catch (e) {
    if (e instanceof RTMError) return [String(e.code)];
    throw e;
  } finally {
    await client.close();
    await emulator.close();
  }
}

export const wire: WireType = int64;
export const config = (dir: string): GenConfig => loadConfig(undefined, { idl: dir }, dir);
export const gen: typeof generate = generate;
// @ts-expect-error -- the SDK's types are real: sendChat wants bigint-like ids and a string message
export const wrong = (c: RTMServerClient) => c.sendChat(1n, 2n, 42, "");
`;
    const compilerOptions = { strict: true, noEmit: true, skipLibCheck: false, target: "ES2022", lib: ["ES2023"], types: ["node"] };
    writeFileSync(join(app, "consumer-esm.mts"), consumer);
    writeFileSync(join(app, "consumer-cjs.cts"), consumer);
    writeFileSync(join(app, "consumer-bundler.ts"), consumer);
    const configs = {
      "tsconfig.nodenext.json": { compilerOptions: { ...compilerOptions, module: "nodenext", moduleResolution: "nodenext" }, files: ["consumer-esm.mts", "consumer-cjs.cts"] },
      "tsconfig.bundler.json": { compilerOptions: { ...compilerOptions, module: "preserve", moduleResolution: "bundler" }, files: ["consumer-bundler.ts"] },
    };
    const tsc = join(repo, "node_modules/typescript/bin/tsc");
    await Promise.all(
      Object.entries(configs).map(([file, config]) => {
        writeFileSync(join(app, file), JSON.stringify(config, null, 2));
        return timed(`tsc ${file}`, () => run(process.execPath, [tsc, "-p", file], { cwd: app, env: cleanEnv() }));
      }),
    );
  });

  it("the rtmkit bin: sendChat then getP2PChat against the installed emulator bin; a wrong secret exits 1 with 200002", { timeout: 120_000 }, async () => {
    const emulator = spawn(join(app, "node_modules/.bin/rtm-emulator"), ["--port", "0", "--project", "11000001:cli-secret"], { cwd: app, env: cleanEnv(), stdio: ["ignore", "ignore", "pipe"] });
    try {
      let log = "";
      const endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`rtm-emulator did not listen within 30 s:\n${log}`)), 30_000);
        emulator.stderr.setEncoding("utf8").on("data", (text: string) => {
          log += text;
          const listening = /listening on (\S+?);/.exec(log);
          if (listening) {
            clearTimeout(timer);
            resolve(listening[1]!);
          }
        });
      });
      const env = cleanEnv({ RTM_ENDPOINT: endpoint, RTM_PID: "11000001", RTM_SECRET: "cli-secret" });
      const rtmkit = join(app, "node_modules/.bin/rtmkit");
      const sent = await timed("rtmkit call sendChat", () => run(rtmkit, ["call", "sendChat", "1001", "1002", "hello from the shell", ""], { cwd: app, env }));
      expect(JSON.parse(sent.stdout)).toMatchObject({ mid: expect.stringMatching(/^\d+$/), mtime: expect.stringMatching(/^\d+$/) });
      const page = await run(rtmkit, ["call", "getP2PChat", "1001", "1002", "true", "10", "0", "0", "0"], { cwd: app, env });
      expect(page.stdout).toContain("hello from the shell");
      const refused = await run(rtmkit, ["call", "sendChat", "1001", "1002", "x", ""], { cwd: app, env: { ...env, RTM_SECRET: "wrong" } }).then(
        () => "exited 0",
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/failed \(1\):[\s\S]*error 200002/);
    } finally {
      emulator.kill("SIGTERM");
    }
  });

  it("an IDL of the user's own, extending the bundled RTM IDL, through the installed rtmkit-gen: compiled and served by startEmulator({ handlers })", { timeout: 180_000 }, async () => {
    const project = join(app, "own-idl");
    mkdirSync(join(project, "idl/app"), { recursive: true });
    writeFileSync(
      join(project, "idl/app/followers.yaml"),
      `service: followers
auth: signed
doc: Friends, next to RTM's methods.
methods:
  getFollowers:
    fpnn: getfollowers
    doc: The followers of a user.
    params:
      uid: { wire: uid, type: int64, doc: user id }
    answer:
      uids: { name: followers, type: set<int64> }
`,
    );
    writeFileSync(join(project, "rtmkit.config.yaml"), "idl: ./idl\nextends: rtm\nout:\n  sdk: ./src/rtm\n");
    await run(join(app, "node_modules/.bin/rtmkit-gen"), ["generate"], { cwd: project, env: cleanEnv() });
    writeFileSync(
      join(project, "src/main.ts"),
      `import { implement, startEmulator } from "@rtmkit/rtm-emulator";
import { RtmClient, followersEndpoints } from "./rtm/index.js";

const emulator = await startEmulator({
  projects: [{ pid: 7, secret: "s" }],
  handlers: [implement(followersEndpoints, { getfollowers: ({ uid }) => ({ uids: [uid + 1n, uid + 2n] }) })],
});
const client = new RtmClient({ pid: 7, secret: "s", endpoint: emulator.endpoint });
try {
  const { followers } = await client.getFollowers(1001n);
  const { mid } = await client.sendChat(1001n, 1002n, "and RTM too", "");
  console.log("followers: " + followers.join(",") + "; sent " + typeof mid);
} finally {
  await client.close();
  await emulator.close();
}
`,
    );
    const compilerOptions = { strict: true, target: "ES2022", lib: ["ES2023"], types: ["node"], module: "nodenext", moduleResolution: "nodenext", outDir: "build", rootDir: "src" };
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "own-idl", private: true, type: "module" }));
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["src"] }));
    await run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: project, env: cleanEnv() });
    const { stdout } = await run(process.execPath, ["build/main.js"], { cwd: project, env: cleanEnv() });
    expect(stdout).toContain("followers: 1002,1003; sent bigint");
  });
});
