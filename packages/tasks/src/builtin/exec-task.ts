import { z } from "zod";
import { processResult } from "../exec/process-result";
import { defineTask } from "../task-definition";
import { TemplateDelimiters } from "../template/go-template-translate";
import { compileForTask, legacyData, renderForTask, templateProblems } from "./task-template";

const argOptions = (i: number) => ({ name: `with.args[${i}]`, delimiters: TemplateDelimiters.Braces });

/**
 * `common/exec`: runs `cmd` with `args`, without a shell. Each argument is a `{{ }}` template
 * over the variables of the version recommended for promotion (`{{ .promote }}`), `name` and
 * `this`, rendered into that one argument only; nothing is ever spliced into a shell line by
 * this task. `disableInterpolation: true` passes arguments as written.
 */
export const execTask = defineTask({
  name: "common/exec",
  summary: "runs a command with arguments, no shell",
  runsUserCode: true,
  inputs: z.strictObject({
    cmd: z.string().min(1),
    args: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
    disableInterpolation: z.boolean().optional(),
  }),
  check: (input) =>
    input.disableInterpolation ? [] : templateProblems((input.args ?? []).map((a, i) => ({ source: String(a), options: argOptions(i) }))),
  async run(input, context) {
    const raw = (input.args ?? []).map(String);
    let args = raw;
    if (!input.disableInterpolation) {
      const templates = await Promise.all(raw.map((a, i) => compileForTask(a, argOptions(i))));
      const data = templates.some((t) => t.dynamic) ? legacyData(context.experiment) : {};
      args = templates.map((t) => renderForTask(t, data));
    }
    return processResult(await context.exec(input.cmd, args), input.cmd);
  },
});
