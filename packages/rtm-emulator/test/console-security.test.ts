// Who may use the console: the Host check (DNS rebinding), same-origin writes, the token beyond localhost; and how
// it starts and stops with the emulator (options, ports, the startup line, a page that is not built).
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { consoleNote } from "../src/console/attach.js";
import { resolveConsoleOptions } from "../src/console/options.js";
import { startConsole } from "../src/console/server.js";
import { Logger } from "../src/server/logger.js";
import { startEmulator } from "../src/server/start.js";
import { consoleApi, consoleEmulator, onCleanup, PID, rawRequest, SECRET } from "./console-helpers.js";

describe("console guard on localhost (no token)", () => {
  it("answers only requests whose Host names it: 421 otherwise (DNS rebinding)", async () => {
    const emulator = await consoleEmulator();
    const port = new URL(emulator.consoleUrl).port;
    const status = async (host: string) => (await rawRequest(emulator.consoleUrl, "/api/projects", { Host: host })).status;
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`LOCALHOST:${port}`)).toBe(200);
    expect(await status(`evil.example:${port}`)).toBe(421);
    expect(await status(`127.0.0.1:${Number(port) + 1}`)).toBe(421);
    expect(await status("127.0.0.1")).toBe(421);
    const page = await rawRequest(emulator.consoleUrl, "/", { Host: `attacker.example:${port}` });
    expect(page.status).toBe(421);
    expect(page.body).toContain("is not this console's address");
  });

  it("refuses writes from another origin (403) and takes them from its own", async () => {
    const emulator = await consoleEmulator();
    const host = new URL(emulator.consoleUrl).host;
    const reset = (headers: Record<string, string>) => rawRequest(emulator.consoleUrl, `/api/projects/${PID}/reset`, { Host: host, ...headers }, "POST");
    expect((await reset({ Origin: "http://evil.example" })).status).toBe(403);
    expect((await reset({ Origin: `http://${host}`, "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await reset({ Origin: `http://${host}`, "Sec-Fetch-Site": "same-origin" })).status).toBe(200);
    expect((await reset({})).status).toBe(200);
    // Reads are not refused (the browser keeps another origin from reading the answer: no CORS headers).
    const read = await rawRequest(emulator.consoleUrl, "/api/projects", { Host: host, Origin: "http://evil.example" });
    expect(read.status).toBe(200);
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("asks no token on ::1 either, and takes [::1]:port as its Host", async () => {
    const emulator = await consoleEmulator({ console: { host: "::1" } });
    expect(emulator.consoleUrl).toMatch(/^http:\/\/\[::1\]:\d+\/$/);
    expect((await fetch(new URL("/api/projects", emulator.consoleUrl))).status).toBe(200);
  });

  it("serves the built page with a strict content security policy", async () => {
    const emulator = await consoleEmulator();
    const page = await fetch(emulator.consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain('<script type="module" src="app.js"></script>');
    const script = await fetch(new URL("/app.js", emulator.consoleUrl));
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await fetch(new URL("/nothing.js", emulator.consoleUrl))).status).toBe(404);
  });
});

describe("console beyond localhost (a token)", () => {
  it("asks the token on every request: Bearer, or ?token= on the page which sets an HttpOnly SameSite=Strict cookie", async () => {
    const lines: string[] = [];
    const emulator = await consoleEmulator({ console: { host: "0.0.0.0" }, logLevel: "info", log: (line) => void lines.push(line) });
    const port = Number(new URL(emulator.consoleUrl).port);
    const token = /\?token=([0-9a-f]{32})$/.exec(emulator.consoleUrl)?.[1];
    expect(token).toBeDefined();
    // The startup line keeps its prefix and prints the URL with the token.
    expect(lines.join("")).toMatch(new RegExp(`listening on 127\\.0\\.0\\.1:\\d+;.*; console http://[^ ;]+:${port}/\\?token=${token}`));

    const local = `http://127.0.0.1:${port}/`;
    const host = `127.0.0.1:${port}`;
    const noToken = await rawRequest(local, "/api/projects", { Host: host });
    expect(noToken.status).toBe(401);
    expect(noToken.headers["www-authenticate"]).toContain("Bearer");
    expect((await rawRequest(local, "/api/projects", { Host: host, Authorization: "Bearer 0123" })).status).toBe(401);
    expect((await rawRequest(local, "/api/projects", { Host: host, Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await rawRequest(local, "/", { Host: host })).status).toBe(401);
    expect((await rawRequest(local, "/?token=wrong", { Host: host })).status).toBe(401);

    const opened = await rawRequest(local, `/?token=${token}`, { Host: host });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe("/");
    const cookie = String(opened.headers["set-cookie"]);
    expect(cookie).toMatch(new RegExp(`^rtmkit_console_${port}=${token}; Path=/; HttpOnly; SameSite=Strict`));
    const withCookie = { Host: host, Cookie: cookie.split(";")[0]! };
    expect((await rawRequest(local, "/", withCookie)).status).toBe(200);
    expect((await rawRequest(local, "/api/projects", withCookie)).status).toBe(200);
    // Bound to every address: an IP literal reaches it (rebinding needs a name), a name other than the machine's does not.
    expect((await rawRequest(local, "/api/projects", { Host: `192.0.2.7:${port}`, Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await rawRequest(local, "/api/projects", { Host: `rebind.example:${port}`, Authorization: `Bearer ${token}` })).status).toBe(421);
  });

  it("takes a token given in the options", async () => {
    const token = "a-token-of-my-own-0123";
    const emulator = await consoleEmulator({ console: { host: "0.0.0.0", token } });
    expect(emulator.consoleUrl.endsWith(`?token=${token}`)).toBe(true);
    const port = new URL(emulator.consoleUrl).port;
    const api = consoleApi(`http://127.0.0.1:${port}/`, { Authorization: `Bearer ${token}` });
    expect((await api("GET", "/api/projects")).status).toBe(200);
  });
});

describe("console start and stop", () => {
  it("is off unless asked for, checks its options, and stops with the emulator", async () => {
    const off = await startEmulator({ projects: { [PID]: SECRET } });
    onCleanup(() => off.close());
    expect(off.consoleUrl).toBeUndefined();
    await expect(startEmulator({ projects: { [PID]: SECRET }, console: { port: 70000 } })).rejects.toThrow(new TypeError("console.port must be an integer in 0..65535, got 70000"));
    await expect(startEmulator({ projects: { [PID]: SECRET }, console: { host: "0.0.0.0", token: "short" } })).rejects.toThrow(/^console\.token must be 16\.\.256/);
    const on = await startEmulator({ projects: { [PID]: SECRET }, console: true });
    expect(on.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(new URL("/api/projects", on.consoleUrl!))).status).toBe(200);
    await on.close();
    await expect(fetch(new URL("/api/projects", on.consoleUrl!))).rejects.toThrow();
  });

  it("fails naming --console-port when its port is taken, or takes a free one with fallbackToFreePort", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    onCleanup(() => new Promise((resolve) => busy.close(resolve)));
    const port = (busy.address() as AddressInfo).port;
    await expect(startEmulator({ projects: { [PID]: SECRET }, console: { port } })).rejects.toThrow(`console port ${port} is in use (EADDRINUSE); pick another with --console-port`);
    const lines: string[] = [];
    const emulator = await startEmulator({ projects: { [PID]: SECRET }, console: { port, fallbackToFreePort: true }, logLevel: "warn", log: (line) => void lines.push(line) });
    onCleanup(() => emulator.close());
    expect(new URL(emulator.consoleUrl!).port).not.toBe(String(port));
    expect(lines.join("")).toContain(`console: port ${port} is in use; serving the console on a free port instead`);
  });

  it("answers 503 with what to run when its page is not built, the startup line says so, and the API still works", async () => {
    const emulator = await consoleEmulator();
    const unbuilt = await startConsole(emulator, resolveConsoleOptions(true)!, new Logger("silent", () => {}), { found: false, looked: ["/nowhere/console/"] });
    onCleanup(() => unbuilt.close());
    const page = await fetch(unbuilt.url);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("build:console");
    expect((await fetch(new URL("/api/projects", unbuilt.url))).status).toBe(200);
    expect(consoleNote(unbuilt)).toBe(`; console ${unbuilt.url} (its page is not built: run \`npm run setup\` or \`pnpm --filter @rtmkit/rtm-emulator build:console\`; the API works)`);
    expect(consoleNote(undefined)).toBe("");
  });
});
