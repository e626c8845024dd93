import { api, type ListenerState } from "../api.ts";
import { Empty, Ids, Problem, Time, ViewHeading } from "../components.tsx";
import { useLoad } from "../hooks.ts";

export function ListenersView({ pid }: { pid: number }) {
  const listeners = useLoad(() => api.listeners(pid), [pid]);
  return (
    <section aria-labelledby="view-title" aria-busy={listeners.data === undefined}>
      <ViewHeading actions={<button type="button" onClick={listeners.reload}>Refresh</button>}>Listeners</ViewHeading>
      <p class="muted">Connections that asked for server pushes of this project (setlisten, addlisten), and what each listens to.</p>
      <Problem error={listeners.error} />
      {listeners.data === undefined ? null : listeners.data.length === 0 ? (
        <Empty>No connection listens to this project.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="state">
            <caption class="sr-only">Listening connections</caption>
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Since</th>
                <th scope="col">Groups</th>
                <th scope="col">Rooms</th>
                <th scope="col">Users (P2P)</th>
                <th scope="col">Events</th>
                <th scope="col">Unanswered pushes</th>
              </tr>
            </thead>
            <tbody>
              {listeners.data.map((l) => (
                <ListenerRow key={l.connection} listener={l} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ListenerRow({ listener: l }: { listener: ListenerState }) {
  const all = (on: boolean, ids: string[]) => (on ? <strong>all</strong> : <Ids ids={ids} />);
  return (
    <tr>
      <th scope="row">{l.connection}</th>
      <td>
        <Time ms={l.since} />
      </td>
      <td>{all(l.listens.allGroup, l.listens.gids)}</td>
      <td>{all(l.listens.allRoom, l.listens.rids)}</td>
      <td>{all(l.listens.allP2P, l.listens.uids)}</td>
      <td>{all(l.listens.allEvent, l.listens.events)}</td>
      <td class="num">{l.unansweredPushes}</td>
    </tr>
  );
}
