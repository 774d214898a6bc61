// Opens the report of a real engine run in headless Chromium and checks what a person would see:
// the winner, one plotted point per iteration in every series, placed by value, a legend naming
// every version with shapes that differ, hostile text shown as text, and no request leaving the
// page. ITER8TS_REPORT_SCREENSHOT=<file.png> keeps the screenshot for a look.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readEngineStatus } from "@iter8ts/engine";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { memoryIo } from "../src/__fixtures__/memory-io";
import { runReport } from "../src/report/run-report";
import { fileExperimentSource } from "../src/experiment-source";
import { SIMULATED_VERSIONS, simulatedAbnExperiment } from "@iter8ts/report/testing";
import { findChromium, visitPage } from "./headless-chromium";

const HOSTILE_TARGET = `shop/checkout"><img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`;

/** What the page shows, read from the rendered DOM and its layout. */
interface Seen {
  title: string;
  h1: string;
  winner: string;
  recommended: string;
  target: string;
  scripts: number;
  images: number;
  charts: Array<{
    id: string;
    caption: string;
    box: { left: number; top: number; right: number; bottom: number };
    series: Array<{ name: string; points: Array<{ x: number; y: number; cx: number; cy: number; shown: boolean }> }>;
    legend: Array<{ name: string; shape: string }>;
    tableRows: number;
  }>;
}

const READ_PAGE = `(() => {
  const text = (el) => (el ? el.textContent.trim() : "");
  const dt = [...document.querySelectorAll("#overview dt")].find((d) => d.textContent === "Target");
  return {
    title: document.title,
    h1: text(document.querySelector("h1")),
    winner: text(document.querySelector(".winner-name")),
    recommended: text(document.querySelector(".recommended")),
    target: text(dt && dt.nextElementSibling),
    scripts: document.querySelectorAll("script").length,
    images: document.querySelectorAll("img, image").length,
    charts: [...document.querySelectorAll("svg.chart")].map((svg) => {
      const figure = svg.closest("figure");
      const b = svg.getBoundingClientRect();
      return {
        id: svg.id,
        caption: text(figure.querySelector("figcaption")),
        box: { left: b.left, top: b.top, right: b.right, bottom: b.bottom },
        series: [...svg.querySelectorAll("g.series")].map((g) => ({
          name: g.getAttribute("data-series"),
          points: [...g.querySelectorAll(".point")].map((p) => {
            const r = p.getBoundingClientRect();
            const style = getComputedStyle(p);
            return {
              x: Number(p.getAttribute("data-x")),
              y: Number(p.getAttribute("data-y")),
              cx: r.left + r.width / 2,
              cy: r.top + r.height / 2,
              shown: r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none",
            };
          }),
        })),
        legend: [...figure.querySelectorAll("ul.legend li[data-series]")].map((li) => ({
          name: text(li),
          shape: li.querySelector("svg.swatch > :not(line)").tagName,
        })),
        tableRows: figure.querySelectorAll("details table tbody tr").length,
      };
    }),
  };
})()`;

