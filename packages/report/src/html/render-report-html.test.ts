import type { Experiment } from "@iter8ts/types";
import { beforeAll, describe, expect, it } from "vitest";
import {
  alwaysValidEvidence,
  groupSequentialEvidence,
  objectiveEvidence,
  rewardEvidence,
  srmEvidence,
  statisticsAnalysis,
  statisticsState,
  versionEvidence,
  winnerEvidence,
} from "../report/__fixtures__/statistics-evidence";
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

  it("shows each candidate's sequential test: the group-sequential look of K, z against this look's boundary and alpha spent, or the always-valid figures and why that design decides", () => {
    const withSequential = (sequential: Parameters<typeof winnerEvidence>[0], state: ReturnType<typeof statisticsState>) => {
      const e = structuredClone(abn);
      (e.status!.analysis as Record<string, unknown>).statistics = statisticsAnalysis({
        winner: winnerEvidence(sequential),
        versions: SIMULATED_VERSIONS.map((v) => versionEvidence(v, { status: "feasible" })),
        state,
      });
      return renderReportHtml(extractReportData(e));
    };
    const design = { spending: "obrien-fleming" as const, alphaUpper: 0.025, alphaLower: 0.025, plannedLooks: 12, tests: {} };
    const gs = withSequential(
      {
        sequential: {
          "checkout-v2": groupSequentialEvidence({ z: -0.42, look: 5, plannedLooks: 12, upperBound: 4.3325, lowerBound: -4.3325, spentUpper: 0.0000073, spentLower: 0.0000073 }, { pValue: 1, looks: 5 }),
          "checkout-v3": groupSequentialEvidence(
            { z: 3.9, look: 7, plannedLooks: 12, upperBound: 3.05, lowerBound: -3.05, spentUpper: 0.0023, spentLower: 0.0023 },
            { pValue: 0.0123, lower: 0.004, upper: 0.021, looks: 7, favours: "candidate" },
          ),
        },
      },
      statisticsState(design),
    );
    const table = gs.slice(gs.indexOf('<table class="statistics-sequential">'), gs.indexOf("</table>", gs.indexOf('<table class="statistics-sequential">')));
    expect(table).toContain("<caption>Sequential tests against the baseline");
    // The baseline has no test of its own: one row per candidate.
    expect(table.match(/<tr><th scope="row">/g)).toHaveLength(2);
    expect(table).toContain(
      '<tr><th scope="row">checkout-v3</th><td>group-sequential <span class="note">(O&#39;Brien-Fleming-like alpha spending)</span></td><td>7 of 12</td><td class="num">3.9</td><td>candidate above 3.05; baseline below -3.05</td><td>0.0023 of 0.025 (candidate side); 0.0023 of 0.025 (baseline side)</td><td>0.0123 <span class="note">(interval 0.004 to 0.021)</span> <span class="note">(reported, not deciding)</span></td><td><span class="verdict-met">favours the candidate</span></td></tr>',
    );
    expect(table).toContain('<td>5 of 12</td><td class="num">-0.42</td><td>candidate above 4.33; baseline below -4.33</td><td>7.3e-6 of 0.025 (candidate side)');
    expect(table).toContain('<span class="verdict-none">not significant yet</span>');

    // The design stopped applying: the always-valid p-value decides and the page says why, escaped.
    const why = `the planned looks changed (12 → 16: maxLoops × iterationsPerLoop) <script>alert(1)</script>`;
    const av = withSequential(
      { sequential: { "checkout-v3": alwaysValidEvidence({ pValue: 0.0042, lower: 0.003, upper: 0.02, looks: 9, alpha: 0.05, favours: "candidate" }) } },
      statisticsState({ ...design, abandoned: why }),
    );
    expect(av).not.toContain("<script>alert(1)");
    expect(av).toContain(
      '<tr><th scope="row">checkout-v3</th><td>always-valid <span class="note">(the planned looks changed (12 → 16: maxLoops × iterationsPerLoop) &lt;script&gt;alert(1)&lt;/script&gt;)</span></td><td>9 looks, any number allowed</td><td class="num">—</td><td>—</td><td><span class="note">none: level 0.05 at every look</span></td><td>0.0042 <span class="note">(interval 0.003 to 0.02)</span></td><td><span class="verdict-met">favours the candidate</span></td></tr>',
    );
    // Chosen by the experiment.
    expect(withSequential({ sequential: { "checkout-v3": alwaysValidEvidence({ looks: 1 }) } }, statisticsState())).toContain(
      '<td>always-valid <span class="note">(chosen by strength.design: always-valid)</span></td><td>1 look, any number allowed</td>',
    );
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
