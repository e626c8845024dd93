import type { HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "../server/logger.js";
import { apiRoutes } from "./api.js";
import type { ConsoleAssets } from "./assets.js";
import { ApiError } from "./errors.js";
import { Feed } from "./feed.js";
import { guard, page, type GuardOptions } from "./security.js";
import type { ConsoleTarget } from "./target.js";

/** Only the console's own files: no inline script or style, no other origin (nothing is fetched from elsewhere). */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export interface ConsoleApp {
  readonly app: Hono<{ Bindings: HttpBindings }>;
  readonly feed: Feed;
}

/** The console's routes: the guard first, then /api (JSON), /api/feed (SSE) and the page's built files. */
export function consoleApp(target: ConsoleTarget, assets: ConsoleAssets, security: GuardOptions, logger: Logger): ConsoleApp {
  const app = new Hono<{ Bindings: HttpBindings }>();
  const feed = new Feed(target.admin);
  app.use("*", guard(security));
  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    if (!c.req.path.startsWith("/api/")) c.header("Content-Security-Policy", CSP);
    else if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.get("/api/feed", (c) => feed.handle(c, () => c.env.outgoing.destroy()));
  app.route("/api", apiRoutes(target));
  app.get("*", (c) => {
    if (!assets.found) {
      const message = `The console's page is not built (looked in ${assets.looked.join(" and ")}). Run \`npm run setup\` in the rtmkit repository, or \`pnpm --filter @rtmkit/rtm-emulator build:console\`. The JSON API under /api works without it.`;
      return c.html(page("Console not built", message), 503);
    }
    const asset = assets.files.get(c.req.path === "/" ? "/index.html" : c.req.path);
    if (asset === undefined) return c.html(page("Not found", `No page ${c.req.path} here: the console is at /.`), 404);
    return c.body(asset.body, 200, { "Content-Type": asset.type, "Cache-Control": "no-cache" });
  });
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.code === undefined ? { error: error.message } : { error: error.message, code: error.code }, error.status);
    logger.error(`console: ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.json({ error: `internal error: ${error.message}` }, 500);
  });
  return { app, feed };
}
