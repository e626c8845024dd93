import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { hostname } from "node:os";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { isLoopbackHost, isWildcardHost } from "./options.js";

export interface GuardOptions {
  /** The address bound. */
  readonly host: string;
  /** The port bound (known once listening). */
  readonly port: () => number;
  /** undefined: no token asked (loopback). */
  readonly token: string | undefined;
}

/** The cookie that carries the token after `?token=`; per port, as cookies are shared by every port of a host. */
export function tokenCookieName(port: number): string {
  return `rtmkit_console_${port}`;
}

/**
 * Every request passes here first:
 * - its Host header must name this console (the bound host, or localhost, with the bound port): a page on another
 *   site whose name was made to resolve to 127.0.0.1 (DNS rebinding) is answered 421;
 * - a request that changes something must not come from another origin (403): a page on another site cannot post to
 *   a console on localhost, which asks no token;
 * - with a token (bound beyond localhost): `Authorization: Bearer`, or the cookie set by opening the page with
 *   `?token=` (which redirects to the URL without it), else 401.
 */
export function guard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host");
    if (host === undefined || !hostAllowed(host, options)) {
      return c.json({ error: `Host ${host ?? "(none)"} is not this console's address: open it as http://${urlHost(options.host)}:${options.port()}/` }, 421);
    }
    if (!SAFE_METHODS.has(c.req.method) && crossOrigin(c, host)) {
      return c.json({ error: "requests that change state must come from the console's own origin" }, 403);
    }
    if (options.token === undefined) return next();
    const cookie = tokenCookieName(options.port());
    const query = c.req.query("token");
    if (query !== undefined && c.req.method === "GET" && !c.req.path.startsWith("/api/")) {
      if (!tokenMatches(query, options.token)) return unauthorized(c, "the token in the URL is not this console's");
      setCookie(c, cookie, options.token, { httpOnly: true, sameSite: "Strict", path: "/" });
      return c.redirect(c.req.path, 303);
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const presented = bearer ?? getCookie(c, cookie);
    if (presented === undefined) return unauthorized(c, "this console asks for its token: open the URL printed at start (with ?token=), or send Authorization: Bearer <token>");
    if (!tokenMatches(presented, options.token)) return unauthorized(c, "wrong token");
    return next();
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hostAllowed(header: string, options: GuardOptions): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim().toLowerCase());
  if (match === null || Number(match[2] ?? 80) !== options.port()) return false;
  const name = match[1]!.replace(/^\[|\]$/g, "");
  if (isLoopbackHost(name) || name === options.host.toLowerCase()) return true;
  // Bound to every address: any IP literal reaches it as itself (rebinding needs a name), and so does the machine's name.
  return isWildcardHost(options.host) && (isIP(name) !== 0 || name === hostname().toLowerCase());
}

function crossOrigin(c: Context, host: string): boolean {
  if (c.req.header("sec-fetch-site") === "cross-site") return true;
  const origin = c.req.header("origin");
  return origin !== undefined && origin !== `http://${host}`;
}

function tokenMatches(presented: string, token: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(c: Context, message: string): Response {
  c.header("WWW-Authenticate", 'Bearer realm="rtm-emulator console"');
  if (c.req.path.startsWith("/api/")) return c.json({ error: message }, 401);
  return c.html(page("Token required", message), 401);
}

/** `[::1]` in a URL, `127.0.0.1` as it is. */
export function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** A minimal page of its own (no assets): what the console answers when it cannot show itself. */
export function page(title: string, message: string): string {
  const escape = (text: string) => text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} - rtm-emulator console</title></head><body><main><h1>${escape(title)}</h1><p>${escape(message)}</p></main></body></html>`;
}
