// `npm run setup` says what a cold install is doing (it compiles better-sqlite3 silently) and nothing on a warm one.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/setup-notice.mjs", import.meta.url));
const notice = (root: string): string => execFileSync(process.execPath, [script, root], { encoding: "utf8" });

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("setup notice", () => {
  it("announces a first install, a changed lockfile, and stays quiet when node_modules matches the lockfile", () => {
    root = mkdtempSync(join(tmpdir(), "rtmkit-setup-"));
    writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    expect(notice(root)).toMatch(/^rtmkit setup: installing dependencies \(the first run compiles better-sqlite3, 1-2 min\)\.\.\.\n$/);
    mkdirSync(join(root, "node_modules/.pnpm"), { recursive: true });
    writeFileSync(join(root, "node_modules/.pnpm/lock.yaml"), "lockfileVersion: '9.0'\nold: true\n");
    expect(notice(root)).toMatch(/^rtmkit setup: the lockfile changed/);
    writeFileSync(join(root, "node_modules/.pnpm/lock.yaml"), "lockfileVersion: '9.0'\n");
    expect(notice(root)).toBe("");
  });
});
