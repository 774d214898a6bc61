import { z } from "zod";
import type { SecretData } from "@iter8ts/metrics";
import { processResult } from "../exec/process-result";
import { defineTask } from "../task-definition";
import { TemplateDelimiters, type GoTemplateOptions } from "../template/go-template-translate";
import { goExperimentView } from "../template/template-data";
import { compileForTask, renderForTask, secretLookup, templateProblems } from "./task-template";

const templateOptions: GoTemplateOptions = { name: "the run script", delimiters: TemplateDelimiters.At, secretMethod: true };

/**
 * `run: <script>`: renders the script as a Go template with `@< >@` delimiters over the
 * experiment (Go field names: `@< .Status.VersionRecommendedForPromotion >@`) and `.Secret "key"`
 * of `with.secret`, then runs it with `bash -c`, with `SCRATCH_DIR` set to a directory shared
 * by the action's tasks.
 */
export const runTask = defineTask({
  name: "run",
  summary: "runs a bash script rendered from the experiment",
  runsUserCode: true,
  inputs: z.strictObject({
    script: z.string().min(1),
    /** `namespace/name` or `name` (the experiment's namespace) of the Secret `.Secret` reads. */
    secret: z.string().min(1).optional(),
  }),
  check: (input) => templateProblems([{ source: input.script, options: templateOptions }]),
  async run(input, context) {
    const template = await compileForTask(input.script, templateOptions);
    let data: SecretData = {};
    if (input.secret && template.usesSecret) data = await context.secret(input.secret);
    const script = renderForTask(template, goExperimentView(context.experiment), input.secret ? { secret: secretLookup(data, input.secret) } : {});
    return processResult(await context.exec(context.bash, ["-c", script]), "the run script");
  },
});
