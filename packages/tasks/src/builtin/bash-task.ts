import { z } from "zod";
import { processResult } from "../exec/process-result";
import { defineTask } from "../task-definition";
import { TemplateDelimiters } from "../template/go-template-translate";
import { compileForTask, legacyData, renderForTask, templateProblems } from "./task-template";

const templateOptions = { name: "with.script", delimiters: TemplateDelimiters.Braces } as const;

/**
 * `common/bash`: renders `script` as a `{{ }}` template (variables of the version recommended
 * for promotion, `name`, `this`) and runs it with `bash -c`. A template that does not render
 * fails the task (the original ran an empty script instead).
 */
export const bashTask = defineTask({
  name: "common/bash",
  summary: "runs a bash script rendered from the recommended version's variables",
  runsUserCode: true,
  inputs: z.strictObject({ script: z.string().min(1) }),
  check: (input) => templateProblems([{ source: input.script, options: templateOptions }]),
  async run(input, context) {
    const template = await compileForTask(input.script, templateOptions);
    const script = renderForTask(template, template.dynamic ? legacyData(context.experiment) : {});
    return processResult(await context.exec(context.bash, ["-c", script]), "the script");
  },
});
