// What Linux says about a process and its TCP connections (/proc): the soak benchmark watches the emulator
// from outside, the way an operator would.
import { readFileSync } from "node:fs";

/** Resident memory of a process in KiB (VmRSS of /proc/PID/status); undefined once it has gone. */
export function rssKiB(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match === null ? undefined : Number(match[1]);
}

/** Clock ticks per second of /proc/PID/stat times (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

/** CPU time (user + system) a process has used, in ms; undefined once it has gone. */
export function cpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : undefined;
}

/**
 * Client ports of the connections a server on `serverPort` holds in state ESTABLISHED (/proc/net/tcp and
 * tcp6). A client that never reads does not see the server close its connection, so this asks the kernel
 * on the server's side.
 */
export function establishedClientPorts(serverPort: number): Set<number> {
  const suffix = `:${serverPort.toString(16).toUpperCase().padStart(4, "0")}`;
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, remote, state] = line.trim().split(/\s+/);
      if (state !== "01" || local === undefined || remote === undefined || !local.endsWith(suffix)) continue;
      ports.add(Number.parseInt(remote.slice(remote.lastIndexOf(":") + 1), 16));
    }
  }
  return ports;
}
