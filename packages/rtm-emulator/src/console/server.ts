import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "../server/logger.js";
import { consoleApp } from "./app.js";
import { loadAssets, type ConsoleAssets } from "./assets.js";
import { isWildcardHost, type ResolvedConsoleOptions } from "./options.js";
import { urlHost } from "./security.js";
import type { ConsoleTarget } from "./target.js";

/** HTTP connections open at once (a browser opens about six; the feed holds one each). */
const MAX_HTTP_CONNECTIONS = 64;

export interface RunningConsole {
  /** The console's address, e.g. http://127.0.0.1:13316/. */
  readonly url: string;
  /** `url` with `?token=` when a token is asked: what to open in a browser. */
  readonly openUrl: string;
  readonly token: string | undefined;
  readonly port: number;
  /** Whether the page's built files were found (the API works either way). */
  readonly assetsFound: boolean;
  /** Feed clients connected now. */
  feedClients(): number;
  /** Ends the feeds and every connection, stops listening. */
  close(): Promise<void>;
}

/** Serves the console over HTTP on `options.host`:`options.port`. */
export async function startConsole(target: ConsoleTarget, options: ResolvedConsoleOptions, logger: Logger, assets: ConsoleAssets = loadAssets()): Promise<RunningConsole> {
  let port = 0;
  const { app, feed } = consoleApp(target, assets, { host: options.host, port: () => port, token: options.token }, logger);
  // overrideGlobalObjects: false — the adapter would otherwise replace the process's global Request and Response.
  const server = createServer(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
  server.maxConnections = MAX_HTTP_CONNECTIONS;
  try {
    port = await listen(server, options.port, options.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || !options.fallbackToFreePort) throw consoleListenError(error, options);
    logger.warn(`console: port ${options.port} is in use; serving the console on a free port instead`);
    port = await listen(server, 0, options.host).catch((again: unknown) => Promise.reject(consoleListenError(again, options)));
  }
  const shown = isWildcardHost(options.host) ? hostname() : urlHost(options.host);
  const url = `http://${shown}:${port}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    openUrl: options.token === undefined ? url : `${url}?token=${options.token}`,
    token: options.token,
    port,
    assetsFound: assets.found,
    feedClients: () => feed.clients,
    close() {
      closing ??= new Promise<void>((resolve) => {
        feed.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A listen error that says it is the console's (the startup message then names --console-port / --console-host). */
function consoleListenError(error: unknown, options: ResolvedConsoleOptions): Error {
  const { code } = error as NodeJS.ErrnoException;
  const message =
    code === "EADDRINUSE"
      ? `console port ${options.port} is in use (EADDRINUSE); pick another with --console-port (0 takes any free port) or turn the console off with --no-console`
      : code === "EADDRNOTAVAIL"
        ? `cannot serve the console on ${options.host} (EADDRNOTAVAIL): not an address of this machine; check --console-host`
        : code === "EACCES"
          ? `not allowed to serve the console on port ${options.port} (EACCES); pick another with --console-port`
          : `console: ${(error as Error).message}`;
  return new Error(message, { cause: error });
}
