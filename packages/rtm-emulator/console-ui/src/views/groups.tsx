import { api, type GroupState } from "../api.ts";
import { Empty, Ids, Info, Problem, Time, ViewHeading } from "../components.tsx";
import { useLoad } from "../hooks.ts";

interface Place {
  readonly id: string;
  readonly members: string[];
  readonly bans: GroupState["bans"];
  readonly info: GroupState["info"];
}

export function GroupsView({ pid }: { pid: number }) {
  const groups = useLoad(() => api.groups(pid).then((list) => list.map((g): Place => ({ ...g, id: g.gid }))), [pid]);
  return <Places title="Groups" noun="group" loaded={groups} />;
}

export function RoomsView({ pid }: { pid: number }) {
  const rooms = useLoad(() => api.rooms(pid).then((list) => list.map((r): Place => ({ ...r, id: r.rid }))), [pid]);
  return <Places title="Rooms" noun="room" loaded={rooms} />;
}

function Places({ title, noun, loaded }: { title: string; noun: string; loaded: { data: Place[] | undefined; error: string | undefined; reload(): void } }) {
  return (
    <section aria-labelledby="view-title" aria-busy={loaded.data === undefined}>
      <ViewHeading actions={<button type="button" onClick={loaded.reload}>Refresh</button>}>{title}</ViewHeading>
      <Problem error={loaded.error} />
      {loaded.data === undefined ? null : loaded.data.length === 0 ? (
        <Empty>No {noun} yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="state">
            <caption class="sr-only">{title}, by id</caption>
            <thead>
              <tr>
                <th scope="col">{noun === "group" ? "Group" : "Room"}</th>
                <th scope="col">Members</th>
                <th scope="col">Bans</th>
                <th scope="col">Info</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.map((p) => (
                <tr key={p.id}>
                  <th scope="row">{p.id}</th>
                  <td>
                    <Ids ids={p.members} />
                  </td>
                  <td>
                    {p.bans.length === 0 ? (
                      <span class="muted">none</span>
                    ) : (
                      <ul class="plain">
                        {p.bans.map((b) => (
                          <li key={b.uid}>
                            {b.uid} until <Time ms={b.until} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    <Info info={p.info} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
