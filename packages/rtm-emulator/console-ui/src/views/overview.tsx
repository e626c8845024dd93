import { api } from "../api.ts";
import { Empty, Problem, Time, ViewHeading } from "../components.tsx";
import { useLoad, useVisibleInterval } from "../hooks.ts";

const rate = (n: number) => `${n.toFixed(1)}/s`;

/** The project at a glance, refreshed every second while the page is visible. */
export function OverviewView({ pid }: { pid: number }) {
  const overview = useLoad(() => api.overview(pid), [pid]);
  useVisibleInterval(overview.reload, 1000);
  const o = overview.data;
  return (
    <section aria-labelledby="view-title" aria-busy={overview.data === undefined}>
      <ViewHeading>Overview of project {pid}</ViewHeading>
      <Problem error={overview.error} />
      {o === undefined ? null : (
        <>
          <ul class="cards" aria-label="Figures">
            <Card label="Connections" value={String(o.connections)} detail={`${o.listeners} listening`} />
            <Card label="Calls" value={rate(o.calls.perSecond)} detail={`${o.calls.total} in all`} />
            <Card label="Error answers" value={rate(o.errors.perSecond)} detail={`${o.errors.total} in all`} bad={o.errors.perSecond > 0} />
            <Card label="Pushes" value={rate(o.pushes.perSecond)} detail={`${o.pushes.total} in all, ${o.pushes.dropped} dropped`} bad={o.pushes.dropped > 0} />
          </ul>
          <h3>Recent errors</h3>
          {o.recentErrors.length === 0 ? (
            <Empty>No error answers.</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="sr-only">The last error answers, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Method</th>
                    <th scope="col">User</th>
                    <th scope="col">Code</th>
                    <th scope="col">Message</th>
                    <th scope="col">Connection</th>
                  </tr>
                </thead>
                <tbody>
                  {o.recentErrors.map((e) => (
                    <tr key={e.seq}>
                      <td>
                        <Time ms={e.at} />
                      </td>
                      <td>{e.method}</td>
                      <td>{e.uid ?? ""}</td>
                      <td>{e.error?.code ?? ""}</td>
                      <td class="wrap">{e.error?.message ?? ""}</td>
                      <td>{e.connection}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Card({ label, value, detail, bad = false }: { label: string; value: string; detail: string; bad?: boolean }) {
  return (
    <li class={`card${bad ? " bad" : ""}`}>
      <span class="card-label">{label}</span>
      <span class="card-value">{value}</span>
      <span class="card-detail">{detail}</span>
    </li>
  );
}
