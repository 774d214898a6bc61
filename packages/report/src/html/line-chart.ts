import { linearScale, niceTicks, type AxisTicks } from "./chart-scale";
import { escapeHtml } from "./escape-html";
import { formatNumber } from "../report/format-number";

/** One observation; `y: null` is a gap (no value at that x), which breaks the line. */
export interface ChartPoint {
  x: number;
  y: number | null;
}

/** A named line, e.g. one version. */
export interface ChartSeries {
  name: string;
  points: readonly ChartPoint[];
}

/** A horizontal line across the plot, e.g. an objective's limit. */
export interface ReferenceLine {
  y: number;
  label: string;
}

/** What to draw. Every string is data and is escaped. */
export interface LineChartSpec {
  /** Prefix of the element ids; anything but letters, digits, `-` and `_` is replaced. */
  id: string;
  title: string;
  /** A sentence for screen readers about what the chart shows. */
  description?: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** A fixed y interval (weights: 0–100); by default it encloses the data and the references. */
  yDomain?: readonly [number, number];
  references?: readonly ReferenceLine[];
  /** How values read in tooltips and the data table (default {@link formatNumber}). */
  formatValue?: (value: number) => string;
  width?: number;
  height?: number;
}

/** Colours that stay apart for the common forms of colour blindness (Okabe and Ito). */
export const SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"] as const;

/** Marker shapes, so that series differ without colour. */
export const MARKERS = ["circle", "square", "triangle", "diamond", "triangle-down", "hexagon"] as const;
/** A marker shape. */
export type Marker = (typeof MARKERS)[number];

/** Dash patterns, cycled more slowly than markers so that neighbours differ in both. */
const DASHES = ["", "6 3", "2 3", "8 3 2 3"] as const;

/** How series `index` is drawn. */
export interface SeriesStyle {
  colour: string;
  marker: Marker;
  dash: string;
}

/** The colour, marker and dash of the series at `index`; the same index always looks the same. */
export function seriesStyle(index: number): SeriesStyle {
  return {
    colour: SERIES_COLOURS[index % SERIES_COLOURS.length]!,
    marker: MARKERS[index % MARKERS.length]!,
    dash: DASHES[Math.floor(index / MARKERS.length) % DASHES.length]!,
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** The SVG tag and geometry attributes of `marker` centred on (x, y). */
function markerGeometry(marker: Marker, x: number, y: number, r: number): [tag: string, geometry: string] {
  const points = (list: Array<[number, number]>) =>
    `points="${list.map(([dx, dy]) => `${round(x + dx)},${round(y + dy)}`).join(" ")}"`;
  switch (marker) {
    case "circle":
      return ["circle", `cx="${round(x)}" cy="${round(y)}" r="${round(r)}"`];
    case "square":
      return ["rect", `x="${round(x - r * 0.9)}" y="${round(y - r * 0.9)}" width="${round(r * 1.8)}" height="${round(r * 1.8)}"`];
    case "triangle":
      return ["polygon", points([[0, -r * 1.2], [r * 1.1, r * 0.8], [-r * 1.1, r * 0.8]])];
    case "triangle-down":
      return ["polygon", points([[0, r * 1.2], [r * 1.1, -r * 0.8], [-r * 1.1, -r * 0.8]])];
    case "diamond":
      return ["polygon", points([[0, -r * 1.3], [r * 1.3, 0], [0, r * 1.3], [-r * 1.3, 0]])];
    case "hexagon":
      return ["polygon", points([0, 1, 2, 3, 4, 5].map((k): [number, number] => [r * 1.1 * Math.cos((Math.PI / 3) * k), r * 1.1 * Math.sin((Math.PI / 3) * k)]))];
  }
}

/**
 * An SVG element drawing `marker` of radius `size` centred on (x, y), with extra (already safe)
 * attributes and an optional tooltip, which is escaped.
 */
export function markerShape(marker: Marker, x: number, y: number, size: number, attributes: string, tooltip?: string): string {
  const [tag, geometry] = markerGeometry(marker, x, y, size);
  if (tooltip === undefined) return `<${tag} ${geometry} ${attributes}/>`;
  return `<${tag} ${geometry} ${attributes}><title>${escapeHtml(tooltip)}</title></${tag}>`;
}

/** A small picture of a series' line and marker, for the legend. */
function legendSwatch(style: SeriesStyle): string {
  const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : "";
  const shape = markerShape(style.marker, 16, 8, 4, `fill="${style.colour}"`);
  return `<svg class="swatch" width="32" height="16" viewBox="0 0 32 16" aria-hidden="true" focusable="false"><line x1="1" y1="8" x2="31" y2="8" stroke="${style.colour}" stroke-width="2"${dash}/>${shape}</svg>`;
}

function referenceSwatch(): string {
  return `<svg class="swatch" width="32" height="16" viewBox="0 0 32 16" aria-hidden="true" focusable="false"><line x1="1" y1="8" x2="31" y2="8" class="reference-line"/></svg>`;
}

function safeId(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, "-");
  return /^[A-Za-z]/.test(cleaned) ? cleaned : `c-${cleaned}`;
}

/** The x values of every series, ascending, once each. */
function xValues(series: readonly ChartSeries[]): number[] {
  const xs = new Set<number>();
  for (const s of series) for (const p of s.points) if (Number.isFinite(p.x)) xs.add(p.x);
  return [...xs].sort((a, b) => a - b);
}

function plotted(points: readonly ChartPoint[]): Array<{ x: number; y: number }> {
  return points.filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y) && Number.isFinite(p.x));
}

