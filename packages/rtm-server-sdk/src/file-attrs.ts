import type { ArgumentIssue, FileOptions } from "@rtmkit/protocol";

/**
 * The attrs of a file send: `{"sign", "filename", "ext"}`, the flat form of RTM's C++ SDK f459 (filename only
 * for a non-empty name; ext = options.fileExtension, else the text after the last "." of the name when it has
 * one), plus `"custom"` only when the caller gives attrs. Written by JSON.stringify, so any name is valid JSON
 * (the reference SDK pastes the name unescaped).
 */
export function fileAttrs(sign: string, options: FileOptions | undefined): string {
  const attrs: Record<string, unknown> = { sign };
  const name = options?.fileName;
  if (name !== undefined && name !== "") attrs.filename = name;
  const ext = options?.fileExtension ?? extensionOf(name);
  if (ext !== undefined) attrs.ext = ext;
  if (options?.attrs !== undefined) attrs.custom = options.attrs;
  return JSON.stringify(attrs);
}

function extensionOf(name: string | undefined): string | undefined {
  const dot = name?.lastIndexOf(".") ?? -1;
  return dot < 0 ? undefined : name!.slice(dot + 1);
}

/** Why the file options are refused (fileName, fileExtension, attrs), or undefined. */
export function fileOptionsIssue(options: FileOptions | undefined): ArgumentIssue | undefined {
  if (options === undefined) return undefined;
  for (const key of ["fileName", "fileExtension"] as const) {
    const value: unknown = options[key];
    if (value !== undefined && typeof value !== "string") return { path: `options.${key}`, message: `expected a string, got ${typeof value}` };
  }
  const attrs: unknown = options.attrs;
  if (attrs === undefined) return undefined;
  if (typeof attrs !== "object" || attrs === null || Array.isArray(attrs)) return { path: "options.attrs", message: "expected an object of strings" };
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value !== "string") return { path: `options.attrs.${key}`, message: `expected a string, got ${typeof value}` };
  }
  return undefined;
}
