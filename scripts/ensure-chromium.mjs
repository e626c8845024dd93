// Runs before the test suite (`npm test`): the console's browser tests drive Debian's Chromium through
// playwright-core, and playwright's own browser downloads are not what we want (a browser build from outside
// Debian's archive). Plain JS: it may run before anything is installed.
//   node scripts/ensure-chromium.mjs            installs Debian's `chromium` when no binary is found
// Exits non-zero, naming what to install, when it cannot install it (not root and no password-less sudo, no apt).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where Debian puts it (and where console-browser.test.ts looks). */
const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

const found = () => CHROMIUM_PATHS.find((path) => existsSync(path));

if (found() === undefined) {
  const hint = "install Debian's chromium package (apt-get install chromium), which the console's browser tests drive";
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const prefix = asRoot ? [] : ["sudo", "-n"];
  const apt = (args) => {
    const [command, ...rest] = [...prefix, "apt-get", ...args];
    const result = spawnSync(command, rest, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (result.error !== undefined) return `${command}: ${result.error.message}`;
    return result.status === 0 ? undefined : `${[command, ...rest].join(" ")} exited with ${result.status ?? result.signal}`;
  };
  process.stdout.write("rtmkit: no Chromium found; installing Debian's chromium for the browser tests (apt-get)...\n");
  const problem = apt(["update", "-qq"]) ?? apt(["install", "-y", "-qq", "--no-install-recommends", "chromium"]);
  if (problem !== undefined || found() === undefined) {
    process.stderr.write(`rtmkit: cannot install Chromium (${problem ?? `no binary at ${CHROMIUM_PATHS.join(" or ")} afterwards`}${asRoot ? "" : "; not root and sudo -n refused"}): ${hint}.\n`);
    process.exit(1);
  }
}
