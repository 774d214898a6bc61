import { Command, Option } from "commander";
import { processIo, type CommandIo } from "../command-io";

/** Output formats of `report`: the page, or the data it is drawn from. */
export const ReportFormat = { Html: "html", Json: "json" } as const;
export type ReportFormat = (typeof ReportFormat)[keyof typeof ReportFormat];

/** What `report` was asked to do. */
export interface ReportRequest {
  format: ReportFormat;
  /** Write the report here instead of standard output. */
  out?: string;
  /** Print the time of rendering in the page's footer (off by default: same input, same bytes). */
  timestamp?: boolean;
}

/** What `report` takes from its environment besides the experiment (tests inject these). */
export interface ReportDeps {
  /** Writes `--out`; defaults to the file system. */
  writeFile?: (path: string, text: string) => Promise<void>;
  /** The time printed by `--timestamp`. */
  now?: () => Date;
}

/** `iter8ctl report -f FILE|- [-o html|json] [--out FILE] [--timestamp]`. */
export function reportCommand(io: CommandIo = processIo, deps: ReportDeps = {}): Command {
  return new Command("report")
    .description("Render an experiment as a self-contained HTML page (charts of weights and metrics per iteration, objectives, winner) or as JSON")
    .option("-f, --file <path>", "experiment YAML or JSON file, or - to read standard input (kubectl get experiment NAME -o yaml | iter8ctl report -f -)")
    .addOption(
      new Option("-o, --output <format>", "html: the page; json: the data the page is drawn from").choices(Object.values(ReportFormat)).default(ReportFormat.Html),
    )
    .option("--out <path>", "write the report to this file instead of standard output")
    .option("--timestamp", "print the time of rendering in the page (by default the same experiment gives the same bytes)")
    .action(async (opts: { file?: string; output: ReportFormat; out?: string; timestamp?: boolean }) => {
      if (opts.file === undefined || opts.file === "") {
        io.err("Error: report needs an experiment: pass -f FILE, or -f - to read standard input\n");
        io.setExitCode(1);
        return;
      }
      const request: ReportRequest = { format: opts.output };
      if (opts.out !== undefined) request.out = opts.out;
      if (opts.timestamp) request.timestamp = true;
      const [{ fileExperimentSource }, { runReport }] = await Promise.all([import("../experiment-source"), import("../report/run-report")]);
      io.setExitCode(await runReport(fileExperimentSource(opts.file, io.read), request, io, deps));
    });
}