/** Splits a series at its gaps: each run of consecutive values becomes one line. */
function runs(points: readonly ChartPoint[]): Array<Array<{ x: number; y: number }>> {
  const out: Array<Array<{ x: number; y: number }>> = [];
  let current: Array<{ x: number; y: number }> = [];
  for (const p of [...points].sort((a, b) => a.x - b.x)) {
    if (p.y === null || !Number.isFinite(p.y) || !Number.isFinite(p.x)) {
      if (current.length) out.push(current);
      current = [];
    } else {
      current.push({ x: p.x, y: p.y });
    }
  }
  if (current.length) out.push(current);
  return out;
}

function yTicks(spec: LineChartSpec): AxisTicks {
  if (spec.yDomain) return niceTicks(spec.yDomain[0], spec.yDomain[1], 5);
  const ys = spec.series.flatMap((s) => plotted(s.points).map((p) => p.y));
  for (const r of spec.references ?? []) if (Number.isFinite(r.y)) ys.push(r.y);
  if (ys.length === 0) return niceTicks(0, 1, 5);
  let lo = Math.min(...ys);
  const hi = Math.max(...ys);
  // Non-negative data reads best from zero unless it sits far from it.
  if (lo > 0 && lo < hi * 0.5) lo = 0;
  return niceTicks(lo, hi, 5);
}

/**
 * Draws a line chart as a self-contained `<figure>`: an inline SVG (axes, grid, one line and
 * marker shape per series, reference lines, a tooltip per point), a legend that names every
 * series, and a data table in `<details>` holding the same numbers for people who cannot see
 * the chart. Series differ by colour, marker shape and dash pattern, never by colour alone.
 * Output depends only on the input (coordinates are rounded to 0.01 px).
 */
