import { Command } from "commander";
import { processIo, type CommandIo } from "../command-io";
import type { ClusterEnv } from "../cluster/cluster-connection";
import { addClusterOptions, clusterEnv, type ExperimentLocationOptions } from "../cluster/cluster-options";

/**
 * The conditions `-c` accepts, for the help text: @iter8ts/report's ASSERT_CONDITIONS, written out
 * so that `--help` does not load the report package (assert.test.ts checks they are the same).
 */
export const ASSERT_CONDITION_NAMES = ["completed", "winnerFound", "candidateWon", "noFailure"] as const;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `iter8ctl assert [NAME] [-n NS] | -f FILE|- -c COND[,COND…] [--timeout DURATION]`. */
export function assertCommand(io: CommandIo = processIo, env: ClusterEnv = clusterEnv()): Command {
  const command = new Command("assert")
    .description("Assert conditions for an Iter8 experiment; exit 0 when all hold, 1 otherwise")
    .argument("[name]", "experiment in the cluster; default: the most recently created one in the namespace")
    .option("-f, --file <path>", "experiment YAML or JSON file, or - to read standard input")
    .option("-c, --condition <conditions>", `conditions to check, repeated or comma-separated: ${ASSERT_CONDITION_NAMES.join(", ")}`, collect)
    .option("--timeout <duration>", "wait up to this long (e.g. 30s, 5m, 1h) for the conditions to hold, re-reading the experiment");
  return addClusterOptions(command).action(async (name: string | undefined, opts: ExperimentLocationOptions & { condition?: string[]; timeout?: string }) => {
    const [{ AssertUsageError, parseConditions }, { chooseExperimentSource }, { runAssert }, { parseDuration }] = await Promise.all([
      import("@iter8ts/report"),
      import("../cluster/choose-experiment-source"),
      import("../assert/run-assert"),
      import("../assert/parse-duration"),
    ]);
    // Checked here rather than by an option parser, which would load the duration syntax
    // (@iter8ts/metrics) for every command; the error is the one commander gives a bad argument.
    const timeoutMs = opts.timeout === undefined ? 0 : parseDuration(opts.timeout);
    if (timeoutMs === undefined) {
      command.error(`error: option '--timeout <duration>' argument '${opts.timeout}' is invalid. Write a duration such as 30s, 5m, 1h or 1m30s.`, { exitCode: 1, code: "commander.invalidArgument" });
      return;
    }
    let conditions;
    try {
      conditions = parseConditions(opts.condition ?? []);
    } catch (error) {
      if (!(error instanceof AssertUsageError)) throw error;
      io.err(`Error: ${error.message}\n`);
      io.setExitCode(1);
      return;
    }
    const source = chooseExperimentSource(name, opts, io, env);
    if ("error" in source) {
      io.err(`Error: ${source.error}\n`);
      io.setExitCode(1);
      return;
    }
    io.setExitCode(await runAssert(source, conditions, { timeoutMs }, io));
  });
}
