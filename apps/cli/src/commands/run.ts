import { createInterface } from "node:readline";
import { Command } from "commander";
import { processIo, type CommandIo } from "../command-io";
import type { ProgressStream } from "../progress/progress-reporter";
import { providerOption } from "../provider-option";

/**
 * @iter8ts/local's STATE_FOLDER and PASSED_VARIABLES, written out for the help text so that
 * `--help` does not load local mode (run.test.ts checks they are the same).
 */
export const LOCAL_STATE_FOLDER = ".iter8ctl";
export const TASK_VARIABLES: readonly string[] = ["PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR"];

/** Exit codes of `iter8ctl run`. */
export const RunExitCode = {
  /** Every experiment completed without failure. */
  Completed: 0,
  /** An experiment failed, or the documents could not be run. */
  Failed: 1,
  /** Ctrl-C (SIGINT): state saved; the same command resumes. */
  Interrupted: 130,
  /** SIGTERM: state saved; the same command resumes. */
  Terminated: 143,
} as const;
export type RunExitCode = (typeof RunExitCode)[keyof typeof RunExitCode];

/** What `run` needs from its process besides printing: the terminal, the environment, signals. */
export interface RunRuntime {
  /** Progress goes here; a TTY gets the live view. */
  progress: ProgressStream;
  /**
   * This process's environment: tasks get only its PATH, HOME, LANG, LC_*, TZ and TMPDIR, and
   * what `--env` names.
   */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Asks the user `question` on the terminal and resolves with the answer, or undefined when
   * there is no one to ask (standard input or standard error is not a terminal) or no answer
   * came (end of input, or `signal` aborted: Ctrl-C at the prompt).
   */
  ask(question: string, signal: AbortSignal): Promise<string | undefined>;
  /**
   * Calls `stop` on the first interruption (with the exit code to use), and should end the
   * process at once on a second one; returns a function that removes the handlers.
   */
  onInterrupt(stop: (code: RunExitCode) => void): () => void;
  /** Where `--provider` package names are looked up (default: the current directory). */
  cwd?: string;
}

/** The real process: stdout, `process.env`, SIGINT and SIGTERM. */
export const processRuntime: RunRuntime = {
  progress: process.stdout,
  env: process.env,
  ask: askOnTerminal,
  onInterrupt(stop) {
    let stopping = false;
    const handler = (code: RunExitCode) => () => {
      if (stopping) process.exit(code);
      stopping = true;
      process.stderr.write("\nStopping after the current step and saving state (press Ctrl-C again to quit at once)…\n");
      stop(code);
    };
    const onInt = handler(RunExitCode.Interrupted);
    const onTerm = handler(RunExitCode.Terminated);
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    return () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    };
  },
};

/**
 * Reads one line from standard input after printing `question` on standard error, when both are
 * terminals: the answer must come from a person at the keyboard, not from a pipe or a script.
 */
function askOnTerminal(question: string, signal: AbortSignal): Promise<string | undefined> {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    // Not readline's own terminal mode: the terminal echoes and edits the line itself, and
    // Ctrl-C stays a SIGINT, which aborts `signal` through the run's interrupt handler.
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    let answered = false;
    const onAbort = () => rl.close();
    signal.addEventListener("abort", onAbort, { once: true });
    rl.once("close", () => {
      signal.removeEventListener("abort", onAbort);
      if (!answered) resolve(undefined);
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });
}

/** Options of `iter8ctl run`, as parsed. */
export interface RunCommandOptions {
  /** Run the tasks that start processes without asking. */
  allowExec?: boolean;
  /** `NAME` or `NAME=VALUE` entries passed to tasks' processes. */
  env?: string[];
  /** `--provider` modules whose metric providers the run may use. */
  provider?: string[];
  dryRun?: boolean;
  plain?: boolean;
  restart?: boolean;
  stateDir?: string;
}

/** `iter8ctl run [--allow-exec] [--env NAME[=VALUE]]... [--provider MODULE]... [--dry-run] [--plain] [--restart] [--state-dir DIR] <paths...>`. */
export function runCommand(io: CommandIo = processIo, runtime: RunRuntime = processRuntime): Command {
  return new Command("run")
    .description("Run experiments on this machine (local mode): resources in files, real traffic and metrics, live progress")
    .argument("<paths...>", "folders (their .yaml/.yml/.json files) or files with Experiments, Metrics, Secrets and routing objects")
    .option("--allow-exec", "run the actions' commands (run, common/exec, common/bash, common/promote-kubectl) without asking")
    .option("--env <name[=value]>", "pass this variable to the tasks' processes (repeatable); NAME alone takes its value from this environment", (value: string, previous: string[] = []) => [...previous, value])
    .addOption(providerOption())
    .option("--dry-run", "mock every metric, simulate time, only print the actions and the commands they would run, change no file")
    .option("--plain", "plain log lines instead of the live view on a terminal")
    .option("--restart", "forget the experiments' status and their actions' state, and start over")
    .option("--state-dir <dir>", `where the lock and the state of actions are kept (default: <folder of the first path>/${LOCAL_STATE_FOLDER})`)
    .addHelpText(
      "after",
      `
Local mode runs the same engine as the controller, with the cluster replaced by your files:
  - Experiments, Metrics and Secrets are read from the documents; each experiment's status is
    written back into its own document after every step (write to a temporary file, then rename).
  - Weights are patched into the routing documents the weightObjRefs name (a VirtualService,
    Knative Service, SeldonDeployment, … given among the paths), so a router that follows the
    file moves traffic.
  - Metrics are queried from their backends (Prometheus, New Relic, …); mock and builtin
    metrics work as in a cluster. --provider MODULE adds the metric providers of a provider
    package (installed in node_modules here or in a folder above) or file (./providers.js).
  - Actions (start, loop, finish, failure) run in this process. Tasks that run commands
    (run, common/exec, common/bash, common/promote-kubectl) run as you, so iter8ctl run first
    lists them (the command or script as written) and runs them only with --allow-exec, or when
    you answer y at its prompt on a terminal; without a terminal and without the flag it stops
    before the experiment starts. Their processes get a minimal environment: ${TASK_VARIABLES.join(", ")},
    LC_*, SCRATCH_DIR, and each variable you name with --env NAME (or --env NAME=VALUE); cloud
    keys, tokens and everything else of your environment stay out.
  - Each action's Iter8Log lines are appended to <state folder>/action-log.jsonl, which
    iter8ctl debug -f <folder> prints.

Progress is saved as it goes: Ctrl-C (or a crash) stops the run, and the same command resumes
it where it stopped. An action that finished is never run again; one that was interrupted runs
again from its first task.

--dry-run checks an experiment without touching anything: every metric is answered by the mock
generator (with the Metric's mock levels, or levels that meet its objectives), time is
simulated so the whole experiment takes a moment, actions are only printed, and routing objects
that the documents lack are made up with all traffic on the baseline.

Exit codes: 0 completed without failure, 1 failed (the reason is printed) or invalid documents,
130 interrupted by Ctrl-C, 143 terminated; in both last cases the state is saved.

Examples:
  iter8ctl run samples/local/ab-progressive
  iter8ctl run --allow-exec --env KUBECONFIG my-experiment/
  iter8ctl run --dry-run samples/istio
  iter8ctl run --provider @iter8ts/metrics-provider-jsonfile ml-experiment/
  iter8ctl run experiment.yaml metrics.yaml routing.yaml --plain > run.log`,
    )
    .action(async (paths: string[], opts: RunCommandOptions) => {
      const { runRun } = await import("../run/run-run");
      io.setExitCode(await runRun(paths, opts, io, runtime));
    });
}
