import type { DemoReport, VersionTraffic } from "./demo-runner";

const ms = (x: number | null) => (x === null ? "n/a" : `${x.toFixed(1)} ms`);

function trafficLine(version: string, t: VersionTraffic): string {
  const errors = t.errorRate === null ? "n/a" : `${(t.errorRate * 100).toFixed(1)}%`;
  const engagement = t.meanEngagement === null ? "n/a" : `${t.meanEngagement.toFixed(1)} s`;
  return `    ${version}: ${t.requests} requests, ${errors} errors, mean ${ms(t.meanLatencyMs)}, p95 ${ms(t.p95LatencyMs)}, engagement ${engagement}`;
}

/** The summary the demo prints at the end: one block per sample and a last line with the verdict. */
export function formatSummary(report: DemoReport): string[] {
  const lines = ["", "=== summary"];
  for (const r of report.results) {
    lines.push(`${r.ok ? "ok    " : "FAILED"} ${r.sample} (${r.seconds.toFixed(1)} s): ${r.message}`);
    if (r.report?.message) lines.push(`    status: ${r.report.stage ?? "?"}, ${r.report.message}`);
    for (const [version, t] of Object.entries(r.traffic)) lines.push(trafficLine(version, t));
    if (r.workdirKept) lines.push(`    working copy kept: ${r.workdir}`);
  }
  const failed = report.results.filter((r) => !r.ok).length;
  lines.push(
    failed === 0
      ? `all ${report.results.length} sample(s) did what they should, in ${report.seconds.toFixed(1)} s`
      : `${failed} of ${report.results.length} sample(s) failed, in ${report.seconds.toFixed(1)} s`,
  );
  return lines;
}
