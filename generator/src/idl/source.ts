import { readFileSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import type { IdlProblem } from "./errors.js";

export type PathSegment = string | number;

/** A parsed YAML file that can tell the line of any path inside it. */
export class IdlSource {
  readonly data: unknown;
  readonly problems: IdlProblem[] = [];
  readonly #doc: Document;
  readonly #lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true });
    for (const e of [...this.#doc.errors, ...this.#doc.warnings]) {
      this.problems.push({ file, line: this.#lineOf(e.pos[0]), path: "", message: e.message.split("\n")[0] ?? e.code });
    }
    this.data = this.problems.length === 0 ? this.#doc.toJS({ maxAliasCount: 1000 }) : undefined;
  }

  static read(path: string, displayName: string): IdlSource {
    return new IdlSource(displayName, readFileSync(path, "utf8"));
  }

  /** Validates the whole file against a meta-schema; records problems and returns the typed data (or undefined). */
  validate<T>(schema: z.ZodType<T>): T | undefined {
    if (this.problems.length > 0) return undefined;
    const result = schema.safeParse(this.data);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) this.report([...path, key], `unknown key "${key}"`, true);
      } else {
        this.report(path, issue.message);
      }
    }
    return undefined;
  }

  report(path: readonly PathSegment[], message: string, atKey = false): void {
    this.problems.push({ file: this.file, line: this.lineAt(path, atKey), path: formatPath(path), message });
  }

  /** Line of the deepest existing node on the path (of the key itself when atKey). */
  lineAt(path: readonly PathSegment[], atKey = false): number {
    let node: unknown = this.#doc.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        const last = i === path.length - 1;
        if (last && atKey && keyNode?.range) return this.#lineOf(keyNode.range[0]);
        node = pair.value;
        offset = (node as Node | null)?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (!item) break;
        node = item;
        offset = (item as Node).range?.[0] ?? offset;
      } else {
        break;
      }
      if (isAlias(node)) node = node.resolve(this.#doc);
    }
    return this.#lineOf(offset);
  }

  #lineOf(offset: number): number {
    return this.#lines.linePos(offset).line;
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}
