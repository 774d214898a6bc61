import { Command, Option } from "commander";
import { processIo, type CommandIo } from "../command-io";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `iter8ctl validate [-f FILE|-]… [FILE…] [-o text|json]`. */
export function validateCommand(io: CommandIo = processIo): Command {
  return new Command("validate")
    .description("Validate Experiment and Metric documents; exit 0 when all are valid, 1 otherwise")
    .argument("[files...]", "more files, e.g. from a shell glob")
    .option("-f, --file <path>", "YAML or JSON file with one or more documents, or - for standard input (repeatable)", collect)
    .addOption(new Option("-o, --output <format>", "report format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
Each Experiment and Metric is checked against the iter8.tools/v2alpha2 API and the rules the
controller applies (candidates and rewards per testing pattern, unique version names, fieldPaths,
tasks and their inputs, conditions and templates, limits, metric references). Every problem is
listed with its field path (and line, for the API's rules).
Documents of other kinds (Namespaces, routing objects, …) are skipped.

Examples:
  iter8ctl validate -f experiment.yaml -f metrics.yaml
  iter8ctl validate samples/*/*.yaml
  kubectl get experiment my-exp -o yaml | iter8ctl validate -f -`,
    )
    .action(async (positional: string[], opts: { file?: string[]; output: "text" | "json" }) => {
      const files = [...(opts.file ?? []), ...positional];
      if (!files.length) {
        io.err("Error: validate needs a file: pass -f FILE (repeatable) or FILE…, or -f - to read standard input\n");
        io.setExitCode(1);
        return;
      }
      const [{ formatValidationReport, validateFiles }, { jsonForTerminal }] = await Promise.all([import("../validate/validate-files"), import("../terminal-text")]);
      const report = await validateFiles(files, io.read);
      io.out(opts.output === "json" ? `${jsonForTerminal(report)}\n` : formatValidationReport(report));
      io.setExitCode(report.valid ? 0 : 1);
    });
}
