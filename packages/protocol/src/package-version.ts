import { readFileSync } from "node:fs";

/** The version in the nearest package.json above a module (`from`: its import.meta.url; src/ or a build output), read when asked. */
export function packageVersion(from: string): string {
  for (let dir = new URL(".", from); ; dir = new URL("..", dir)) {
    try {
      return (JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { version: string }).version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dir.pathname === "/") throw error;
    }
  }
}
