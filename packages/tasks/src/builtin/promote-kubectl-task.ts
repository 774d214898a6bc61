import { z } from "zod";
import { experimentNamespace } from "@iter8ts/types";
import { processResult } from "../exec/process-result";
import { defineTask } from "../task-definition";
import { TemplateDelimiters } from "../template/go-template-translate";
import { compileForTask, legacyData, renderForTask, templateProblems } from "./task-template";

const templateOptions = { name: "with.manifest", delimiters: TemplateDelimiters.Braces } as const;

/**
 * `common/promote-kubectl`: `kubectl apply --namespace=NS [--recursive] --filename=MANIFEST`,
 * where the manifest (a path or URL) may be a `{{ }}` template (`{{ .promote }}`) and the
 * namespace defaults to the experiment's. Values are passed in `--flag=value` form, so a value
 * starting with `-` cannot become another flag.
 */
export const promoteKubectlTask = defineTask({
  name: "common/promote-kubectl",
  summary: "kubectl apply of the promoted version's manifest",
  // It applies whatever the manifest (a URL the experiment names) holds, with the action's
  // credentials: as powerful as a script, so gated like one.
  runsUserCode: true,
  inputs: z.strictObject({
    manifest: z.string().min(1),
    namespace: z.string().min(1).optional(),
    recursive: z.boolean().optional(),
  }),
  check: (input) => templateProblems([{ source: input.manifest, options: templateOptions }]),
  async run(input, context) {
    const template = await compileForTask(input.manifest, templateOptions);
    const manifest = renderForTask(template, template.dynamic ? legacyData(context.experiment) : {});
    const namespace = input.namespace ?? experimentNamespace(context.experiment);
    const args = ["apply", `--namespace=${namespace}`, ...(input.recursive ? ["--recursive"] : []), `--filename=${manifest}`];
    return processResult(await context.exec(context.kubectl, args), context.kubectl);
  },
});
