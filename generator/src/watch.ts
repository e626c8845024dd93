import { readdirSync, watch, type FSWatcher } from "node:fs";
import { join, sep } from "node:path";
import type { GenConfig } from "./config.js";

export interface IdlWatchOptions {
  /** Quiet time after the last file event before `onChange` runs: a burst of events (an editor's save, a checkout) runs it once. */
  debounceMs?: number;
  /**
   * Watching the IDL folder failed after the start (e.g. it was removed); the watch is closed and `onChange` will
   * not run again. A folder that cannot be watched at the start makes watchIdl throw instead.
   */
  onError?: (error: Error) => void;
}

export interface IdlWatch {
  /** Stops watching and drops a pending run. Idempotent. */
  close(): void;
}

/**
 * Calls `onChange` once per burst of changes under the IDL folder. Events for the generator's own outputs
 * (the JSON Schema lives in idl/) and for files the IDL loader never reads are ignored, so a run that writes
 * into the folder does not trigger another one.
 *
 * Each folder gets its own non-recursive watch (kept in step as folders come and go) rather than one
 * `recursive: true` watch: on Linux, Node 20 emulates that one per file and loses a file once an editor
 * saves it by renaming a new copy over it (vim, sed -i, most atomic saves), while a folder's watch sees
 * every entry it holds, whatever its inode.
 */
export function watchIdl(config: GenConfig, onChange: () => void, options: IdlWatchOptions = {}): IdlWatch {
  const debounceMs = options.debounceMs ?? 100;
  const outputs = Object.values(config.out).filter((p): p is string => p !== undefined);
  const isOutput = (path: string): boolean => outputs.some((out) => path === out || path.startsWith(out + sep));
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let started = false;

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };
  const fail = (error: Error): void => {
    if (closed) return;
    close();
    if (!started) throw error; // the IDL folder cannot be watched at all: watchIdl throws
    options.onError?.(error);
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      sync();
      if (!closed) onChange();
    }, debounceMs);
  };
  const onEvent = (dir: string, event: string, filename: string | null): void => {
    if (closed) return;
    if (filename === null) return schedule();
    const path = join(dir, filename);
    if (isOutput(path)) return;
    if (event === "rename") sync(); // a folder may have come or gone
    if (readByLoader(filename)) schedule();
  };
  /** Watches every folder of the tree (outputs excluded) and drops the watches of folders that are gone. */
  const sync = (): void => {
    const dirs = new Set<string>();
    const walk = (dir: string): void => {
      dirs.add(dir);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if (dir === config.idl) throw error;
        return; // removed while we looked: the next event resyncs
      }
      for (const e of entries) if (e.isDirectory() && !isOutput(join(dir, e.name))) walk(join(dir, e.name));
    };
    try {
      walk(config.idl);
    } catch (error) {
      return fail(error as Error);
    }
    for (const [dir, w] of watchers) {
      if (dirs.has(dir)) continue;
      w.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, (event, filename) => onEvent(dir, event, filename));
        w.on("error", (error) => (dir === config.idl ? fail(error) : (w.close(), watchers.delete(dir))));
        watchers.set(dir, w);
      } catch (error) {
        if (dir === config.idl) return fail(error as Error);
      }
    }
  };

  sync();
  started = true;
  return { close };
}

/** The loader reads `*.yaml` files in the IDL folder and its namespace folders; a name without a dot may be such a folder. */
function readByLoader(filename: string): boolean {
  return filename.endsWith(".yaml") || !filename.includes(".");
}
