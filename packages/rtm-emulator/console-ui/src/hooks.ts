import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on reload()); an answer to an older call is ignored. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => mine === generation.current && setState((s) => ({ data: s.data, error: messageOf(error), loading: false })),
    );
  }, deps);
  useEffect(() => {
    run();
    return () => void generation.current++;
  }, [run]);
  return { ...state, reload: run };
}

/** Calls `tick` every `ms` while the page is visible (not in a background tab), and once when it becomes visible. */
export function useVisibleInterval(tick: () => void, ms: number): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    let timer: number | undefined;
    const start = () => {
      if (timer === undefined && document.visibilityState === "visible") timer = window.setInterval(() => latest.current(), ms);
    };
    const stop = () => {
      window.clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") {
        latest.current();
        start();
      } else stop();
    };
    start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [ms]);
}

/** An action's state: running, its outcome line (for a live region), and a runner that catches its error. */
export function useAction(): { busy: boolean; outcome: { ok: boolean; text: string } | undefined; run(label: string, action: () => Promise<string | void>): Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const run = useCallback(async (label: string, action: () => Promise<string | void>) => {
    setBusy(true);
    try {
      const text = await action();
      setOutcome({ ok: true, text: text ?? `${label}: done` });
      return true;
    } catch (error) {
      setOutcome({ ok: false, text: `${label}: ${messageOf(error)}` });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, outcome, run };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
