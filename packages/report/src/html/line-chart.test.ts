import { describe, expect, it } from "vitest";
import { escapeHtml } from "./escape-html";
import { MARKERS, renderLineChart, seriesStyle, type LineChartSpec } from "./line-chart";

/** The markup of one series' group. */
function seriesGroup(html: string, name: string): string {
  const start = html.indexOf(`<g class="series" data-series="${escapeHtml(name)}"`);
  if (start < 0) throw new Error(`no series ${name} in the chart`);
  return html.slice(start, html.indexOf("</g>", start));
}

/** Each marker of a series as [x, y] in pixels, from circle centres. */
function circleCentres(group: string): Array<[number, number]> {
  return [...group.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*class="point"/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const base = (over: Partial<LineChartSpec> = {}): LineChartSpec => ({
  id: "chart-test",
  title: "Weights",
  xLabel: "Iteration",
  yLabel: "Weight (%)",
  series: [
    { name: "v1", points: [{ x: 1, y: 0 }, { x: 2, y: 50 }, { x: 3, y: 100 }] },
    { name: "v2", points: [{ x: 1, y: 100 }, { x: 2, y: 50 }, { x: 3, y: 0 }] },
  ],
  yDomain: [0, 100],
  ...over,
});

describe("renderLineChart", () => {
  it("places each value on the scales: first iteration left, last right, 0 at the bottom, 100 at the top", () => {
    const html = renderLineChart(base());
    // Plot area: x from 72 + 14 to 720 - 24 - 14, y from 300 - 48 up to 16.
    expect(circleCentres(seriesGroup(html, "v1"))).toEqual([
      [86, 252],
      [384, 134],
      [682, 16],
    ]);
    expect(html).toContain('data-x="2" data-y="50"');
  });

  it("draws one marker per value and breaks the line where a value is missing", () => {
    const html = renderLineChart(
      base({ series: [{ name: "latency", points: [{ x: 1, y: 10 }, { x: 2, y: null }, { x: 3, y: 12 }, { x: 4, y: 13 }] }], yDomain: undefined }),
    );
    const group = seriesGroup(html, "latency");
    expect(group.match(/class="point"/g)).toHaveLength(3);
    // The lone first value has no neighbour; 3–4 is one line.
    expect(group.match(/<path class="line"/g)).toHaveLength(1);
    expect(html).toMatch(/<tr><th scope="row">2<\/th><td class="missing">no value<\/td><\/tr>/);
  });

  it("tells series apart by marker shape and dash as well as colour", () => {
    const names = ["a", "b", "c", "d", "e", "f", "g"];
    const html = renderLineChart(base({ series: names.map((name) => ({ name, points: [{ x: 1, y: 1 }, { x: 2, y: 2 }] })), yDomain: undefined }));
    expect(seriesGroup(html, "a")).toContain("<circle");
    expect(seriesGroup(html, "b")).toContain("<rect");
    expect(seriesGroup(html, "c")).toContain("<polygon");
    const styles = names.map((_, i) => seriesStyle(i));
    expect(new Set(styles.slice(0, MARKERS.length).map((s) => s.marker)).size).toBe(MARKERS.length);
    // The seventh series reuses the first marker, so it takes another dash pattern.
    expect(styles[6]!.marker).toBe(styles[0]!.marker);
    expect(styles[6]!.dash).not.toBe(styles[0]!.dash);
    expect(seriesGroup(html, "g")).toContain(`stroke-dasharray="${styles[6]!.dash}"`);
  });

  it("names every series in the legend, with its swatch", () => {
    const html = renderLineChart(base());
    const legend = html.slice(html.indexOf('<ul class="legend"'), html.indexOf("</ul>"));
    expect([...legend.matchAll(/<li data-series="([^"]*)">/g)].map((m) => m[1])).toEqual(["v1", "v2"]);
    expect(legend.match(/<svg class="swatch"/g)).toHaveLength(2);
  });

  it("has an accessible name and description, axis labels, and a data table of the same numbers", () => {
    const html = renderLineChart(base({ description: "Percent of traffic per version." }));
    expect(html).toMatch(/<svg class="chart" id="chart-test"[^>]*role="img" aria-labelledby="chart-test-title chart-test-desc">/);
    expect(html).toContain('<title id="chart-test-title">Weights</title>');
    expect(html).toContain('<desc id="chart-test-desc">Percent of traffic per version.</desc>');
    expect(html).toContain(">Weight (%)</text>");
    expect(html).toContain(">Iteration</text>");
    expect(html).toContain("<details class=\"data\"><summary>Data table: Weights</summary>");
    expect(html).toContain('<thead><tr><th scope="col">Iteration</th><th scope="col">v1</th><th scope="col">v2</th></tr></thead>');
    expect(html).toContain('<tr><th scope="row">3</th><td>100</td><td>0</td></tr>');
    expect(html).toContain("<title>v2, iteration 2: 50</title>");
  });

  it("labels only whole iterations on the x axis, starting at the first one shown", () => {
    const points = Array.from({ length: 12 }, (_, i) => ({ x: i + 1, y: i }));
    const html = renderLineChart(base({ series: [{ name: "v1", points }], yDomain: undefined }));
    const xAxis = html.slice(html.indexOf('<g class="axis x-axis"'), html.indexOf("</g>", html.indexOf('<g class="axis x-axis"')));
    const labels = [...xAxis.matchAll(/text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(labels).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("puts a lone iteration mid-axis", () => {
    const html = renderLineChart(base({ series: [{ name: "v1", points: [{ x: 4, y: 40 }] }] }));
    expect(circleCentres(seriesGroup(html, "v1"))).toEqual([[384, 157.6]]);
  });

  it("draws reference lines and widens the y axis to show them", () => {
    const html = renderLineChart(
      base({ series: [{ name: "v1", points: [{ x: 1, y: 120 }, { x: 2, y: 130 }] }], yDomain: undefined, references: [{ y: 250, label: "upper limit" }] }),
    );
    expect(html).toContain('<line class="reference-line"');
    expect(html).toContain(">upper limit: 250</text>");
    const yLabels = [...html.matchAll(/text-anchor="end" dominant-baseline="middle">([\d.]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(Math.max(...yLabels)).toBeGreaterThanOrEqual(250);
    expect(html).toContain("limit (dashed grey)");
  });

  it("escapes every string from the data, in text and in attributes", () => {
    const evil = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    const html = renderLineChart(
      base({
        id: `x" onload="alert(3)`,
        title: evil,
        description: evil,
        xLabel: evil,
        yLabel: evil,
        series: [{ name: evil, points: [{ x: 1, y: 1 }, { x: 2, y: 2 }] }],
        references: [{ y: 1.5, label: evil }],
      }),
    );
    expect(html).not.toMatch(/<script|<img|onload="|onerror=alert\(2\)>/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('id="x--onload--alert-3-"');
    expect(seriesGroup(html, evil).match(/class="point"/g)).toHaveLength(2);
  });

  it("says so when there is nothing to draw", () => {
    const html = renderLineChart(base({ series: [{ name: "v1", points: [{ x: 1, y: null }] }] }));
    expect(html).toContain(">No values yet</text>");
    expect(html).not.toContain('class="point"');
  });

  it("gives the same markup for the same input", () => {
    expect(renderLineChart(base())).toBe(renderLineChart(base()));
  });
});
