import { defineConfig, type UserConfig } from "tsdown";

/**
 * The build every published @rtmkit package shares: src/index.ts as ESM (.mjs) and CommonJS (.cjs),
 * each with bundled declarations (.d.mts / .d.cts) and source maps (sources inlined: src/ is not
 * published), into dist/. Dependencies stay external (tsdown reads them from package.json).
 * `bins` are extra ESM-only entries (they may use top-level await; they share chunks with the ESM
 * library build); each one's source starts with `#!/usr/bin/env node`, which the build keeps.
 */
export function packageBuild(options: { bins?: Record<string, string> } = {}): UserConfig {
  const library = { index: "src/index.ts" };
  return {
    entry: library,
    format: { esm: { entry: { ...library, ...options.bins } }, cjs: {} },
    platform: "node",
    target: "node20.19",
    fixedExtension: true,
    dts: true,
    sourcemap: true,
    hash: false,
    clean: true,
    logLevel: "warn",
    checks: { legacyCjs: false, pluginTimings: false },
  };
}

export { defineConfig };
