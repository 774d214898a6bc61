import { Command, Option } from "commander";
import { processIo, type CommandIo } from "../command-io";
import type { ClusterEnv } from "../cluster/cluster-connection";
import { addClusterOptions, clusterEnv, type ExperimentLocationOptions } from "../cluster/cluster-options";

/** Output formats of `describe`: the Iter8 text layout, or the summary as data. */
export const DescribeFormat = { Text: "text", Json: "json", Yaml: "yaml" } as const;
export type DescribeFormat = (typeof DescribeFormat)[keyof typeof DescribeFormat];

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
    const [{ chooseExperimentSource }, { runDescribe }] = await Promise.all([import("../cluster/choose-experiment-source"), import("../describe/run-describe")]);
    const source = chooseExperimentSource(name, opts, io, env);
    if ("error" in source) {
      io.err(`Error: ${source.error}\n`);
      io.setExitCode(1);
      return;
    }
    io.setExitCode(await runDescribe(source, opts.output, io));
  });
}