const chromium = findChromium();
const work = mkdtempSync(join(tmpdir(), "iter8ts-report-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("iter8ctl report in headless Chromium", () => {
  it("shows the winner, every iteration's point for every version, a complete legend, and loads nothing", async () => {
    if (!chromium) {
      const hint = "headless Chromium is needed to check the report page: install Debian's chromium (apt-get install -y chromium; .ci/run does this)";
      throw new Error(`${hint}; it was not found at /usr/bin/chromium nor on PATH`);
    }
    const experiment = await simulatedAbnExperiment({ target: HOSTILE_TARGET });
    const iterations = readEngineStatus(experiment.status).decisions!.length;
    expect(experiment.status?.completedIterations).toBe(iterations);

    // Through the command, as a user runs it: YAML in, a page written to --out.
    const yamlPath = join(work, "experiment.yaml");
    const htmlPath = join(work, "report.html");
    writeFileSync(yamlPath, stringify(experiment));
    const { io, printed } = memoryIo({});
    const code = await runReport(fileExperimentSource(yamlPath), { format: "html", out: htmlPath }, io);
    expect(printed.err).toContain(`to ${htmlPath}`);
    expect(code).toBe(0);

    const url = pathToFileURL(htmlPath).href;
    const visit = await visitPage<Seen>(chromium!, url, READ_PAGE, { width: 1100, timeoutMs: 15_000 });
    if (process.env.ITER8TS_REPORT_SCREENSHOT) writeFileSync(process.env.ITER8TS_REPORT_SCREENSHOT, visit.screenshot);
    const seen = visit.value;

    expect(seen.title).toBe("checkout-abn — Iter8 experiment report");
    expect(seen.h1).toBe("checkout-abn");
    expect(seen.winner).toBe("checkout-v3");
    expect(seen.recommended).toBe("checkout-v3");
    // The hostile target is shown as text; nothing in it ran or loaded.
    expect(seen.target).toBe(HOSTILE_TARGET);
    expect(seen.scripts).toBe(0);
    expect(seen.images).toBe(0);
    expect(visit.requests).toEqual([url]);

    expect(seen.charts.map((c) => c.caption)).toEqual([
      "Traffic weight of each version after each iteration (%)",
      "shop/request-count (requests) — request count",
      "shop/conversion-rate (ratio) — reward (higher is better)",
      "shop/mean-latency (ms) — objective 1",
      "shop/error-rate (ratio) — objective 2",
    ]);
    for (const chart of seen.charts) {
      expect(chart.legend.map((l) => l.name)).toEqual([...SIMULATED_VERSIONS]);
      // Versions differ by marker shape, not only by colour.
      expect(new Set(chart.legend.map((l) => l.shape)).size).toBe(SIMULATED_VERSIONS.length);
      expect(chart.tableRows).toBe(iterations);
      expect(chart.series.map((s) => s.name)).toEqual([...SIMULATED_VERSIONS]);
      const all = chart.series.flatMap((s) => s.points);
      for (const s of chart.series) {
        expect(s.points, `${chart.id} ${s.name}`).toHaveLength(iterations);
        expect(s.points.map((p) => p.x)).toEqual(Array.from({ length: iterations }, (_, i) => i + 1));
        // Later iterations lie further right.
        for (let i = 1; i < s.points.length; i++) expect(s.points[i]!.cx).toBeGreaterThan(s.points[i - 1]!.cx);
      }
      for (const p of all) {
        expect(p.shown).toBe(true);
        expect(p.cx).toBeGreaterThanOrEqual(chart.box.left);
        expect(p.cx).toBeLessThanOrEqual(chart.box.right);
        expect(p.cy).toBeGreaterThanOrEqual(chart.box.top);
        expect(p.cy).toBeLessThanOrEqual(chart.box.bottom);
      }
      // Larger values are drawn higher up: strictly within a series; across series up to the
      // 2 px by which a triangle's box centre sits above its data point.
      const higher = (points: typeof all, slack: number) => {
        const byValue = [...points].sort((a, b) => a.y - b.y);
        for (let i = 1; i < byValue.length; i++) {
          if (byValue[i]!.y > byValue[i - 1]!.y) expect(byValue[i]!.cy, chart.id).toBeLessThan(byValue[i - 1]!.cy + slack);
        }
      };
      for (const s of chart.series) higher(s.points, 0);
      higher(all, 2);
    }

    // A PNG of the whole page, as wide as the window and taller than one screen.
    expect(visit.screenshot.subarray(1, 4).toString("ascii")).toBe("PNG");
    expect(visit.screenshot.readUInt32BE(16)).toBe(1100);
    expect(visit.screenshot.readUInt32BE(20)).toBeGreaterThan(2000);
  });
});
