import { useEffect, useRef } from "preact/hooks";
import { api } from "./api.ts";
import { Problem } from "./components.tsx";
import { useLoad } from "./hooks.ts";
import { hrefOf, useRoute, VIEWS, type View } from "./route.ts";
import { ConversationsView } from "./views/conversations.tsx";
import { FaultsView } from "./views/faults.tsx";
import { FeedView } from "./views/feed.tsx";
import { GroupsView, RoomsView } from "./views/groups.tsx";
import { ListenersView } from "./views/listeners.tsx";
import { OverviewView } from "./views/overview.tsx";
import { StateView } from "./views/state.tsx";
import { UsersView } from "./views/users.tsx";

export function App() {
  const route = useRoute();
  const projects = useLoad(() => api.projects(), []);
  const pid = route.pid !== undefined && projects.data?.includes(route.pid) ? route.pid : projects.data?.[0];
  const title = VIEWS.find(([name]) => name === route.view)![1];
  const first = useRef(true);

  useEffect(() => {
    document.title = `${title} - rtm-emulator console`;
    // Moving between views moves the focus to the new view's heading (not on the first load: the page starts at its top).
    if (first.current) first.current = false;
    else document.getElementById("view-title")?.focus();
  }, [route.view]);

  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to the content
      </a>
      <header class="top">
        <h1>
          rtm-emulator <span class="muted">console</span>
        </h1>
        <ProjectChooser projects={projects.data} pid={pid} view={route.view} />
      </header>
      <div class="layout">
        <nav aria-label="Views">
          <ul>
            {VIEWS.map(([name, label]) => (
              <li key={name}>
                <a href={hrefOf(name, pid)} aria-current={name === route.view ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Problem error={projects.error} />
          {pid === undefined ? projects.data === undefined ? <p aria-busy="true">Loading...</p> : <p>This emulator serves no project.</p> : <ViewOf view={route.view} pid={pid} />}
        </main>
      </div>
    </>
  );
}

function ViewOf({ view, pid }: { view: View; pid: number }) {
  switch (view) {
    case "overview":
      return <OverviewView pid={pid} />;
    case "conversations":
      return <ConversationsView pid={pid} />;
    case "users":
      return <UsersView pid={pid} />;
    case "groups":
      return <GroupsView pid={pid} />;
    case "rooms":
      return <RoomsView pid={pid} />;
    case "listeners":
      return <ListenersView pid={pid} />;
    case "feed":
      return <FeedView pid={pid} />;
    case "faults":
      return <FaultsView />;
    case "state":
      return <StateView pid={pid} />;
  }
}

/** A project selector when the emulator serves several; the one project's pid otherwise. */
function ProjectChooser({ projects, pid, view }: { projects: number[] | undefined; pid: number | undefined; view: View }) {
  if (projects === undefined || pid === undefined) return null;
  if (projects.length === 1) return <p class="project">Project {pid}</p>;
  return (
    <p class="project">
      <label for="project">Project</label>{" "}
      <select id="project" value={String(pid)} onChange={(e) => (location.hash = hrefOf(view, Number(e.currentTarget.value)))}>
        {projects.map((p) => (
          <option key={p} value={String(p)}>
            {p}
          </option>
        ))}
      </select>
    </p>
  );
}
