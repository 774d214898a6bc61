import { escapeHtml } from "@iter8ts/report/html";

const WIDTH = 120;
const HEIGHT = 28;
const PAD = 3;

/**
 * A small inline SVG of a weight (0–100 %) over iterations: a line through the recorded points,
 * a dot on the latest, and a `<title>` (also the accessible name) that reads the numbers out.
 * Gaps (null) break the line. Empty series draw a flat grey rule and say there is no data.
 */
export function renderSparkline(label: string, points: ReadonlyArray<{ iteration: number; weight: number | null }>): string {
  const known = points.filter((p): p is { iteration: number; weight: number } => p.weight !== null && Number.isFinite(p.weight));
  const text = known.length
    ? `${label}: ${known.map((p) => `${p.weight}% at iteration ${p.iteration}`).join(", ")}`
    : `${label}: no weights recorded yet`;
  const open = `<svg class="sparkline" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(text)}"><title>${escapeHtml(text)}</title>`;
  if (known.length === 0) return `${open}<line class="spark-empty" x1="${PAD}" y1="${HEIGHT / 2}" x2="${WIDTH - PAD}" y2="${HEIGHT / 2}"/></svg>`;
  const first = points[0]!.iteration;
  const last = points[points.length - 1]!.iteration;
  const x = (i: number) => (last === first ? WIDTH / 2 : PAD + ((i - first) / (last - first)) * (WIDTH - 2 * PAD));
  const y = (w: number) => HEIGHT - PAD - (Math.min(100, Math.max(0, w)) / 100) * (HEIGHT - 2 * PAD);
  const r = (n: number) => Math.round(n * 10) / 10;
  const runs: string[] = [];
  let current: string[] = [];
  for (const p of points) {
    if (p.weight === null || !Number.isFinite(p.weight)) {
      if (current.length > 1) runs.push(current.join(" "));
      current = [];
    } else current.push(`${r(x(p.iteration))},${r(y(p.weight))}`);
  }
  if (current.length > 1) runs.push(current.join(" "));
  const end = known[known.length - 1]!;
  return [
    open,
    `<line class="spark-axis" x1="${PAD}" y1="${HEIGHT - PAD}" x2="${WIDTH - PAD}" y2="${HEIGHT - PAD}"/>`,
    ...runs.map((pts) => `<polyline class="spark-line" points="${pts}"/>`),
    `<circle class="spark-dot" cx="${r(x(end.iteration))}" cy="${r(y(end.weight))}" r="2.5"/>`,
    `</svg>`,
  ].join("");
}