export function renderLineChart(spec: LineChartSpec): string {
  const id = safeId(spec.id);
  const width = spec.width ?? 720;
  const height = spec.height ?? 300;
  const margin = { top: 16, right: 24, bottom: 48, left: 72 };
  const format = spec.formatValue ?? formatNumber;
  const xs = xValues(spec.series);
  // The x axis spans exactly the iterations shown (a lone one sits mid-axis), with whole-number
  // ticks inside that span: an axis from 0 would suggest an iteration 0.
  const xFirst = xs[0] ?? 1;
  const xLast = xs[xs.length - 1] ?? xFirst;
  const xDomain: [number, number] = xFirst === xLast ? [xFirst - 1, xFirst + 1] : [xFirst, xLast];
  const xTickValues = niceTicks(xDomain[0], xDomain[1], Math.min(12, Math.max(2, xs.length - 1)), true).ticks.filter(
    (t) => t >= xDomain[0] && t <= xDomain[1] && (xFirst !== xLast || t === xFirst),
  );
  const yAxis = yTicks(spec);
  // Inset so that the first and last markers do not sit on the axis lines.
  const x = linearScale(xDomain, [margin.left + 14, width - margin.right - 14]);
  const y = linearScale([yAxis.min, yAxis.max], [height - margin.bottom, margin.top]);
  const plotBottom = height - margin.bottom;
  const plotRight = width - margin.right;

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" id="${id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title${spec.description ? ` ${id}-desc` : ""}">`,
  );
  parts.push(`<title id="${id}-title">${escapeHtml(spec.title)}</title>`);
  if (spec.description) parts.push(`<desc id="${id}-desc">${escapeHtml(spec.description)}</desc>`);

  parts.push(`<g class="grid" aria-hidden="true">`);
  for (const t of yAxis.ticks) {
    const py = round(y(t));
    parts.push(`<line x1="${margin.left}" y1="${py}" x2="${plotRight}" y2="${py}"/>`);
  }
  parts.push(`</g>`);

  parts.push(`<g class="axis y-axis" aria-hidden="true">`);
  parts.push(`<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${plotBottom}"/>`);
  for (const t of yAxis.ticks) {
    parts.push(`<text x="${margin.left - 8}" y="${round(y(t))}" text-anchor="end" dominant-baseline="middle">${escapeHtml(t.toFixed(yAxis.decimals))}</text>`);
  }
  const yMid = round((margin.top + plotBottom) / 2);
  parts.push(`<text class="axis-label" x="16" y="${yMid}" text-anchor="middle" transform="rotate(-90 16 ${yMid})">${escapeHtml(spec.yLabel)}</text>`);
  parts.push(`</g>`);

  parts.push(`<g class="axis x-axis" aria-hidden="true">`);
  parts.push(`<line x1="${margin.left}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}"/>`);
  for (const t of xTickValues) {
    const px = round(x(t));
    parts.push(`<line x1="${px}" y1="${plotBottom}" x2="${px}" y2="${plotBottom + 5}"/>`);
    parts.push(`<text x="${px}" y="${plotBottom + 18}" text-anchor="middle">${escapeHtml(String(t))}</text>`);
  }
  parts.push(`<text class="axis-label" x="${round((margin.left + plotRight) / 2)}" y="${height - 8}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(`</g>`);

  const references = (spec.references ?? []).filter((r) => Number.isFinite(r.y) && r.y >= yAxis.min && r.y <= yAxis.max);
  if (references.length) {
    parts.push(`<g class="references">`);
    for (const r of references) {
      const py = round(y(r.y));
      parts.push(
        `<line class="reference-line" x1="${margin.left}" y1="${py}" x2="${plotRight}" y2="${py}"><title>${escapeHtml(`${r.label}: ${format(r.y)}`)}</title></line>`,
      );
      parts.push(`<text class="reference-label" x="${plotRight - 4}" y="${round(py - 4)}" text-anchor="end">${escapeHtml(`${r.label}: ${format(r.y)}`)}</text>`);
    }
    parts.push(`</g>`);
  }

  spec.series.forEach((series, index) => {
    const style = seriesStyle(index);
    const name = escapeHtml(series.name);
    parts.push(`<g class="series" data-series="${name}" data-index="${index}">`);
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : "";
    for (const run of runs(series.points)) {
      if (run.length < 2) continue;
      const d = run.map((p, i) => `${i === 0 ? "M" : "L"}${round(x(p.x))},${round(y(p.y))}`).join(" ");
      parts.push(`<path class="line" d="${d}" fill="none" stroke="${style.colour}" stroke-width="2"${dash}/>`);
    }
    for (const p of plotted(series.points)) {
      const tooltip = `${series.name}, ${spec.xLabel.toLowerCase()} ${p.x}: ${format(p.y)}`;
      const attrs = `class="point" data-x="${p.x}" data-y="${p.y}" fill="${style.colour}" stroke="#ffffff" stroke-width="1"`;
      parts.push(markerShape(style.marker, x(p.x), y(p.y), 4.5, attrs, tooltip));
    }
    parts.push(`</g>`);
  });

  if (spec.series.every((s) => plotted(s.points).length === 0)) {
    parts.push(`<text class="empty" x="${round((margin.left + plotRight) / 2)}" y="${yMid}" text-anchor="middle">No values yet</text>`);
  }
  parts.push(`</svg>`);

  const legend: string[] = [`<ul class="legend" aria-label="Legend">`];
  spec.series.forEach((series, index) => {
    legend.push(`<li data-series="${escapeHtml(series.name)}">${legendSwatch(seriesStyle(index))}<span>${escapeHtml(series.name)}</span></li>`);
  });
  if (references.length) legend.push(`<li class="reference">${referenceSwatch()}<span>limit (dashed grey)</span></li>`);
  legend.push(`</ul>`);

  const table: string[] = [
    `<details class="data"><summary>Data table: ${escapeHtml(spec.title)}</summary>`,
    `<table><caption>${escapeHtml(spec.title)}</caption><thead><tr><th scope="col">${escapeHtml(spec.xLabel)}</th>`,
  ];
  for (const s of spec.series) table.push(`<th scope="col">${escapeHtml(s.name)}</th>`);
  table.push(`</tr></thead><tbody>`);
  for (const xv of xs) {
    table.push(`<tr><th scope="row">${xv}</th>`);
    for (const s of spec.series) {
      const p = s.points.find((q) => q.x === xv);
      table.push(p && p.y !== null && Number.isFinite(p.y) ? `<td>${escapeHtml(format(p.y))}</td>` : `<td class="missing">no value</td>`);
    }
    table.push(`</tr>`);
  }
  table.push(`</tbody></table></details>`);

  return [
    `<figure class="chart-figure" aria-labelledby="${id}-caption">`,
    `<figcaption id="${id}-caption">${escapeHtml(spec.title)}</figcaption>`,
    parts.join(""),
    legend.join(""),
    table.join(""),
    `</figure>`,
  ].join("\n");
}
