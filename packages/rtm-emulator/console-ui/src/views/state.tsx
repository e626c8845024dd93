import { useRef } from "preact/hooks";
import { api } from "../api.ts";
import { Field, Outcome, ViewHeading } from "../components.tsx";
import { useAction } from "../hooks.ts";

/** The whole stored state: export it to a JSON file, import one back, or reset this project. */
export function StateView({ pid }: { pid: number }) {
  const file = useRef<HTMLInputElement>(null);
  const action = useAction();

  const onImport = (e: Event) => {
    e.preventDefault();
    const chosen = file.current?.files?.[0];
    void action.run("Import", async () => {
      if (chosen === undefined) throw new Error("choose an exported state file first");
      const { imported } = await api.importState(await chosen.text());
      return `Imported ${chosen.name}: project${imported.length === 1 ? "" : "s"} ${imported.join(", ")} replaced.`;
    });
  };
  const onReset = () => {
    if (!confirm(`Reset project ${pid}? Every message, file, user, group, room and listen entry of it is deleted, and every user goes offline.`)) return;
    void action.run("Reset", async () => {
      await api.reset(pid);
      return `Project ${pid} reset: it holds nothing now.`;
    });
  };

  return (
    <section aria-labelledby="view-title">
      <ViewHeading>State</ViewHeading>
      <Outcome outcome={action.outcome} />
      <div class="panels">
        <div class="panel">
          <h3>Export</h3>
          <p>Every project's stored state (messages, files, users, groups, rooms, friends, data, devices) as one JSON file.</p>
          <a class="button" href={api.stateUrl} download="rtmkit-emulator-state.json">
            Export the state
          </a>
        </div>
        <form class="panel" onSubmit={onImport} aria-labelledby="import-title">
          <h3 id="import-title">Import</h3>
          <p>Replaces the projects the file holds with its state; the others stay as they are.</p>
          <Field id="state-file" label="State file (JSON)">
            <input id="state-file" ref={file} type="file" name="state" accept="application/json,.json" required />
          </Field>
          <button type="submit" disabled={action.busy}>
            Import the file
          </button>
        </form>
        <div class="panel">
          <h3>Reset project {pid}</h3>
          <p>Deletes every row of this project and clears who is online. Other projects stay as they are.</p>
          <button type="button" class="danger" disabled={action.busy} onClick={onReset}>
            Reset project {pid}
          </button>
        </div>
      </div>
    </section>
  );
}
