// The soak benchmark's final report; returns whether the run failed.
import { RtmErrorCode } from "@rtmkit/rtm-server-sdk";
import { percentiles } from "../emulator/stats.js";
import type { Exit, LogSummary, Stopped } from "./emulator-cli.js";
import { HOSTILE_DESCRIPTIONS, HOSTILE_KINDS, type HostilePeers } from "./hostile.js";
import type { LedgerCheck } from "./ledger.js";
import { summariseRss } from "./memory.js";
import { CALL_KINDS, CALL_MIX, type Traffic } from "./traffic.js";

export interface SoakResult {
  readonly seconds: number;
  readonly rate: number;
  readonly connections: number;
  readonly traffic: Traffic;
  /** Calls still unanswered when the run gave up waiting for them. */
  readonly unsettled: number;
  readonly hostile: HostilePeers;
  readonly rssKiB: readonly number[];
  /** Acknowledged sends and conversations at the end of each full minute. */
  readonly byMinute: readonly { sends: number; conversations: number }[];
  readonly emulatorCpuMs: number;
  readonly benchCpuMs: number;
  /** Event-loop delay of the benchmark process over the run. */
  readonly benchLoopDelayMs: { p99: number; max: number };
  /** The machine's load average when the run ended. */
  readonly loadAverage: readonly number[];
  readonly crash: Exit | undefined;
  readonly crashAtS: number | undefined;
  readonly stop: Stopped;
  readonly log: LogSummary;
  readonly check: LedgerCheck | undefined;
  readonly checkError: unknown;
  /** Acknowledged deletes. */
  readonly deletes: number;
  readonly dbBytes: number;
}

const n = (value: number) => Math.round(value).toLocaleString("en-US");
const ms = (value: number) => (Number.isNaN(value) ? "-" : value < 10 ? value.toFixed(2) : value.toFixed(0));

