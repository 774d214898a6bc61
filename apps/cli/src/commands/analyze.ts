import { Command, Option } from "commander";
import type { QueryMetricsOptions } from "@iter8ts/metrics";
import { processIo, type CommandIo } from "../command-io";
import { providerOption } from "../provider-option";

/** Output formats of `analyze`. */
export const AnalyzeFormat = { Json: "json", Yaml: "yaml" } as const;
export type AnalyzeFormat = (typeof AnalyzeFormat)[keyof typeof AnalyzeFormat];

/** What `analyze` was asked to do. */
export interface AnalyzeRequest {
  /** The experiment file, or `-` for standard input. */
  file: string;
  /** A file of Metric documents to use instead of (or besides) `status.metrics`. */
  metrics?: string;
  /** A file of Secret documents the metrics name in `spec.secret`. */
  secrets?: string;
  /** `--provider` modules whose metric providers the analysis may use. */
  provider?: string[];
  output: AnalyzeFormat;
}

/** What `analyze` takes from its environment besides files and streams (tests inject these). */
export interface AnalyzeDeps {
  /** The time of the analysis (default: now). */
  now?: () => Date;
  /** Passed to queryMetrics: HTTP client, providers, retry pauses. */
  query?: Omit<QueryMetricsOptions, "now">;
  /** Where `--provider` package names are looked up (default: the current directory). */
  cwd?: string;
}

/** `iter8ctl analyze -f FILE|- [--metrics FILE] [--secrets FILE] [--provider MODULE]... [-o json|yaml]`. */
export function analyzeCommand(io: CommandIo = processIo, deps: AnalyzeDeps = {}): Command {
  return new Command("analyze")
    .description("Query an experiment's metrics for every version now and print the resulting status.analysis")
    .option("-f, --file <path>", "experiment YAML or JSON file, or - to read standard input")
    .option("--metrics <path>", "Metric documents the criteria refer to (default: the metrics embedded in status.metrics)")
    .option("--secrets <path>", "Secret documents the metrics name in spec.secret")
    .addOption(providerOption())
    .addOption(new Option("-o, --output <format>", "output format").choices(Object.values(AnalyzeFormat)).default(AnalyzeFormat.Yaml))
    .action(async (opts: { file?: string; metrics?: string; secrets?: string; provider?: string[]; output: AnalyzeFormat }) => {
      if (opts.file === undefined || opts.file === "") {
        io.err("Error: analyze needs an experiment: pass -f FILE, or -f - to read standard input\n");
        io.setExitCode(1);
        return;
      }
      const { runAnalyze } = await import("../analyze/run-analyze");
      io.setExitCode(await runAnalyze({ file: opts.file, metrics: opts.metrics, secrets: opts.secrets, provider: opts.provider, output: opts.output }, io, deps));
    });
}
