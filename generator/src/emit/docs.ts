import type { IdlModel, MethodModel, ServiceModel } from "../idl/model.js";
import { formatType } from "../idl/type-expr.js";
import { generatedHeader } from "./source-file.js";

const cell = (s: string): string => s.replaceAll("|", "\\|").replaceAll("\n", " ");

function signature(m: MethodModel): string {
  return `${m.name}(${[...m.params.map((p) => `${p.name}${p.optional ? "?" : ""}`), "options?"].join(", ")})`;
}

function resultOf(m: MethodModel): string {
  if (m.result !== undefined) return m.result;
  const fields = [...m.answer.map((a) => a.name), ...m.filled.filter((f) => f.returned).map((f) => f.wire)];
  return fields.length === 0 ? "void" : `{ ${fields.join(", ")} }`;
}

const authText = {
  signed: "signed (the client adds pid, sign, salt, ts)",
  none: "none",
  fileToken: "file gate (the client first asks `filetoken` on the gateway, then sends the quest unsigned to the gate it names, with pid, the token and attrs holding the file's sign)",
} as const;

/** The pushes of a service: the quests, their keys, and the events they raise. */
function pushDocs(s: ServiceModel): string[] {
  const out = [`### Pushes of \`${s.name}\``, "", "Quests the server sends; the client answers each with an empty map at once, then raises its event.", ""];
  if (s.messageKinds.length > 0) {
    out.push("A message push raises `<conversation><Kind>`, its kind by mtype:", "");
    for (const k of s.messageKinds) out.push(`- \`${k.name}\`: ${k.mtypes.length > 0 ? `mtype ${k.mtypes.join(", ")}` : "any other mtype"}${k.hook ? ` (through the \`${k.hook}\` hook)` : ""}${k.doc ? ` — ${k.doc}` : ""}`);
    out.push("");
  }
  out.push("| push | keys | raises | handlers get | description |", "|---|---|---|---|---|");
  for (const m of s.pushes) {
    const push = m.push;
    const raises = push === undefined ? "" : "event" in push ? `\`${push.event}\`` : `\`${push.conversation}${push.kind === undefined ? "<Kind>" : push.kind[0]!.toUpperCase() + push.kind.slice(1)}\``;
    const keys = m.params.map((p) => `\`${p.wire}\` ${formatType(p.type)}${p.optional ? "?" : ""}`).join(", ");
    out.push(`| \`${m.fpnn}\` | ${cell(keys)} | ${raises} | \`${m.result ?? "void"}\` | ${cell(m.doc)} |`);
  }
  out.push("");
  return out;
}

/** The Markdown API reference: services and methods, types, and every error code. */
export function emitDocs(model: IdlModel): string {
  const out: string[] = [generatedHeader(model.sources, "<!--") + " -->", "", "# RTM API reference", ""];
  for (const s of model.services) {
    out.push(`## Service \`${s.name}\``, "", s.doc, "", `Auth: ${authText[s.auth]}. Source: \`${s.file}\`.`, "");
    out.push("| method | FPNN | fixed | result | description |", "|---|---|---|---|---|");
    for (const m of s.methods) {
      const fixed = m.fixed.map((x) => `${x.wire}=${JSON.stringify(x.value)}`).join(", ");
      out.push(`| \`${cell(signature(m))}\` | \`${m.fpnn}\` | ${cell(fixed)} | \`${cell(resultOf(m))}\` | ${cell(m.doc)} |`);
    }
    out.push("");
    for (const m of s.methods.filter((x) => x.base === undefined)) {
      const variants = s.methods.filter((x) => x.base === m.name).map((x) => `\`${x.name}\``);
      out.push(`### ${m.name} — \`${m.fpnn}\``, "", m.doc, "");
      if (variants.length > 0) out.push(`Variants: ${variants.join(", ")} (same call with fixed fields).`, "");
      out.push("| parameter | wire key | type | description |", "|---|---|---|---|");
      for (const p of m.params) out.push(`| \`${p.name}\`${p.optional ? " (optional)" : ""} | \`${p.wire}\` | \`${cell(formatType(p.type))}\` | ${cell(p.doc)}${p.max !== undefined ? ` (max ${p.max})` : ""} |`);
      for (const f of m.filled) out.push(`| ${f.option ? `options.\`${f.option}\`` : "—"} | \`${f.wire}\` | \`${cell(formatType(f.type))}\` | ${cell(f.doc)} (filled in by the client) |`);
      out.push("", `Answer: ${m.answer.length === 0 ? "`{}`" : m.answer.map((a) => `\`${a.wire}\` → \`${a.name}\` (\`${cell(formatType(a.type))}\`)`).join(", ")}.`);
      out.push(`Result: \`${cell(resultOf(m))}\`${m.hook ? ` (after the \`${m.hook.name}\` hook)` : ""}.`, "");
    }
    if (s.pushes.length > 0) out.push(...pushDocs(s));
  }
  out.push("## Types", "");
  for (const e of model.enums) out.push(`### enum ${e.name} (${e.base})`, "", e.doc, "", ...e.values.map((v) => `- \`${v.name}\` = ${v.value}${v.doc ? ` — ${v.doc}` : ""}`), "");
  for (const st of model.structs) {
    out.push(`### ${st.name}`, "", st.doc, "", "| field | type | description |", "|---|---|---|");
    for (const f of st.fields) out.push(`| \`${f.name}\`${f.optional ? " (optional)" : ""} | \`${cell(formatType(f.type))}\` | ${cell(f.doc)} |`);
    out.push("");
  }
  for (const r of model.records) {
    out.push(`### record ${r.name}`, "", r.doc, "", "| # | field | type | description |", "|---|---|---|---|");
    r.fields.forEach((f, i) => out.push(`| ${i} | \`${f.name}\` | \`${cell(formatType(f.type))}\` | ${cell(f.doc)} |`));
    out.push("");
  }
  out.push("## Error codes", "");
  for (const g of model.errors) {
    out.push(`### ${g.constName}`, "", g.doc, "", "| code | name | constant | description |", "|---|---|---|---|");
    for (const c of g.codes) out.push(`| ${c.code} | \`${c.name}\` | \`${g.constName}.${c.pascal}\` | ${cell(c.doc)} |`);
    out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