export function printReport(r: SoakResult): boolean {
  const problems: string[] = [];
  const out = (line = "") => console.log(line);

  out("\n== Emulator memory (RSS, MiB, sampled every second)");
  const rss = summariseRss(r.rssKiB);
  out(`max per minute: ${rss.perMinuteMax.map((m) => m.toFixed(0)).join(" ")}`);
  if (rss.afterWarmUp !== undefined) out(`after the first minute: min ${rss.afterWarmUp.min.toFixed(0)}, max ${rss.afterWarmUp.max.toFixed(0)}`);
  if (rss.growth === undefined) {
    out("growth: - (needs 3 minutes or more)");
  } else {
    const minute2 = r.byMinute[1] ?? { sends: 0, conversations: 0 };
    out(
      `growth, max of minute 2 to max of the last minute: ${rss.growth >= 0 ? "+" : ""}${rss.growth.toFixed(1)} MiB, while ${n(r.traffic.ledger.length - minute2.sends)} ` +
        `more messages were stored in ${n(r.traffic.conversations - minute2.conversations)} new conversations (the emulator holds each conversation's history order in memory)`,
    );
  }

  out(`\n== Calls (${r.connections} SDK connections, target ${n(r.rate)}/s, ${r.seconds.toFixed(1)} s)`);
  out("| call | share | calls/s | p50 ms | p99 ms | max ms | calls |");
  out("|---|---:|---:|---:|---:|---:|---:|");
  let total = 0;
  for (const kind of CALL_KINDS) {
    const stats = r.traffic.kinds.get(kind)!;
    const p = stats.latency.percentiles();
    total += stats.done;
    out(`| ${kind} | ${CALL_MIX[kind]}% | ${n(stats.done / r.seconds)} | ${ms(p.p50)} | ${ms(p.p99)} | ${ms(p.max)} | ${n(stats.done)} |`);
  }
  out(`| all | | ${n(total / r.seconds)} | | | | ${n(total)} |`);
  out(
    `not made: ${n(r.traffic.skippedBehind)} (scheduler behind), ${n(r.traffic.skippedBacklog)} (every connection at 64 in flight); ` +
      `unanswered at the end: ${r.unsettled}; well-behaved connections dropped: ${r.traffic.connectionsLost}`,
  );
  out(`CPU, average over the run: emulator ${pct(r.emulatorCpuMs, r.seconds)} of one core, this benchmark process ${pct(r.benchCpuMs, r.seconds)}`);
  out(
    `event-loop delay of this benchmark process (in every latency above): p99 ${ms(r.benchLoopDelayMs.p99)} ms, max ${ms(r.benchLoopDelayMs.max)} ms; ` +
      `machine load average at the end ${r.loadAverage.map((l) => l.toFixed(2)).join(" ")}`,
  );
  if (r.traffic.connectionsLost > 0) problems.push(`${r.traffic.connectionsLost} well-behaved connection(s) dropped`);
  if (r.unsettled > 0) problems.push(`${r.unsettled} call(s) never answered`);

  out("\n== Outcomes other than success");
  const outcomes = [...r.traffic.outcomes.values()].sort((a, b) => Number(a.expected) - Number(b.expected) || b.count - a.count);
  if (outcomes.length === 0) out("none");
  let unexpected = 0;
  for (const o of outcomes) {
    out(`${o.expected ? "expected  " : "UNEXPECTED"} ${String(o.code).padEnd(22)} ${n(o.count).padStart(9)}  (${[...o.methods].join(", ")}) e.g. ${o.example}`);
    if (!o.expected) unexpected += o.count;
  }
  out(`expected: ${RtmErrorCode.MessageNotFound} (message not found) for a getChat or deleteChat of a message whose delete was acknowledged, or is in flight`);
  if (unexpected > 0) problems.push(`${n(unexpected)} unexpected outcome(s)`);

  out("\n== Misbehaving connections (server closes: seconds after connecting)");
  out("| kind | opened | closed by server | min s | p50 s | max s | overdue | replaced | open at end | variants |");
  out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  let overdue = 0;
  for (const kind of HOSTILE_KINDS) {
    const s = r.hostile.stats.get(kind)!;
    const close = percentiles(s.closeMs.slice());
    const min = s.closeMs.length === 0 ? Number.NaN : Math.min(...s.closeMs);
    const variants = [...s.variants].map(([name, count]) => `${name} ${count}`).join(", ");
    out(`| ${kind} | ${s.opened} | ${s.closedByServer} | ${sec(min)} | ${sec(close.p50)} | ${sec(close.max)} | ${s.overdue} | ${s.replaced} | ${s.openAtEnd} | ${variants} |`);
    overdue += s.overdue;
    if (s.connectFailed > 0) out(`  ${kind}: ${s.connectFailed} connect(s) failed`);
  }
  for (const kind of HOSTILE_KINDS) out(`  ${kind}: ${HOSTILE_DESCRIPTIONS[kind]}`);
  if (overdue > 0) problems.push(`${overdue} misbehaving connection(s) not closed by the server within their limit + 10 s + a quarter of it`);

  out("\n== Emulator process");
  if (r.crash === undefined) {
    out("alive through the run: yes (0 crashes)");
  } else {
    out(`CRASHED at ${r.crashAtS?.toFixed(1)} s: exit ${r.crash.code ?? r.crash.signal}`);
    problems.push("the emulator crashed");
  }
  const stopped = r.stop.exit;
  if (!r.stop.signalled) out("SIGTERM: not sent, the process had exited");
  else out(`SIGTERM: ${r.stop.killed ? "did not exit within 15 s, killed" : `exited in ${r.stop.ms.toFixed(0)} ms`} with ${stopped.code ?? stopped.signal}`);
  if (r.crash === undefined && (r.stop.killed || stopped.code !== 0)) problems.push("the emulator did not stop cleanly on SIGTERM");
  const levels = [...r.log.byLevel].map(([level, count]) => `${level} ${n(count)}`).join(", ");
  out(`log: ${n(r.log.lines)} lines, ${(r.log.bytes / 2 ** 20).toFixed(1)} MiB (${levels})`);
  for (const line of r.log.notable) out(`  ${line}`);
  const errors = r.log.byLevel.get("ERROR") ?? 0;
  if (errors > 0) problems.push(`${errors} ERROR line(s) in the emulator's log`);
  if (r.crash !== undefined) for (const line of r.log.tail) out(`  tail: ${line}`);

  out("\n== Acknowledged messages");
  const c = r.check;
  if (c === undefined) {
    out(`not checked: ${(r.checkError as Error)?.message ?? String(r.checkError)}`);
    problems.push("the database could not be checked");
  } else {
    out(
      `${n(c.checked)} acknowledged sends (${n(r.deletes)} of them deleted, acknowledged), each looked up in the database file ` +
        `once the emulator had stopped (read-only, by its identity): lost ${c.lost}, acknowledged deletes not stored ${c.deletesLost}, deleted without a delete ${c.deletedUnasked}`,
    );
    out(`deletes sent but not acknowledged (either state is right): ${c.deletesUnsettled}; rows in the file: ${n(c.rows)}; file ${(r.dbBytes / 2 ** 20).toFixed(0)} MiB`);
    for (const example of c.examples) out(`  ${example}`);
    if (c.lost > 0) problems.push(`${c.lost} acknowledged message(s) lost`);
    if (c.deletesLost > 0) problems.push(`${c.deletesLost} acknowledged delete(s) not stored`);
    if (c.deletedUnasked > 0) problems.push(`${c.deletedUnasked} message(s) deleted without a delete`);
  }

  out(`\n== ${problems.length === 0 ? "PASS" : `FAIL: ${problems.join("; ")}`}`);
  return problems.length > 0;
}

function pct(cpuMs: number, seconds: number): string {
  return `${((cpuMs / (seconds * 1000)) * 100).toFixed(0)}%`;
}

function sec(valueMs: number): string {
  return Number.isNaN(valueMs) ? "-" : (valueMs / 1000).toFixed(valueMs < 10_000 ? 2 : 1);
}
