import type { Experiment } from "@iter8ts/types";
import { beforeAll, describe, expect, it } from "vitest";
import { objectiveEvidence, rewardEvidence, srmEvidence, statisticsAnalysis, versionEvidence, winnerEvidence } from "../report/__fixtures__/statistics-evidence";
import { SIMULATED_VERSIONS, simulatedAbnExperiment } from "../report/__fixtures__/simulated-experiment";
import { extractReportData, type ReportData } from "../report/extract-report-data";
import { renderReportHtml } from "./render-report-html";

let abn: Experiment;
let data: ReportData;
beforeAll(async () => {
  abn = await simulatedAbnExperiment();
  data = extractReportData(abn);
});

/** Replaces every occurrence of `from` in the data's strings (names, messages, reasons) by `to`. */
function replaceEverywhere(d: ReportData, from: string, to: string): ReportData {
  return JSON.parse(JSON.stringify(d).replaceAll(from, JSON.stringify(to).slice(1, -1))) as ReportData;
}

describe("renderReportHtml", () => {
  it("is one self-contained page that cannot load anything", () => {
    const html = renderReportHtml(data);
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;`);
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed|img)\b/);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it("shows the overview, the winner and why, and the version recommended for promotion", () => {
    const html = renderReportHtml(data);
    expect(html).toContain("<title>checkout-abn — Iter8 experiment report</title>");
    expect(html).toContain("<h1>checkout-abn</h1>");
    expect(html).toContain('<span class="badge">Completed</span>');
    expect(html).toContain("<dt>Target</dt><dd>shop/checkout</dd>");
    expect(html).toContain("<dt>Iterations</dt><dd>12 of 12 completed</dd>");
    expect(html).toContain('<p class="winner" data-winner="checkout-v3">Winner: <span class="winner-name">checkout-v3</span></p>');
    expect(html).toContain("The winner since iteration 2.");
    expect(html).toMatch(/<strong>Why:<\/strong> <span class="explanation">checkout-v3 has the best shop\/conversion-rate/);
    expect(html).toContain('<strong>Recommended for promotion:</strong> <span class="recommended">checkout-v3</span>');
  });

  it("draws the weights and one chart per metric, each with a legend of every version and a data table", () => {
    const html = renderReportHtml(data);
    const charts = [...html.matchAll(/<svg class="chart" id="([^"]+)"/g)].map((m) => m[1]);
    expect(charts).toEqual(["chart-weights", "chart-metric-0", "chart-metric-1", "chart-metric-2", "chart-metric-3"]);
    const legends = [...html.matchAll(/<ul class="legend"[^>]*>(.*?)<\/ul>/g)].map((m) => [...m[1]!.matchAll(/<li data-series="([^"]*)">/g)].map((l) => l[1]));
    expect(legends).toEqual(Array(5).fill([...SIMULATED_VERSIONS]));
    expect(html.match(/<details class="data">/g)).toHaveLength(5);
    expect(html).toContain("<figcaption id=\"chart-metric-2-caption\">shop/mean-latency (ms) — objective 1</figcaption>");
    expect(html).toContain(">upper limit: 250</text>");
  });

  it("tabulates objectives with limits and per-version verdicts in words, and the reward with its best value", () => {
    const html = renderReportHtml(data);
    expect(html).toContain('<td data-version="checkout-v2"><span class="verdict-not-met">✗ not met</span> <span class="note">(0 of 12)</span></td>');
    expect(html).toContain('<td data-version="checkout-v3"><span class="verdict-met">✓ met</span> <span class="note">(12 of 12)</span></td>');
    expect(html).toMatch(/<th scope="row">shop\/conversion-rate<\/th><td>higher<\/td>.*★ best<\/td><\/tr>/);
  });

  it("lists every decision with its reason", () => {
    const html = renderReportHtml(data);
    const rows = html.slice(html.indexOf('<table class="decisions">')).match(/<tr><th scope="row" class="num">\d+<\/th>/g);
    expect(rows).toHaveLength(12);
    expect(html).toContain("Winner: checkout-v1. Weights set to checkout-v1=94, checkout-v2=3, checkout-v3=3.");
  });

  it("escapes every string that comes from the experiment", () => {
    const evil = `x"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    let hostile = replaceEverywhere(data, "checkout-v3", `v3${evil}`);
    hostile = replaceEverywhere(hostile, "checkout-abn", `abn${evil}`);
    hostile = replaceEverywhere(hostile, "shop/mean-latency", `shop/latency${evil}`);
    hostile = replaceEverywhere(hostile, "Experiment completed successfully", `done${evil}`);
    hostile.metrics[2]!.units = `ms${evil}`;
    const html = renderReportHtml(hostile);
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("v3x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;");
    expect(html).toContain("<h1>abnx&quot;&gt;&lt;script&gt;");
    // The hostile version still gets its own series and legend entry.
    expect(html.match(/<g class="series" data-series="v3x&quot;&gt;&lt;script&gt;/g)).toHaveLength(5);
  });

  it("shows the statistics evidence when the analysis has it", () => {
    const e = structuredClone(abn);
    (e.status!.analysis as Record<string, unknown>).statistics = statisticsAnalysis({
      winner: winnerEvidence({ rule: "winner", reason: "checkout-v3 is best with probability 0.97 ≥ 0.95.", winner: "checkout-v3", confidence: 0.95, probabilityBest: { "checkout-v3": 0.97 } }),
      versions: [
        versionEvidence("checkout-v3", { status: "feasible", feasibility: 0.99, sampleSize: 6000, reward: rewardEvidence({ posteriorMean: 0.0466, interval: [0.041, 0.052] }) }),
      ],
      objectives: [
        objectiveEvidence({ objective: 0, metric: "shop/mean-latency", version: "checkout-v2", decision: "violated", probability: 0.001, reason: "P(latency ≤ 250) = 0.001 ≤ 0.05" }),
      ],
      srm: srmEvidence({ status: "ok", reason: "Traffic matches the weights (p = 0.41).", pValue: 0.41 }),
    });
    const html = renderReportHtml(extractReportData(e));
    expect(html).toContain('<h2 id="statistics-h">Statistical evidence</h2>');
    expect(html).toContain("<strong>Winner rule (winner):</strong> checkout-v3 is best with probability 0.97 ≥ 0.95.");
    expect(html).toMatch(/<th scope="row">checkout-v3<\/th><td>feasible<\/td><td class="num">0\.99<\/td><td class="num">6000<\/td><td class="num">0\.0466<\/td><td class="num">0\.041 to 0\.052<\/td><td class="num">0\.97<\/td>/);
    expect(html).toContain("P(latency ≤ 250) = 0.001 ≤ 0.05");
    expect(html).toContain("Traffic check (sample ratio): ok.");
    expect(renderReportHtml(data)).not.toContain("Statistical evidence");
  });

  it("gives the same bytes for the same experiment, and prints a render time only when asked", () => {
    expect(renderReportHtml(extractReportData(structuredClone(abn)))).toBe(renderReportHtml(data));
    expect(renderReportHtml(data)).not.toContain("Rendered at");
    expect(renderReportHtml(data, { renderedAt: "2024-06-01T12:00:00.000Z" })).toContain("Rendered at 2024-06-01T12:00:00.000Z.");
  });

  it("renders an experiment that has not started without charts", () => {
    const e = structuredClone(abn);
    delete e.status;
    const html = renderReportHtml(extractReportData(e));
    expect(html).toContain('<span class="badge">Not started</span>');
    expect(html).toContain("No winner assessed yet");
    expect(html).not.toContain('<svg class="chart"');
    expect(html).toContain("No iteration has been analysed yet.");
  });
});
