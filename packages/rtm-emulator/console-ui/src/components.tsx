import { Fragment, type ComponentChildren } from "preact";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A server time in ms (a decimal string or a number) as local `YYYY-MM-DD HH:MM:SS.mmm`. */
export function formatTime(ms: string | number): string {
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return String(ms);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function Time({ ms }: { ms: string | number }) {
  const date = new Date(Number(ms));
  return <time dateTime={Number.isNaN(date.getTime()) ? undefined : date.toISOString()}>{formatTime(ms)}</time>;
}

export function Ids({ ids, none = "none" }: { ids: readonly string[]; none?: string }) {
  if (ids.length === 0) return <span class="muted">{none}</span>;
  return <span class="ids">{ids.join(", ")}</span>;
}

/** The outcome of the last action, read out by screen readers (a polite live region that is always there). */
export function Outcome({ outcome }: { outcome: { ok: boolean; text: string } | undefined }) {
  return (
    <p class={`outcome ${outcome === undefined ? "" : outcome.ok ? "ok" : "bad"}`} role="status" aria-live="polite">
      {outcome?.text ?? ""}
    </p>
  );
}

export function Problem({ error }: { error: string | undefined }) {
  if (error === undefined) return null;
  return (
    <p class="problem" role="alert">
      {error}
    </p>
  );
}

/** A view's heading: focused when the view opens from the navigation, so keyboard and screen reader users land on it. */
export function ViewHeading({ children, actions }: { children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <div class="view-head">
      <h2 id="view-title" tabIndex={-1}>
        {children}
      </h2>
      {actions === undefined ? null : <div class="view-actions">{actions}</div>}
    </div>
  );
}

/** `{public, private}` info as two labelled lines, or none. */
export function Info({ info }: { info: { public: string; private: string } | null }) {
  if (info === null) return <span class="muted">none</span>;
  return (
    <dl class="pairs">
      <dt>public</dt>
      <dd>{info.public === "" ? <span class="muted">empty</span> : info.public}</dd>
      <dt>private</dt>
      <dd>{info.private === "" ? <span class="muted">empty</span> : info.private}</dd>
    </dl>
  );
}

export function Pairs({ data }: { data: Record<string, string> }) {
  const keys = Object.keys(data);
  if (keys.length === 0) return <span class="muted">none</span>;
  return (
    <dl class="pairs">
      {keys.map((key) => (
        <Fragment key={key}>
          <dt>{key}</dt>
          <dd>{data[key]}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** A labelled control: the label names the control by `for`, so its text is exactly the control's name. */
export function Field({ id, label, children, wide = false }: { id: string; label: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <div class={wide ? "field wide" : "field"}>
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}
