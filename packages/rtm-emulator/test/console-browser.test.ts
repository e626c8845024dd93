// The console in a real browser: Debian's Chromium driven by playwright-core (scripts/ensure-chromium.mjs installs it;
// `npm test` runs that first), against the real emulator and its admin model. One browser for the file, a fresh
// context per test. Also writes the README's screenshots (docs/images/console-*.png) from fixed data.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { RTMError, type RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/server/start.js";
import { consoleEmulator, newSdk, OTHER_PID, PID, sdk, startConsoleEmulator } from "./console-helpers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const IMAGES = fileURLToPath(new URL("../../../docs/images/", import.meta.url));
const VIEWS = ["overview", "conversations", "users", "groups", "rooms", "listeners", "feed", "faults", "state"] as const;

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (CHROMIUM === undefined) throw new Error("no Chromium: run `node scripts/ensure-chromium.mjs` (npm test does), or apt-get install chromium");
  // --no-sandbox: Chromium refuses its sandbox as root (CI runs as root); the pages are our own.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
});

afterAll(async () => {
  await browser?.close();
});

/** A page of the console at `hash`, in a context of its own: 1280x800, UTC, English. */
async function open(emulator: RunningEmulator, hash: string): Promise<Page> {
  // bypassCSP: the console forbids inline scripts, and axe is injected as one.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: "UTC", locale: "en-US", bypassCSP: true, acceptDownloads: true });
  contexts.push(context);
  context.setDefaultTimeout(5000);
  const page = await context.newPage();
  page.on("pageerror", (error) => {
    throw error;
  });
  await page.goto(new URL(`/${hash}`, emulator.consoleUrl!).href);
  await loaded(page);
  return page;
}

/** Moves to another view as the navigation does (the hash), and waits for its data. */
async function show(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.waitForURL((url) => url.hash === hash);
  await loaded(page);
}

/** The view's heading is there and no section is still loading. */
async function loaded(page: Page): Promise<void> {
  await page.locator("#view-title").waitFor();
  await page.locator('section[aria-busy="true"]').waitFor({ state: "detached" });
}

async function closeContexts(): Promise<void> {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
}

async function codeOf(run: () => Promise<unknown>): Promise<number | "ok"> {
  try {
    await run();
    return "ok";
  } catch (error) {
    if (error instanceof RTMError) return error.code;
    throw error;
  }
}

/** axe-core in the page; the serious and critical violations, as "rule: help (targets)". */
async function accessibilityProblems(page: Page): Promise<string[]> {
  const violations = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } };
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")})`);
}

