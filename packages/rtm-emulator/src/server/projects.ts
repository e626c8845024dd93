/** One project the emulator serves. */
export interface ProjectCredentials {
  readonly pid: number;
  readonly secret: string;
}

/** Projects as a list, a `{ [pid]: secret }` record, or a pid -> secret map. */
export type ProjectsOption = readonly ProjectCredentials[] | Readonly<Record<string, string>> | ReadonlyMap<number, string>;

const INT32_MAX = 0x7fffffff;

/** Normalises and checks the projects option: at least one, pids positive int32, secrets non-empty, no pid twice. */
export function projectMap(option: ProjectsOption): Map<number, string> {
  const entries: [unknown, unknown][] =
    option instanceof Map
      ? [...option.entries()]
      : Array.isArray(option)
        ? (option as readonly ProjectCredentials[]).map((p) => [p?.pid, p?.secret])
        : typeof option === "object" && option !== null
          ? Object.entries(option).map(([pid, secret]) => [/^\d+$/.test(pid) ? Number(pid) : pid, secret])
          : [];
  if (entries.length === 0) throw new TypeError("projects: expected at least one { pid, secret }");
  const projects = new Map<number, string>();
  for (const [pid, secret] of entries) {
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid < 1 || pid > INT32_MAX) {
      throw new TypeError(`projects: pid must be an integer in 1..${INT32_MAX}, got ${String(pid)}`);
    }
    if (typeof secret !== "string" || secret === "") throw new TypeError(`projects: the secret of pid ${pid} must be a non-empty string`);
    if (projects.has(pid)) throw new TypeError(`projects: pid ${pid} is given twice`);
    projects.set(pid, secret);
  }
  return projects;
}
