import { Hono, type Context } from "hono";
import { z } from "zod";
import type { EmulatorState, MethodFault } from "../admin/types.js";
import { Refusal } from "../errors.js";
import { ApiError } from "./errors.js";
import { idParam, int64, integerParam, kind, parse, required } from "./params.js";
import type { ConsoleTarget } from "./target.js";

/** Largest body of PUT /api/state (a whole exported state), and of every other request. */
export const MAX_IMPORT_BYTES = 16 * 2 ** 20;
export const MAX_BODY_BYTES = 64 * 2 ** 10;

const sendBody = z
  .object({
    from: int64,
    to: int64.optional(),
    gid: int64.optional(),
    rid: int64.optional(),
    mtype: z.number().int().min(1).max(127).optional(),
    message: z.string(),
    attrs: z.string().optional(),
  })
  .strict();

const deleteBody = z.object({ kind, from: int64, to: int64, mid: int64 }).strict();

const faultBody = z
  .object({
    dropAnswer: z.boolean().optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    errorCode: z.number().int().min(1).max(2 ** 31 - 1).optional(),
  })
  .strict()
  .refine((fault) => fault.dropAnswer === true || fault.delayMs !== undefined || fault.errorCode !== undefined, {
    message: "give at least one of dropAnswer: true, delayMs, errorCode",
  });

const METHOD = /^[A-Za-z0-9_.*-]{1,64}$/;

/** The JSON API under /api (docs/emulator/console.md documents every route); the console's page uses only this. */
export function apiRoutes(target: ConsoleTarget): Hono {
  const { admin } = target;
  const api = new Hono();
  const project = (c: Context): number => {
    const text = c.req.param("pid") ?? "";
    const pid = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
    if (!admin.projects().includes(pid)) throw new ApiError(404, `pid: ${text} is not a project of this emulator`);
    return pid;
  };
  const body = (c: Context) => readJson(c, MAX_BODY_BYTES, "64 KiB");
  // TypeError is how the admin model and userSends refuse an argument: a 400 naming it. Any other error is ours: 500.
  const ask = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof TypeError) throw new ApiError(400, error.message);
      throw error;
    }
  };

  api.get("/projects", (c) => c.json({ projects: admin.projects() }));
  api.get("/projects/:pid/overview", (c) => c.json(ask(() => admin.overview(project(c)))));
  api.get("/projects/:pid/conversations", (c) => {
    const pid = project(c);
    return c.json({ conversations: ask(() => admin.conversations(pid, parse(kind, required(c.req.query("kind"), "kind"), "kind"))) });
  });
  api.get("/projects/:pid/messages", (c) => {
    const pid = project(c);
    const q = (name: string) => c.req.query(name);
    const otherId = q("otherId");
    const before = q("before");
    const k = parse(kind, required(q("kind"), "kind"), "kind");
    const id = idParam(q("id"), "id");
    const other = otherId === undefined || otherId === "" ? null : idParam(otherId, "otherId");
    const limit = integerParam(q("limit"), "limit", 1, 100, 20);
    return c.json(ask(() => admin.messages(pid, k, id, other, before === undefined || before === "" ? null : before, limit)));
  });
  api.post("/projects/:pid/messages/delete", async (c) => {
    const pid = project(c);
    const m = parse(deleteBody, await body(c), "body");
    if (!ask(() => admin.deleteMessage(pid, m.kind, String(m.from), String(m.to), String(m.mid)))) {
      throw new ApiError(404, `mid: no ${m.kind} message ${m.mid} from ${m.from} to ${m.to}`);
    }
    return c.json({ deleted: true });
  });
  api.get("/projects/:pid/users", (c) => c.json({ users: ask(() => admin.users(project(c))) }));
  api.get("/projects/:pid/groups", (c) => c.json({ groups: ask(() => admin.groups(project(c))) }));
  api.get("/projects/:pid/rooms", (c) => c.json({ rooms: ask(() => admin.rooms(project(c))) }));
  api.get("/projects/:pid/listeners", (c) => c.json({ listeners: ask(() => admin.listeners(project(c))) }));
  api.post("/projects/:pid/send", async (c) => {
    const pid = project(c);
    const send = parse(sendBody, await body(c), "body");
    const targets = (["to", "gid", "rid"] as const).filter((key) => send[key] !== undefined);
    if (targets.length !== 1) throw new ApiError(400, `to|gid|rid: give exactly one, got ${targets.length === 0 ? "none" : targets.join(", ")}`);
    try {
      const sent = await target.userSends({ pid, ...send });
      return c.json({ mid: String(sent.mid), mtime: String(sent.mtime) });
    } catch (error) {
      if (Refusal.is(error)) throw new ApiError(400, `refused with ${error.code}: ${error.message}`, error.code);
      if (error instanceof TypeError) throw new ApiError(400, error.message);
      throw error;
    }
  });
  for (const action of ["login", "logout"] as const) {
    api.post(`/projects/:pid/users/:uid/${action}`, (c) => {
      const pid = project(c);
      const uid = idParam(c.req.param("uid"), "uid");
      ask(() => (action === "login" ? target.userLogin : target.userLogout)(pid, BigInt(uid)));
      return c.json({ uid, online: action === "login" });
    });
  }
  api.get("/faults", (c) => c.json({ faults: admin.methodFaults(), methods: admin.methods() }));
  api.put("/faults/:method", async (c) => {
    const method = c.req.param("method");
    if (!METHOD.test(method)) throw new ApiError(400, `method: not an FPNN method name: ${JSON.stringify(method)}`);
    const fault: MethodFault = parse(faultBody, await body(c), "body");
    ask(() => admin.setMethodFault(method, fault));
    return c.json({ method, fault });
  });
  api.delete("/faults/:method", (c) => {
    const method = c.req.param("method");
    ask(() => admin.setMethodFault(method, null));
    return c.json({ cleared: [method] });
  });
  api.delete("/faults", (c) => {
    const cleared = Object.keys(admin.methodFaults());
    admin.clearMethodFaults();
    return c.json({ cleared });
  });
  api.post("/projects/:pid/reset", (c) => {
    const pid = project(c);
    ask(() => admin.resetProject(pid));
    return c.json({ reset: pid });
  });
  api.get("/state", (c) => {
    c.header("Content-Disposition", 'attachment; filename="rtmkit-emulator-state.json"');
    return c.json(admin.exportState());
  });
  api.put("/state", async (c) => {
    const state = await readJson(c, MAX_IMPORT_BYTES, "16 MiB");
    // The admin model checks the document field by field (a TypeError naming the field).
    ask(() => admin.importState(state as EmulatorState));
    const projects = (state as EmulatorState).projects;
    return c.json({ imported: Object.keys(projects).map(Number) });
  });
  api.all("*", (c) => c.json({ error: `no API route ${c.req.method} ${c.req.path}` }, 404));
  return api;
}

/** The request's body as JSON, read up to `max` bytes (413 past it, 400 when it is not JSON). */
async function readJson(c: Context, max: number, maxText: string): Promise<unknown> {
  const tooLarge = () => new ApiError(413, `body: larger than ${maxText}`);
  const length = Number(c.req.header("content-length") ?? Number.NaN);
  if (length > max) throw tooLarge();
  const stream = c.req.raw.body;
  if (stream === null) throw new ApiError(400, "body: must be JSON");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new ApiError(400, "body: must be JSON");
  }
}
