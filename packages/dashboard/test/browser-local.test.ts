// The dashboard of a local run in headless Chromium: `iter8ctl dashboard DIR` and `iter8ctl run
// DIR` (both the built CLI) on a folder with three experiments on mock metrics — an A/B test whose
// candidate wins and gains traffic, one whose objective is marked rollback_on_failure and fails,
// one in the statistics mode — while the list and an experiment's page are open. The pages must follow the run live
// (server-sent events, no reload), mark the rollback, show a hostile target as text, keep every
// request on the dashboard's origin, work from the keyboard and on a phone, and reload themselves
// with JavaScript off. ITER8TS_DASHBOARD_SCREENSHOTS=<folder> keeps screenshots of both pages.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { experimentYaml, folderWith, METRICS_YAML, ROUTING_SHAPES } from "@iter8ts/local/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, offOrigin, readDetail, readRows, watchUntil, type RecordingBrowser } from "./browser";
import { CLI_PATH, requireBuilt, spawnNode, startDashboardProcess, type Spawned } from "./iter8ctl-process";

const HOSTILE = `<img src=x onerror="document.title='pwned'">`;
const ITERATIONS = 8;
const REQUESTS_YAML = `apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: requests
  namespace: shop
spec:
  type: Counter
  mock:
  - name: cart-v1
    level: "400"
  - name: cart-v2
    level: "400"
`;
const shots = process.env.ITER8TS_DASHBOARD_SCREENSHOTS;

let dir: string;
let dashboard: Spawned & { url: string };
let run: Spawned | undefined;
let browser: RecordingBrowser;

