import { useEffect, useState } from "preact/hooks";

export const VIEWS = [
  ["overview", "Overview"],
  ["conversations", "Conversations"],
  ["users", "Users"],
  ["groups", "Groups"],
  ["rooms", "Rooms"],
  ["listeners", "Listeners"],
  ["feed", "Live feed"],
  ["faults", "Faults"],
  ["state", "State"],
] as const;

export type View = (typeof VIEWS)[number][0];

export interface Route {
  readonly view: View;
  /** The project in the URL, if any. */
  readonly pid: number | undefined;
}

/** `#/users?pid=11000001`: the view and the project live in the hash, so reload and back keep them. */
export function parseHash(hash: string): Route {
  const match = /^#\/([a-z]+)(?:\?(.*))?$/.exec(hash);
  const view = VIEWS.find(([name]) => name === match?.[1])?.[0] ?? "overview";
  const pid = Number(new URLSearchParams(match?.[2] ?? "").get("pid"));
  return { view, pid: Number.isSafeInteger(pid) && pid > 0 ? pid : undefined };
}

export function hrefOf(view: View, pid: number | undefined): string {
  return pid === undefined ? `#/${view}` : `#/${view}?pid=${pid}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
