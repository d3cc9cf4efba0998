// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or RESPAN_CHROMIUM) driven by
// playwright-core, with a fresh profile and the network cut off — the context is offline, every
// non-file request is aborted and recorded, so a test can assert that a page needed none.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.RESPAN_CHROMIUM ?? "/usr/bin/chromium";

/** The flags every test browser starts with (a closed network: nothing in the background reaches out). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Why browser tests cannot run here, or undefined when they can. Under CI=true a missing browser is a
 * failure (the caller throws), never a skip.
 */
export function browserUnavailable() {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set RESPAN_CHROMIUM)`;
  if (process.env.CI === "true") throw new Error(`CI=true and ${reason}`);
  return reason;
}

/**
 * Starts Chromium; resolves with `{ context, requests, close }`. `requests` lists every non-file URL
 * any page asked for (each one aborted).
 */
export async function launchOfflineBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), "report-browser-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1440, height: 1000 },
    offline: true,
    timeout: 60_000,
  });
  const requests = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    requests.push(url);
    return route.abort();
  });
  context.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith("file:") && !url.startsWith("data:") && !requests.includes(url)) requests.push(url);
  });
  return {
    context,
    requests,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `file` in a new page; resolves with `{ page, consoleErrors }` once the report has drawn. */
export async function openReport(context, file) {
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(`file://${file}`, { timeout: 60_000 });
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return { page, consoleErrors };
}
