import { renderDescription, summarizeExperiment, type ExperimentSource } from "@iter8ts/report";
import type { CommandIo } from "../command-io";
import type { DescribeFormat } from "../commands/describe";
import { loadOrReport } from "../report-issues";
import { forTerminal, jsonForTerminal, yamlForTerminal } from "../terminal-text";

/**
 * Describes one experiment: loads it, then prints the text layout (followed by a blank line, as
 * Iter8 always printed it) or the summary as JSON or YAML.
 * @returns the exit code: 0, or 1 when the experiment cannot be loaded.
 */
export async function runDescribe(source: ExperimentSource, format: DescribeFormat, io: CommandIo): Promise<number> {
  const experiment = await loadOrReport(io, source);
  if (!experiment) return 1;
  // JSON and YAML keep the data exact (control characters as escapes the reader decodes); the
  // text layout shows them escaped, and is laid out on what it shows.
  if (format === "json") io.out(`${jsonForTerminal(summarizeExperiment(experiment))}\n`);
  else if (format === "yaml") io.out(yamlForTerminal(summarizeExperiment(experiment)));
  else io.out(`${renderDescription(summarizeExperiment(forTerminal(experiment)))}\n`);
  return 0;
}
