import { writeFile } from "node:fs/promises";
import { extractReportData, type ExperimentSource } from "@iter8ts/report";
import { renderReportHtml } from "@iter8ts/report/html";
import type { CommandIo } from "../command-io";
import { ReportFormat, type ReportDeps, type ReportRequest } from "../commands/report";
import { loadOrReport } from "../report-issues";

/**
 * Renders a report of one experiment as an HTML page or as JSON, to standard output or to the
 * `--out` file.
 * @returns the exit code: 0, or 1 when the experiment cannot be loaded or the output not written.
 */
export async function runReport(source: ExperimentSource, request: ReportRequest, io: CommandIo, deps: ReportDeps = {}): Promise<number> {
  const experiment = await loadOrReport(io, source);
  if (!experiment) return 1;
  const data = extractReportData(experiment);
  const text =
    request.format === ReportFormat.Json
      ? `${JSON.stringify(data, null, 2)}\n`
      : renderReportHtml(data, request.timestamp ? { renderedAt: (deps.now ?? (() => new Date()))().toISOString() } : {});
  if (request.out === undefined || request.out === "-") {
    io.out(text);
    return 0;
  }
  try {
    await (deps.writeFile ?? ((path, t) => writeFile(path, t, "utf8")))(request.out, text);
  } catch (error) {
    io.err(`Error: cannot write the report to ${request.out} given to --out: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  io.err(`Wrote the ${request.format === ReportFormat.Json ? "JSON" : "HTML"} report of ${data.experiment.namespace}/${data.experiment.name} to ${request.out}\n`);
  return 0;
}