beforeAll(async () => {
  requireBuilt(CLI_PATH, "@iter8ts/cli");
  const routing = ROUTING_SHAPES.VirtualService.text;
  dir = await folderWith({
    "experiment.yaml": experimentYaml({ iterations: ITERATIONS, intervalSeconds: 1 }).replace("target: shop/cart", `target: ${JSON.stringify(HOSTILE)}`),
    "rollback.yaml": experimentYaml({
      name: "cart-rollback",
      iterations: ITERATIONS,
      objectives: "    - metric: shop/latency\n      upperLimit: 10\n      rollback_on_failure: true",
    })
      .replace("target: shop/cart", "target: shop/cart-rb")
      .replaceAll("        name: cart\n", "        name: cart-rb\n"),
    // The statistics mode (criteria.strength) on a third routing object.
    "statistics.yaml": experimentYaml({ name: "cart-stats", iterations: 4 })
      .replace("target: shop/cart", "target: shop/cart-st")
      .replaceAll("        name: cart\n", "        name: cart-st\n")
      .replace("  criteria:\n", "  criteria:\n    requestCount: shop/requests\n    strength:\n      confidence: 0.95\n      minSamples: 10\n"),
    "metrics.yaml": `${METRICS_YAML}---\n${REQUESTS_YAML}`,
    "routing.yaml": ["cart", "cart-rb", "cart-st"].map((name) => routing.replace("name: cart\n", `name: ${name}\n`)).join("---\n"),
  });
  dashboard = await startDashboardProcess([dir]);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await run?.stop();
  await dashboard?.stop();
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the dashboard of a local run, in Chromium", () => {
  it("follows the run live on the list and the experiment's page, and marks the rollback", async () => {
    const list = await browser.page();
    await list.goto(dashboard.url);
    const detail = await browser.page();
    await detail.goto(new URL("/experiments/shop/cart-ab", dashboard.url).href);
    for (const page of [list, detail]) {
      await page.waitForFunction(() => document.getElementById("live")?.textContent === "Live");
      // Survives only if the page is never reloaded: updates must come through the stream.
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    }
    const before = await readRows(list);
    expect(before["shop/cart-ab"]).toMatchObject({ iteration: `0 of ${ITERATIONS}`, outcome: "NotStarted", winner: "none yet" });

    run = spawnNode(CLI_PATH, ["run", "--plain", dir]);
    const [rows, pages] = await Promise.all([
      watchUntil(
        () => readRows(list),
        (r) => r["shop/cart-ab"]?.outcome === "Completed" && r["shop/cart-rollback"]?.outcome === "RolledBack" && r["shop/cart-stats"]?.outcome === "Completed",
        "the three experiments ended on the list",
      ),
      watchUntil(() => readDetail(detail), (d) => d.outcome === "Completed", "the experiment's page shows it completed"),
    ]);
    expect(await run.exited, run.output()).toBe(0); // a rollback is an ending, not a failure of the run

    // The list went through the iterations one by one, the winner appeared, the weight moved.
    const iterations = new Set(rows.map((r) => r["shop/cart-ab"]!.iteration));
    expect(iterations.size, [...iterations].join(" | ")).toBeGreaterThanOrEqual(4);
    expect([...iterations].at(-1)).toBe(`${ITERATIONS} of ${ITERATIONS}`);
    const last = rows.at(-1)!;
    expect(last["shop/cart-ab"]!.winner).toBe("cart-v2");
    expect(new Set(rows.map((r) => r["shop/cart-ab"]!.weight)).size).toBeGreaterThanOrEqual(3);
    expect(Number.parseInt(last["shop/cart-ab"]!.weight, 10)).toBeGreaterThan(0);
    expect(last["shop/cart-rollback"]!.status).toContain("rolled back");

    // The experiment's page too: iteration, winner, and one weight point per iteration.
    expect(new Set(pages.map((p) => p.iteration)).size).toBeGreaterThanOrEqual(4);
    const final = pages.at(-1)!;
    expect(final.winner).toBe("cart-v2");
    expect(final.weightPoints["cart-v2"]).toHaveLength(ITERATIONS);
    for (const page of [list, detail]) expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

    // The hostile target is text, not markup.
    expect(last["shop/cart-ab"]!.target).toBe(HOSTILE);
    for (const page of [list, detail]) {
      expect(await page.title()).not.toContain("pwned");
      expect(await page.locator("img").count()).toBe(0);
    }
    const rolledBack = await browser.page();
    await rolledBack.goto(new URL("/experiments/shop/cart-rollback", dashboard.url).href);
    expect((await readDetail(rolledBack)).outcome).toBe("RolledBack");
    expect(await rolledBack.locator("#detail-header .flag").textContent()).toBe("rolled back");

    // In the statistics mode the page shows the evidence behind the decision.
    const statistics = await browser.page();
    await statistics.goto(new URL("/experiments/shop/cart-stats", dashboard.url).href);
    expect(await statistics.locator("#statistics h2").textContent()).toBe("Statistical evidence");
    expect(await statistics.locator("#statistics table.statistics-versions tbody tr").count()).toBe(2);

    if (shots) {
      mkdirSync(shots, { recursive: true });
      await list.screenshot({ path: join(shots, "local-list.png"), fullPage: true });
      await detail.screenshot({ path: join(shots, "local-detail.png"), fullPage: true });
    }
    expect(offOrigin(browser.requests, new URL(dashboard.url).origin)).toEqual([]);
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it("works from the keyboard, filters as you type, and fits a phone", async () => {
    const page = await browser.page();
    await page.goto(dashboard.url);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip");
    // Tab on to the filter, type, and the list narrows without a reload.
    let focused = "";
    for (let i = 0; i < 10 && focused !== "filter-q"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.id ?? "");
    }
    expect(focused).toBe("filter-q");
    await page.keyboard.type("rollback");
    await page.waitForFunction(() => document.querySelectorAll("table.experiments tbody tr").length === 1);
    expect(Object.keys(await readRows(page))).toEqual(["shop/cart-rollback"]);
    expect(new URL(page.url()).search).toBe("?q=rollback");
    // On to the experiment's link, and Enter opens it.
    for (let i = 0; i < 10 && !focused.startsWith("/experiments/"); i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.getAttribute("href") ?? "");
    }
    expect(focused).toBe("/experiments/shop/cart-rollback");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/experiments\/shop\/cart-rollback$/);

    for (const path of ["/", "/experiments/shop/cart-ab"]) {
      const phone = await browser.page({ width: 390, height: 844 });
      await phone.goto(new URL(path, dashboard.url).href);
      const fit = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
      expect(fit.scroll, `${path} on a 390 px screen`).toBeLessThanOrEqual(fit.width);
    }
    const phone = await browser.page({ width: 390, height: 844 });
    await phone.goto(dashboard.url);
    expect(await phone.evaluate(() => getComputedStyle(document.querySelector("table.experiments tbody tr")!).display)).toBe("block");
    if (shots) await phone.screenshot({ path: join(shots, "local-list-phone.png"), fullPage: true });
    expect(offOrigin(browser.requests, new URL(dashboard.url).origin)).toEqual([]);
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it("reloads itself with JavaScript off", async () => {
    const page = await browser.page({ javaScript: false });
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(dashboard.url);
    expect(await page.locator("table.experiments tbody tr").count()).toBe(3);
    await page.waitForTimeout(6_500);
    expect(loads).toBeGreaterThanOrEqual(2);
    expect(await page.locator("#live").textContent()).toContain("Reloads every 5 s");
  }, 30_000);
});
