import { Command, Option } from "commander";
import { processIo, type CommandIo } from "../command-io";
import { renderDescription, summarizeExperiment } from "@iter8ts/report";
import type { ClusterEnv } from "../cluster/cluster-connection";
import { addClusterOptions, chooseExperimentSource, clusterEnv, type ExperimentLocationOptions } from "../cluster/choose-experiment-source";
import type { ExperimentSource } from "@iter8ts/report";
import { loadOrReport } from "../report-issues";
import { forTerminal, jsonForTerminal, yamlForTerminal } from "../terminal-text";

/** Output formats of `describe`: the Iter8 text layout, or the summary as data. */
export const DescribeFormat = { Text: "text", Json: "json", Yaml: "yaml" } as const;
export type DescribeFormat = (typeof DescribeFormat)[keyof typeof DescribeFormat];

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

/** `iter8ctl describe [NAME] [-n NS] | -f FILE|- [-o text|json|yaml]`. */
export function describeCommand(io: CommandIo = processIo, env: ClusterEnv = clusterEnv()): Command {
  const command = new Command("describe")
    .description("Describe an Iter8 experiment: progress, winner, rewards, objectives and metric values")
    .argument("[name]", "experiment in the cluster; default: the most recently created one in the namespace")
    .option("-f, --file <path>", "experiment YAML or JSON file, or - to read standard input (kubectl get experiment NAME -o yaml | iter8ctl describe -f -)")
    .addOption(
      new Option("-o, --output <format>", "text: the Iter8 layout; json or yaml: the same summary as data")
        .choices(Object.values(DescribeFormat))
        .default(DescribeFormat.Text),
    );
  return addClusterOptions(command).action(async (name: string | undefined, opts: ExperimentLocationOptions & { output: DescribeFormat }) => {
    const source = chooseExperimentSource(name, opts, io, env);
    if ("error" in source) {
      io.err(`Error: ${source.error}\n`);
      io.setExitCode(1);
      return;
    }
    io.setExitCode(await runDescribe(source, opts.output, io));
  });
}
