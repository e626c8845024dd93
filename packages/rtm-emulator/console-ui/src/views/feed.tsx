import { useEffect, useRef, useState } from "preact/hooks";
import type { TrafficEvent } from "../api.ts";
import { Field, formatTime, ViewHeading } from "../components.tsx";

/** Rows kept on the page; older ones fall off. */
const MAX_ROWS = 500;
/** Events from before the page opened (or before a resume), from the emulator's ring. */
const BACKLOG = 100;
/** Incoming events are drawn at most this often, not one render per event. */
const DRAW_MS = 200;

interface Filters {
  readonly method: string;
  readonly uid: string;
  readonly errorsOnly: boolean;
  readonly thisProject: boolean;
}

type Status = "connecting" | "live" | "paused" | "reconnecting";

const STATUS_TEXT: Record<Status, string> = {
  connecting: "Connecting to the feed...",
  live: "Live: new events appear at the top.",
  paused: "Paused: no new events are shown. Resume to catch up.",
  reconnecting: "Connection lost; reconnecting...",
};

/** Quests, answers and pushes as they happen (GET /api/feed, Server-Sent Events), filtered, pausable. */
export function FeedView({ pid }: { pid: number }) {
  const [filters, setFilters] = useState<Filters>({ method: "", uid: "", errorsOnly: false, thisProject: false });
  const [applied, setApplied] = useState(filters);
  const [paused, setPaused] = useState(false);
  const [status, setStatus] = useState<Status>("connecting");
  const [rows, setRows] = useState<TrafficEvent[]>([]);
  const [skipped, setSkipped] = useState({ count: 0, exact: true });
  const incoming = useRef<TrafficEvent[]>([]);
  const lastSeq = useRef(0);

  // Typing in a filter reconnects once the typing stops.
  useEffect(() => {
    const timer = window.setTimeout(() => setApplied(filters), 300);
    return () => window.clearTimeout(timer);
  }, [filters]);

  useEffect(() => {
    if (paused) {
      setStatus("paused");
      return;
    }
    const query = new URLSearchParams({ recent: String(BACKLOG) });
    if (applied.method.trim() !== "") query.set("method", applied.method.trim());
    if (applied.uid.trim() !== "") query.set("uid", applied.uid.trim());
    if (applied.errorsOnly) query.set("errors", "1");
    if (applied.thisProject) query.set("pid", String(pid));
    setStatus("connecting");
    const source = new EventSource(`/api/feed?${query}`);
    source.onopen = () => setStatus("live");
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? "paused" : "reconnecting");
    source.addEventListener("traffic", (e) => {
      const event = JSON.parse((e as MessageEvent<string>).data) as TrafficEvent;
      if (event.seq <= lastSeq.current) return;
      lastSeq.current = event.seq;
      incoming.current.push(event);
    });
    source.addEventListener("skipped", (e) => {
      const told = JSON.parse((e as MessageEvent<string>).data) as { skipped: number; exact: boolean };
      setSkipped((s) => ({ count: s.count + told.skipped, exact: s.exact && told.exact }));
    });
    const draw = window.setInterval(() => {
      if (incoming.current.length === 0) return;
      const fresh = incoming.current.reverse();
      incoming.current = [];
      setRows((old) => [...fresh, ...old].slice(0, MAX_ROWS));
    }, DRAW_MS);
    return () => {
      source.close();
      window.clearInterval(draw);
    };
  }, [applied, paused, pid]);

  const changeFilters = (change: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...change }));
    // A new filter shows its own events: start over.
    setRows([]);
    lastSeq.current = 0;
  };

  return (
    <section aria-labelledby="view-title">
      <ViewHeading
        actions={
          <>
            <button type="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
              {paused ? "Resume" : "Pause"}
            </button>
            <button type="button" onClick={() => setRows([])}>
              Clear
            </button>
          </>
        }
      >
        Live feed
      </ViewHeading>
      <form class="filters" role="search" aria-label="Feed filters" onSubmit={(e) => e.preventDefault()}>
        <Field id="feed-method" label="Method contains">
          <input id="feed-method" name="method" value={filters.method} onInput={(e) => changeFilters({ method: e.currentTarget.value })} />
        </Field>
        <Field id="feed-uid" label="User id">
          <input id="feed-uid" name="uid" inputMode="numeric" value={filters.uid} onInput={(e) => changeFilters({ uid: e.currentTarget.value })} />
        </Field>
        <label class="check">
          <input type="checkbox" name="errors" checked={filters.errorsOnly} onChange={(e) => changeFilters({ errorsOnly: e.currentTarget.checked })} />
          Errors only
        </label>
        <label class="check">
          <input type="checkbox" name="thisProject" checked={filters.thisProject} onChange={(e) => changeFilters({ thisProject: e.currentTarget.checked })} />
          Project {pid} only
        </label>
      </form>
      <p class="feed-status" role="status" aria-live="polite">
        {STATUS_TEXT[status]}
        {!skipped.exact
          ? " More than 2,000 events a second came: the feed shows the first 2,000 of each second."
          : skipped.count > 0
            ? ` ${skipped.count} events were not shown: the feed shows at most 2,000 a second.`
            : ""}
      </p>
      <p class="muted">
        {rows.length} event{rows.length === 1 ? "" : "s"} shown (at most {MAX_ROWS}).
      </p>
      <div class="table-wrap feed">
        <table>
          <caption class="sr-only">Traffic, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Project</th>
              <th scope="col">Method</th>
              <th scope="col">User</th>
              <th scope="col">Latency</th>
              <th scope="col">Error</th>
              <th scope="col">Connection</th>
              <th scope="col">Keys</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq} class={e.error === null ? undefined : "error-row"}>
                <td class="nowrap">{formatTime(e.at).slice(11)}</td>
                <td>
                  <span class={`kind kind-${e.kind}`}>{e.kind}</span>
                </td>
                <td>{e.pid ?? ""}</td>
                <td>{e.method}</td>
                <td>{e.uid ?? ""}</td>
                <td class="num">{e.latencyMs === null ? "" : `${e.latencyMs.toFixed(1)} ms`}</td>
                <td>{e.error === null ? "" : `${e.error.code}: ${e.error.message}`}</td>
                <td class="nowrap">{e.connection}</td>
                <td class="code summary">{e.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
