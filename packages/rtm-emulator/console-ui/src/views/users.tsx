import { useState } from "preact/hooks";
import { api, type SendRequest, type UserState } from "../api.ts";
import { Empty, Field, Ids, Info, Outcome, Pairs, Problem, Time, ViewHeading } from "../components.tsx";
import { useAction, useLoad } from "../hooks.ts";

/** Users of the project (every uid its tables or presence mention), and what a simulated end user can do. */
export function UsersView({ pid }: { pid: number }) {
  const users = useLoad(() => api.users(pid), [pid]);
  const action = useAction();
  const presence = (uid: string, online: boolean) =>
    action.run(online ? "Log in" : "Log out", async () => {
      await (online ? api.login(pid, uid) : api.logout(pid, uid));
      users.reload();
      return `User ${uid} logged ${online ? "in" : "out"}.`;
    });
  return (
    <section aria-labelledby="view-title" aria-busy={users.data === undefined}>
      <ViewHeading actions={<button type="button" onClick={users.reload}>Refresh</button>}>Users</ViewHeading>
      <Outcome outcome={action.outcome} />
      <Problem error={users.error} />
      {users.data === undefined ? null : users.data.length === 0 ? (
        <Empty>No user yet: nothing of this project mentions one.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="state">
            <caption class="sr-only">Users, by uid</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Presence</th>
                <th scope="col">Info</th>
                <th scope="col">Data</th>
                <th scope="col">Friends</th>
                <th scope="col">Blacklist</th>
                <th scope="col">Token</th>
                <th scope="col">Devices</th>
                <th scope="col">Project black until</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <UserRow key={u.uid} user={u} busy={action.busy} onPresence={presence} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <SimulatedUser pid={pid} onDone={users.reload} />
    </section>
  );
}

function UserRow({ user: u, busy, onPresence }: { user: UserState; busy: boolean; onPresence(uid: string, online: boolean): void }) {
  return (
    <tr>
      <th scope="row">{u.uid}</th>
      <td class="nowrap">
        <span class={u.online ? "badge on" : "badge"}>{u.online ? "online" : "offline"}</span>{" "}
        <button type="button" class="small" disabled={busy} onClick={() => onPresence(u.uid, !u.online)} aria-label={`${u.online ? "Log out" : "Log in"} user ${u.uid}`}>
          {u.online ? "Log out" : "Log in"}
        </button>
      </td>
      <td>
        <Info info={u.info} />
      </td>
      <td>
        <Pairs data={u.data} />
      </td>
      <td>
        <Ids ids={u.friends} />
      </td>
      <td>
        <Ids ids={u.blacks} />
      </td>
      <td>{u.token ? "yes" : <span class="muted">no</span>}</td>
      <td>{u.devices.length === 0 ? <span class="muted">none</span> : u.devices.map((d) => <div key={`${d.appType}:${d.deviceToken}`}>{`${d.appType}: ${d.deviceToken}`}</div>)}</td>
      <td>{u.projectBlackUntil === null ? <span class="muted">no</span> : <Time ms={u.projectBlackUntil} />}</td>
    </tr>
  );
}

type TargetKind = "to" | "gid" | "rid";

/** Acts as an end user of the project: sends a message (stored and pushed to listeners), logs in or out (pushevent). */
function SimulatedUser({ pid, onDone }: { pid: number; onDone(): void }) {
  const [from, setFrom] = useState("");
  const [targetKind, setTargetKind] = useState<TargetKind>("to");
  const [target, setTarget] = useState("");
  const [mtype, setMtype] = useState("30");
  const [message, setMessage] = useState("");
  const [attrs, setAttrs] = useState("");
  const [uid, setUid] = useState("");
  const send = useAction();
  const presence = useAction();

  const onSend = (e: Event) => {
    e.preventDefault();
    void send.run("Send", async () => {
      const request: SendRequest = { from: from.trim(), [targetKind]: target.trim(), mtype: Number(mtype), message, attrs };
      const sent = await api.send(pid, request);
      onDone();
      setMessage("");
      return `Sent: mid ${sent.mid}.`;
    });
  };
  const onPresence = (online: boolean) =>
    void presence.run(online ? "Log in" : "Log out", async () => {
      await (online ? api.login(pid, uid.trim()) : api.logout(pid, uid.trim()));
      onDone();
      return `User ${uid.trim()} logged ${online ? "in" : "out"}.`;
    });

  return (
    <div class="panels">
      <form class="panel" onSubmit={onSend} aria-labelledby="send-title">
        <h3 id="send-title">Send as a user</h3>
        <p class="muted">Stored as the server API's send would store it, and pushed to the connections that listen.</p>
        <div class="fields">
          <Field id="send-from" label="From user">
            <input id="send-from" name="from" inputMode="numeric" required pattern="-?[0-9]+" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </Field>
          <Field id="send-kind" label="To">
            <select id="send-kind" name="targetKind" value={targetKind} onChange={(e) => setTargetKind(e.currentTarget.value as TargetKind)}>
              <option value="to">user</option>
              <option value="gid">group</option>
              <option value="rid">room</option>
            </select>
          </Field>
          <Field id="send-target" label={targetKind === "to" ? "User id" : targetKind === "gid" ? "Group id" : "Room id"}>
            <input id="send-target" name="target" inputMode="numeric" required pattern="-?[0-9]+" value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
          </Field>
          <Field id="send-mtype" label="Message type">
            <input id="send-mtype" name="mtype" type="number" min={1} max={127} required value={mtype} onInput={(e) => setMtype(e.currentTarget.value)} />
          </Field>
        </div>
        <Field id="send-message" label="Message" wide>
          <textarea id="send-message" name="message" rows={2} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
        </Field>
        <Field id="send-attrs" label="Attrs" wide>
          <input id="send-attrs" name="attrs" value={attrs} onInput={(e) => setAttrs(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={send.busy}>
          Send
        </button>
        <Outcome outcome={send.outcome} />
      </form>
      <form class="panel" onSubmit={(e) => (e.preventDefault(), onPresence(true))} aria-labelledby="presence-title">
        <h3 id="presence-title">Log a user in or out</h3>
        <p class="muted">A change of presence pushes a login or logout event to the connections that listen.</p>
        <Field id="presence-uid" label="User id">
          <input id="presence-uid" name="uid" inputMode="numeric" required pattern="-?[0-9]+" value={uid} onInput={(e) => setUid(e.currentTarget.value)} />
        </Field>
        <div class="buttons">
          <button type="submit" disabled={presence.busy}>
            Log in
          </button>
          <button type="button" disabled={presence.busy || uid.trim() === ""} onClick={() => onPresence(false)}>
            Log out
          </button>
        </div>
        <Outcome outcome={presence.outcome} />
      </form>
    </div>
  );
}
