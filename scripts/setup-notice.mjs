// Runs before `pnpm install` in `npm run setup` (plain JS: nothing is installed yet). A first install compiles
// better-sqlite3 for a minute or two without a word, so say what is going on; a warm install prints nothing here.
// `node scripts/setup-notice.mjs [root]` (root: the repository, by default the one holding this script).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
const read = (path) => {
  try {
    return readFileSync(join(root, path), "utf8");
  } catch {
    return undefined;
  }
};
// pnpm keeps a copy of the lockfile it installed from: the same text means there is nothing to build.
const installed = read("node_modules/.pnpm/lock.yaml");
if (installed === undefined) {
  process.stdout.write("rtmkit setup: installing dependencies (the first run compiles better-sqlite3, 1-2 min)...\n");
} else if (installed !== read("pnpm-lock.yaml")) {
  process.stdout.write("rtmkit setup: the lockfile changed, updating dependencies (better-sqlite3 may be rebuilt, 1-2 min)...\n");
}
