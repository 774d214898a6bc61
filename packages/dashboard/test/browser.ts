// Headless Chromium through playwright-core (pinned), on Debian's `chromium` executable: a
// missing browser fails the test with what to install, never skips it. Every request of every
// page is recorded, so a test can check that nothing left the dashboard's origin.
import { accessSync, constants } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** Debian's Chromium, or an error saying how to get it. */
export function chromiumPath(): string {
  for (const file of CANDIDATES) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // try the next
    }
  }
  throw new Error(`Chromium is not installed (looked for ${CANDIDATES.join(", ")}): these tests drive a real browser; install Debian's package with \`apt-get install chromium\` (.ci/run does)`);
}

/** A browser, and every request its pages made. */
export interface RecordingBrowser {
  browser: Browser;
  requests: string[];
  /** Script errors and console errors of every page (a Content-Security-Policy refusal is one). */
  errors: string[];
  /** A new page in its own context (width × height, JavaScript on or off). */
  page(options?: { width?: number; height?: number; javaScript?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/** Starts headless Chromium (no sandbox: tests run as root in containers). */
export async function launchBrowser(): Promise<RecordingBrowser> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const requests: string[] = [];
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    requests,
    errors,
    async page(options = {}) {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
        javaScriptEnabled: options.javaScript ?? true,
        ...(options.width !== undefined && options.width < 600 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      contexts.push(context);
      context.on("request", (request) => requests.push(request.url()));
      const page = await context.newPage();
      page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
      // A 404 page is the answer to a missing experiment, not an error of the page.
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().includes("404")) errors.push(`${page.url()}: ${message.text()}`);
      });
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** The URLs in `requests` that are not on `origin` (data: URLs and the like included). */
export function offOrigin(requests: readonly string[], origin: string): string[] {
  return requests.filter((url) => new URL(url).origin !== origin);
}

/** What the list page shows for one experiment, read from the DOM. */
export interface SeenRow {
  iteration: string;
  outcome: string;
  winner: string;
  weight: string;
  target: string;
  status: string;
}

/** Reads the list's rows, keyed `namespace/name`. */
export function readRows(page: Page): Promise<Record<string, SeenRow>> {
  return page.evaluate(() => {
    const out: Record<string, SeenRow> = {};
    for (const tr of document.querySelectorAll<HTMLTableRowElement>("table.experiments tbody tr")) {
      const cell = (label: string) => tr.querySelector(`[data-label="${label}"]`)?.textContent?.trim() ?? "";
      out[tr.dataset.experiment ?? ""] = {
        iteration: cell("Iteration"),
        outcome: tr.dataset.outcome ?? "",
        winner: cell("Winner"),
        weight: tr.querySelector(".spark-value")?.textContent ?? "",
        target: cell("Target"),
        status: cell("Status"),
      };
    }
    return out;
  });
}

/** What an experiment's page shows, read from the DOM. */
export interface SeenDetail {
  iteration: string;
  outcome: string;
  winner: string;
  /** Points plotted per version in the traffic chart. */
  weightPoints: Record<string, number[]>;
  events: number;
}

/** Reads an experiment's page. */
export function readDetail(page: Page): Promise<SeenDetail> {
  return page.evaluate(() => {
    const header = document.getElementById("detail-header");
    const weightPoints: Record<string, number[]> = {};
    for (const g of document.querySelectorAll("#chart-weights g.series")) {
      weightPoints[g.getAttribute("data-series") ?? ""] = [...g.querySelectorAll(".point")].map((p) => Number(p.getAttribute("data-y")));
    }
    return {
      iteration: header?.querySelector(".iteration")?.textContent ?? "",
      outcome: header?.getAttribute("data-outcome") ?? "",
      winner: header?.querySelector(".winner")?.textContent ?? "",
      weightPoints,
      events: document.querySelectorAll("#events tbody tr").length,
    };
  });
}

/** Polls `read` (in the test, not in the page) until `done` holds; returns every distinct value seen. */
export async function watchUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 90_000): Promise<T[]> {
  const seen: T[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (seen.length === 0 || JSON.stringify(seen[seen.length - 1]) !== JSON.stringify(value)) seen.push(value);
    if (done(value)) return seen;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
