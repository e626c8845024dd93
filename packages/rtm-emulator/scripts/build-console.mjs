// @ts-check
/**
 * Builds the web console's browser assets: console-ui/ (Preact in TSX, one stylesheet, index.html) bundled and
 * minified by esbuild into dist/console/ (index.html, app.js, app.css). The emulator serves them from there; they are
 * built at package build time and shipped in the package, so nothing is fetched at run time.
 *
 *   node scripts/build-console.mjs
 *
 * The package's `build:console`; also run by `build` and `prepack` (after tsdown, which empties dist/) and by the root
 * `setup` (so a fresh clone's `npm test`, `npm run emulator` and `npm run demo` have them). Plain JS run by node, not
 * tsx: `setup` runs it before every test run and it takes ~0.1 s this way. Silent unless something is wrong.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ui = fileURLToPath(new URL("../console-ui/", import.meta.url));
const out = fileURLToPath(new URL("../dist/console/", import.meta.url));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [
    { in: `${ui}src/main.tsx`, out: "app" },
    { in: `${ui}styles.css`, out: "app" },
  ],
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  // Browsers of the last years: the console is a developer's tool.
  target: ["es2022", "chrome110", "firefox110", "safari16"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(`${ui}index.html`, `${out}index.html`);
