import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One built file of the console, held in memory (the three together are some tens of KiB). */
export interface Asset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly type: string;
}

/** The console's browser files by URL path, or why there are none. */
export type ConsoleAssets = { readonly found: true; readonly dir: string; readonly files: ReadonlyMap<string, Asset> } | { readonly found: false; readonly looked: readonly string[] };

const FILES = [
  ["/index.html", "index.html", "text/html; charset=utf-8"],
  ["/app.js", "app.js", "text/javascript; charset=utf-8"],
  ["/app.css", "app.css", "text/css; charset=utf-8"],
] as const;

/**
 * Where `build:console` puts the assets, seen from this module: from the sources (src/console/) that is the
 * package's dist/console/; in the built package (dist/*.mjs or .cjs) it is dist/console/ beside it.
 */
export function assetDirs(): string[] {
  return [new URL("./console/", import.meta.url), new URL("../../dist/console/", import.meta.url)].map((url) => fileURLToPath(url));
}

/** Reads the built assets once, at start; they do not change while the emulator runs. */
export function loadAssets(dirs: readonly string[] = assetDirs()): ConsoleAssets {
  const dir = dirs.find((candidate) => FILES.every(([, file]) => existsSync(candidate + file)));
  if (dir === undefined) return { found: false, looked: dirs };
  return { found: true, dir, files: new Map(FILES.map(([path, file, type]) => [path, { body: new Uint8Array(readFileSync(dir + file)), type }])) };
}
