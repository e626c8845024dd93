import { useEffect, useRef, useState } from "preact/hooks";
import { api, type ConsoleMessage, type ConversationKind, type ConversationSummary } from "../api.ts";
import { Empty, Outcome, Problem, Time, ViewHeading } from "../components.tsx";
import { messageOf, useAction, useLoad, useVisibleInterval } from "../hooks.ts";

const KINDS: readonly [ConversationKind, string][] = [
  ["p2p", "P2P"],
  ["group", "Groups"],
  ["room", "Rooms"],
  ["broadcast", "Broadcast"],
];

const PAGE = 20;
/** The list and the open conversation's newest page are read again this often while the page is visible: a new message shows within a second. */
const REFRESH_MS = 500;

interface Selected {
  readonly id: string;
  readonly otherId: string | null;
}

export function ConversationsView({ pid }: { pid: number }) {
  const [kind, setKind] = useState<ConversationKind>("p2p");
  const [selected, setSelected] = useState<Selected | undefined>(undefined);
  const list = useLoad(() => api.conversations(pid, kind), [pid, kind]);
  useEffect(() => setSelected(undefined), [pid, kind]);
  useVisibleInterval(list.reload, REFRESH_MS);
  return (
    <section aria-labelledby="view-title" aria-busy={list.data === undefined}>
      <ViewHeading actions={<button type="button" onClick={list.reload}>Refresh</button>}>Conversations</ViewHeading>
      <div class="segmented" role="group" aria-label="Kind of conversation">
        {KINDS.map(([k, label]) => (
          <button key={k} type="button" aria-pressed={k === kind} onClick={() => setKind(k)}>
            {label}
          </button>
        ))}
      </div>
      <Problem error={list.error} />
      <div class="split">
        <ConversationList kind={kind} conversations={list.data} selected={selected} onOpen={setSelected} />
        {selected === undefined ? null : <Messages key={`${kind}:${selected.id}:${selected.otherId ?? ""}`} pid={pid} kind={kind} selected={selected} onChanged={list.reload} />}
      </div>
    </section>
  );
}

function title(kind: ConversationKind, c: Selected): string {
  switch (kind) {
    case "p2p":
      return `${c.id} and ${c.otherId ?? "?"}`;
    case "group":
      return `group ${c.id}`;
    case "room":
      return `room ${c.id}`;
    case "broadcast":
      return c.otherId === null ? `broadcast ${c.id}` : `broadcast ${c.id} to ${c.otherId}`;
  }
}

function ConversationList({ kind, conversations, selected, onOpen }: { kind: ConversationKind; conversations: ConversationSummary[] | undefined; selected: Selected | undefined; onOpen(c: Selected): void }) {
  if (conversations === undefined) return null;
  if (conversations.length === 0) return <Empty>No {kind} conversation yet.</Empty>;
  return (
    <div class="table-wrap list-pane">
      <table>
        <caption class="sr-only">{kind} conversations, most recent first</caption>
        <thead>
          <tr>
            <th scope="col">Conversation</th>
            <th scope="col">Messages</th>
            <th scope="col">Last message</th>
          </tr>
        </thead>
        <tbody>
          {conversations.map((c) => {
            const current = selected?.id === c.id && selected.otherId === c.otherId;
            return (
              <tr key={`${c.id}:${c.otherId ?? ""}`} class={current ? "current" : undefined}>
                <td>
                  <button type="button" class="link" aria-current={current ? "true" : undefined} onClick={() => onOpen({ id: c.id, otherId: c.otherId })}>
                    {title(kind, c)}
                  </button>
                </td>
                <td class="num">{c.messages}</td>
                <td>
                  <Time ms={c.lastMtime} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Messages({ pid, kind, selected, onChanged }: { pid: number; kind: ConversationKind; selected: Selected; onChanged(): void }) {
  const [messages, setMessages] = useState<ConsoleMessage[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const action = useAction();
  const shown = useRef<ConsoleMessage[]>([]);
  shown.current = messages;

  const load = async (before: string | null) => {
    setLoading(true);
    try {
      const page = await api.messages(pid, kind, selected.id, selected.otherId, before, PAGE);
      setMessages((old) => (before === null ? page.messages : [...old, ...page.messages]));
      setNext(page.next);
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null), []);

  // New messages appear at the top; with only the newest page shown, it is replaced (deletions show too).
  useVisibleInterval(() => {
    if (loading) return;
    api.messages(pid, kind, selected.id, selected.otherId, null, PAGE).then((page) => {
      const old = shown.current;
      if (old.length <= PAGE) {
        setMessages(page.messages);
        setNext(page.next);
      } else {
        const known = new Set(old.map((m) => m.cursor));
        const fresh = page.messages.filter((m) => !known.has(m.cursor));
        if (fresh.length > 0) setMessages([...fresh, ...old]);
      }
    }, (e: unknown) => setError(messageOf(e)));
  }, REFRESH_MS);

  const remove = async (m: ConsoleMessage) => {
    if (!confirm(`Delete message ${m.mid} from ${m.from}? This cannot be undone.`)) return;
    const done = await action.run("Delete", async () => {
      await api.deleteMessage(pid, { kind, from: m.from, to: m.to, mid: m.mid });
      return `Message ${m.mid} deleted.`;
    });
    if (done) {
      setMessages((old) => old.filter((x) => x !== m));
      onChanged();
    }
  };

  return (
    <section class="messages" aria-labelledby="messages-title">
      <h3 id="messages-title">Messages of {title(kind, selected)}</h3>
      <p class="muted">Newest first.</p>
      <Outcome outcome={action.outcome} />
      <Problem error={error} />
      {messages.length === 0 && !loading ? <Empty>No message.</Empty> : null}
      <ol class="message-list">
        {messages.map((m) => (
          <li key={m.cursor} class="message">
            <div class="message-head">
              <span>
                <strong>{m.from}</strong> to <strong>{m.to}</strong>
              </span>
              <span class="muted">mtype {m.mtype}</span>
              <span class="muted">mid {m.mid}</span>
              <Time ms={m.mtime} />
              <button type="button" class="danger small" aria-label={`Delete message ${m.mid}`} disabled={action.busy} onClick={() => void remove(m)}>
                Delete
              </button>
            </div>
            <p class="message-body">{m.message === "" ? <span class="muted">(empty)</span> : m.message}</p>
            <dl class="pairs small">
              {m.attrs === "" ? null : (
                <>
                  <dt>attrs</dt>
                  <dd class="code">{m.attrs}</dd>
                </>
              )}
              {m.fileInfo === null ? null : (
                <>
                  <dt>file</dt>
                  <dd>
                    {[m.fileInfo.fileName, m.fileInfo.fileExtension && `.${m.fileInfo.fileExtension}`, `${m.fileInfo.size} bytes`].filter(Boolean).join(" ")} — <span class="code">{m.fileInfo.url}</span>
                  </dd>
                </>
              )}
              {m.audioInfo === null ? null : (
                <>
                  <dt>audio</dt>
                  <dd>
                    {[m.audioInfo.language, m.audioInfo.duration === undefined ? undefined : `${m.audioInfo.duration} ms`, m.audioInfo.text && `“${m.audioInfo.text}”`].filter(Boolean).join(", ")}
                  </dd>
                </>
              )}
            </dl>
          </li>
        ))}
      </ol>
      {next === null ? null : (
        <button type="button" disabled={loading} onClick={() => void load(next)}>
          Older messages
        </button>
      )}
    </section>
  );
}