describe("console in a browser", () => {
  let emulator: RunningEmulator & { consoleUrl: string };
  let client: RTMServerClient;

  beforeAll(async () => {
    emulator = await startConsoleEmulator();
    client = newSdk(emulator);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  it("shows a message sent through the SDK in the live feed and in its open conversation within 1 s", async () => {
    await client.sendChat(2001n, 2002n, "the first one", "");
    const conversation = await open(emulator, `#/conversations?pid=${PID}`);
    await conversation.getByRole("button", { name: /2001.*2002|2002.*2001/ }).click();
    await conversation.getByText("the first one").waitFor();
    const feed = await open(emulator, "#/feed");
    await feed.getByText("Live: new events appear at the top.").waitFor();

    const sent = Date.now();
    await client.sendChat(2001n, 2002n, "hello from the SDK", '{"k":"v"}');
    await Promise.all([
      feed.locator("td.summary", { hasText: "hello from the SDK" }).first().waitFor({ timeout: 1000 }),
      conversation.locator(".message-body", { hasText: "hello from the SDK" }).waitFor({ timeout: 1000 }),
    ]);
    expect(Date.now() - sent).toBeLessThan(1000);
    // Its attrs are shown with it, newest first.
    await expect(conversation.locator(".message").first().textContent()).resolves.toContain('{"k":"v"}');
    await closeContexts();
  });

  it("injects a fault on a method from the Faults view: the next SDK call fails with the chosen code; Clear ends it", async () => {
    const page = await open(emulator, "#/faults");
    await page.getByLabel("Method").fill("sendmsg");
    await page.getByLabel("Error code").fill("200010");
    await page.getByRole("button", { name: "Set fault" }).click();
    await page.getByText("Fault on sendmsg: answers error 200010.").waitFor();
    expect(await codeOf(() => client.sendChat(2001n, 2002n, "faulted", ""))).toBe(200010);
    await page.getByRole("button", { name: "Clear the fault on sendmsg" }).click();
    await page.getByText("Fault on sendmsg cleared.").waitFor();
    expect(await codeOf(() => client.sendChat(2001n, 2002n, "fine again", ""))).toBe("ok");
    await closeContexts();
  });

  it("sends a simulated user's message from the Users view to a listening SDK client (onPush)", async () => {
    const listener = sdk(emulator);
    const pushed = new Promise<string>((resolve) => listener.onPush("groupChat", (m) => resolve(`${m.fromUid} ${m.toId} ${m.message}`)));
    await listener.addListen([3001n], [], [], []);
    const page = await open(emulator, "#/users");
    await page.getByLabel("From user").fill("3002");
    await page.getByLabel("To", { exact: true }).selectOption("gid");
    await page.getByLabel("Group id").fill("3001");
    await page.getByLabel("Message", { exact: true }).fill("from the browser");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText(/^Sent: mid \d+\.$/).waitFor();
    expect(await Promise.race([pushed, new Promise((resolve) => setTimeout(() => resolve("no push within 2 s"), 2000))])).toBe("3002 3001 from the browser");
    await closeContexts();
  });

  it("exports, resets and imports a project's state from the State view: the SDK reads back the same", async () => {
    const other = sdk(emulator, OTHER_PID);
    await other.sendChat(5001n, 5002n, "kept through export", '{"a":1}');
    await other.sendGroupChat(5001n, 5077n, "group message", "");
    await other.addGroupMembers(5077n, [5001n, 5002n]);
    await other.setUserInfo(5001n, "open", "private");
    await other.addFriends(5001n, [5003n]);
    await other.dataSet(5001n, "k", "v");
    const read = async () => ({
      p2p: (await other.getP2PChat(5001n, 5002n, true, 20, 0n, 0n, 0n)).messages.map((m) => [m.messageId, m.fromUid, m.message, m.attrs, m.modifiedTime]),
      group: (await other.getGroupChat(5077n, true, 20, 0n, 0n, 0n, 5001n)).messages.map((m) => [m.messageId, m.message, m.modifiedTime]),
      members: (await other.getGroupMembers(5077n)).members.map(String).sort(),
      info: await other.getUserInfo(5001n),
      friends: (await other.getFriends(5001n)).friendUserIds.map(String),
      data: await other.dataGet(5001n, "k"),
    });
    const before = await read();
    expect(before.p2p).toHaveLength(1);

    const page = await open(emulator, `#/state?pid=${OTHER_PID}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export the state" }).click()]);
    expect(download.suggestedFilename()).toBe("rtmkit-emulator-state.json");
    const file = await download.path();
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ format: "rtmkit-emulator-state", version: 1 });

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: `Reset project ${OTHER_PID}` }).click();
    await page.getByText(`Project ${OTHER_PID} reset`).waitFor();
    const emptied = await read();
    expect([emptied.p2p, emptied.group, emptied.members, emptied.friends]).toEqual([[], [], [], []]);

    await page.getByLabel("State file (JSON)").setInputFiles(file);
    await page.getByRole("button", { name: "Import the file" }).click();
    await page.getByText(/^Imported /).waitFor();
    expect(await read()).toEqual(before);
    await closeContexts();
  });

  it("works from the keyboard: skip link, navigation, and an action run with Enter, with visible focus", async () => {
    const page = await open(emulator, "#/overview");
    const focused = () => page.locator(":focus");
    await page.keyboard.press("Tab");
    expect(await focused().textContent()).toBe("Skip to the content");
    expect(await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")).not.toBe("none");
    await page.keyboard.press("Tab");
    expect(await focused().getAttribute("id")).toBe("project");
    await page.keyboard.press("Tab");
    expect(await focused().textContent()).toBe("Overview");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await focused().textContent()).toBe("Users");
    await page.keyboard.press("Enter");
    await page.waitForURL(/#\/users/);
    await expect.poll(async () => focused().textContent()).toBe("Users");
    expect(await focused().getAttribute("id")).toBe("view-title");
    for (let i = 0; i < 80 && (await focused().getAttribute("name")) !== "uid"; i++) await page.keyboard.press("Tab");
    expect(await focused().getAttribute("name")).toBe("uid");
    await page.keyboard.type("4001");
    await page.keyboard.press("Enter");
    await page.getByText("User 4001 logged in.").waitFor();
    expect((await client.getOnlineUsers([4001n])).onlineUserIds.map(String)).toEqual(["4001"]);
    await closeContexts();
  });

  it("passes axe-core on every view with no serious or critical issue", async () => {
    await client.setUserInfo(2001n, "public", "private");
    await client.addGroupMembers(3001n, [3002n]);
    await client.addGroupBan(3001n, 3003n, 300);
    const page = await open(emulator, "#/overview");
    await page.addScriptTag({ path: AXE });
    const problems: string[] = [];
    for (const view of VIEWS) {
      await show(page, `#/${view}`);
      if (view === "conversations") {
        await page.getByRole("button", { name: /2001.*2002|2002.*2001/ }).click();
        await page.locator(".message").first().waitFor();
      }
      if (view === "feed") await page.locator("td.summary").first().waitFor();
      problems.push(...(await accessibilityProblems(page)).map((p) => `${view}: ${p}`));
    }
    expect(problems).toEqual([]);
    await closeContexts();
  });
});

describe("console screenshots", () => {
  it("writes docs/images/console-{overview,conversation,state,feed}.png from fixed data", async () => {
    // A clock that stands still: the times shown, and the figures computed from them, are the same every run.
    const emulator = await consoleEmulator({ now: () => Date.UTC(2026, 0, 15, 9, 30), tsSkewSeconds: 100 * 365 * 86_400 });
    const client = sdk(emulator);
    const listener = sdk(emulator);
    await listener.addListen([77n], [], [1001n], ["login", "logout"]);
    await client.setUserInfo(1001n, "Alice, support team", "employee 4711");
    await client.setUserInfo(1002n, "Bob", "");
    await client.dataSet(1001n, "theme", "dark");
    await client.getToken(1001n);
    await client.addDevice(1002n, "fcm", "device-token-of-bob");
    await client.addProjectBlack(1004n, 3600);
    await client.addFriends(1001n, [1002n, 1003n]);
    await client.addBlacks(1002n, [1004n]);
    await client.addGroupMembers(77n, [1001n, 1002n, 1003n]);
    await client.addGroupBan(77n, 1004n, 3600);
    const lines = ["Hi Bob, is the release ready?", "Almost: one test left.", "Great, ping me when it is green.", "Green. Shipping now."];
    for (const [i, text] of lines.entries()) await client.sendChat(i % 2 === 0 ? 1001n : 1002n, i % 2 === 0 ? 1002n : 1001n, text, i === 1 ? '{"lang":"en"}' : "", { mid: 900_001n + BigInt(i) });
    await client.sendGroupChat(1001n, 77n, "Stand-up in five minutes", "", { mid: 900_101n });
    emulator.userLogin(PID, 1001n);
    await client.sendChat(1001n, 1001n, "to myself", "", { mid: 900_201n }).catch(() => undefined);
    mkdirSync(IMAGES, { recursive: true });

    const overview = await open(emulator, `#/overview?pid=${PID}`);
    await overview.getByText("Recent errors").waitFor();
    await overview.locator("td", { hasText: "sendmsg" }).first().waitFor();
    await overview.screenshot({ path: `${IMAGES}console-overview.png` });

    const conversation = overview;
    await show(conversation, `#/conversations?pid=${PID}`);
    await conversation.getByRole("button", { name: /1001.*1002|1002.*1001/ }).click();
    await conversation.locator(".message-body", { hasText: "Green. Shipping now." }).waitFor();
    await conversation.screenshot({ path: `${IMAGES}console-conversation.png` });

    const state = overview;
    await show(state, `#/users?pid=${PID}`);
    await state.getByRole("rowheader", { name: "1001" }).waitFor();
    await state.screenshot({ path: `${IMAGES}console-state.png` });

    const feed = overview;
    await show(feed, "#/feed");
    await feed.getByText("Live: new events appear at the top.").waitFor();
    await client.sendChat(1002n, 1001n, "Seen in the feed", "", { mid: 900_301n });
    await client.getUserInfo(1002n);
    await feed.locator("td.summary", { hasText: "Seen in the feed" }).first().waitFor();
    await feed.screenshot({ path: `${IMAGES}console-feed.png` });
    await closeContexts();
  });
});
