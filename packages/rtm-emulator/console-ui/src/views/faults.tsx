import { useState } from "preact/hooks";
import { api, type MethodFault } from "../api.ts";
import { Empty, Field, Outcome, Problem, ViewHeading } from "../components.tsx";
import { useAction, useLoad } from "../hooks.ts";

function describe(fault: MethodFault): string {
  return [fault.errorCode === undefined ? undefined : `answers error ${fault.errorCode}`, fault.delayMs === undefined ? undefined : `delayed ${fault.delayMs} ms`, fault.dropAnswer === true ? "answer dropped" : undefined]
    .filter(Boolean)
    .join(", ");
}

/** Fault injection per FPNN method, for every project: takes effect on the next quest. */
export function FaultsView() {
  const faults = useLoad(() => api.faults(), []);
  const action = useAction();
  const [method, setMethod] = useState("");
  const [dropAnswer, setDropAnswer] = useState(false);
  const [delayMs, setDelayMs] = useState("");
  const [errorCode, setErrorCode] = useState("");

  const onSet = (e: Event) => {
    e.preventDefault();
    void action.run("Set fault", async () => {
      const fault: MethodFault = {};
      if (dropAnswer) fault.dropAnswer = true;
      if (delayMs.trim() !== "") fault.delayMs = Number(delayMs);
      if (errorCode.trim() !== "") fault.errorCode = Number(errorCode);
      await api.setFault(method.trim(), fault);
      faults.reload();
      return `Fault on ${method.trim()}: ${describe(fault)}.`;
    });
  };
  const clear = (name: string | undefined) =>
    void action.run("Clear", async () => {
      await (name === undefined ? api.clearFaults() : api.clearFault(name));
      faults.reload();
      return name === undefined ? "Every fault cleared." : `Fault on ${name} cleared.`;
    });

  const entries = Object.entries(faults.data?.faults ?? {});
  const methods = faults.data?.methods ?? [];
  return (
    <section aria-labelledby="view-title" aria-busy={faults.data === undefined}>
      <ViewHeading
        actions={
          <button type="button" disabled={action.busy || entries.length === 0} onClick={() => clear(undefined)}>
            Clear all faults
          </button>
        }
      >
        Faults
      </ViewHeading>
      <form class="panel" onSubmit={onSet} aria-labelledby="fault-title">
        <h3 id="fault-title">Inject a fault</h3>
        <p class="muted">Every project's next quest of this method gets it: an error answer (RTM or FPNN code) instead of the handler, a delay, or no answer at all.</p>
        <div class="fields">
          <Field id="fault-method" label="Method">
            <input id="fault-method" name="method" required list="fault-methods" autoComplete="off" placeholder="sendmsg" value={method} onInput={(e) => setMethod(e.currentTarget.value)} />
          </Field>
          <datalist id="fault-methods">
            {methods.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <Field id="fault-code" label="Error code">
            <input id="fault-code" name="errorCode" type="number" min={1} placeholder="e.g. 200010" value={errorCode} onInput={(e) => setErrorCode(e.currentTarget.value)} />
          </Field>
          <Field id="fault-delay" label="Delay (ms)">
            <input id="fault-delay" name="delayMs" type="number" min={0} max={600000} value={delayMs} onInput={(e) => setDelayMs(e.currentTarget.value)} />
          </Field>
          <label class="check">
            <input type="checkbox" name="dropAnswer" checked={dropAnswer} onChange={(e) => setDropAnswer(e.currentTarget.checked)} />
            Drop the answer
          </label>
        </div>
        <button type="submit" disabled={action.busy}>
          Set fault
        </button>
      </form>
      <Outcome outcome={action.outcome} />
      <Problem error={faults.error} />
      <h3>Faults in force</h3>
      {faults.data === undefined ? null : entries.length === 0 ? (
        <Empty>No fault: every method runs as usual.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Faults in force, by method</caption>
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col">Fault</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([name, fault]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{describe(fault)}</td>
                  <td>
                    <button type="button" class="small" disabled={action.busy} aria-label={`Clear the fault on ${name}`} onClick={() => clear(name)}>
                      Clear
                    </button>
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
