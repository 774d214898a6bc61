import { Command } from "commander";
import { processIo, type CommandIo } from "../command-io";

/** `iter8ctl crd`: prints the Experiment, Metric and ReferenceGrant CustomResourceDefinitions, as the controller installs them. */
export function crdCommand(io: CommandIo = processIo): Command {
  return new Command("crd")
    .description("Print the Experiment, Metric and ReferenceGrant CustomResourceDefinitions (iter8.tools/v2alpha2) as YAML")
    .addHelpText(
      "after",
      `
Example:
  iter8ctl crd | kubectl apply -f -`,
    )
    .action(async () => {
      const [{ EngineStatusSchema }, { crdYaml }] = await Promise.all([import("@iter8ts/engine"), import("@iter8ts/types")]);
      io.out(crdYaml({ experimentStatus: EngineStatusSchema }));
    });
}
