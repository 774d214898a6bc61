import { Command, Option } from "commander";
import { stringify } from "yaml";
import { processIo, type CommandIo } from "../command-io";
import { renderDescription } from "../describe/render-description";
import { summarizeExperiment } from "../describe/summarize-experiment";
import type { ClusterEnv } from "../cluster/cluster-connection";
import { addClusterOptions, chooseExperimentSource, clusterEnv, type ExperimentLocationOptions } from "../cluster/choose-experiment-source";
import type { ExperimentSource } from "../experiment-source";
import { loadOrReport } from "../report-issues";

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
  const summary = summarizeExperiment(experiment);
  if (format === "json") io.out(`${JSON.stringify(summary, null, 2)}\n`);
  else if (format === "yaml") io.out(stringify(summary));
  else io.out(`${renderDescription(summary)}\n`);
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
