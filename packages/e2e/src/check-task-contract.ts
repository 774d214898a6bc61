import { createTaskRunner } from "@iter8ts/tasks";
import { escapeControls, formatPath, hasControls, type Experiment } from "@iter8ts/types";
import { readsSloppily } from "./failure-culprit";
import type { FuzzCase } from "./fuzz-corpus";
import { plantedInPlace } from "./planted-value";

// The check the controller and `iter8ctl validate` run on actions before an experiment starts.
const checker = createTaskRunner({ allowExec: true });

/**
 * Checks the tasks' validation of a schema-valid fuzzed Experiment, as the controller runs it:
 * it never throws; every issue names a field under `spec.strategy.actions`, with a message that
 * reads well and no raw control character; and a template or condition planted too deep or too
 * long (see `Planted`) is reported at the task that holds it, while it is still in place.
 * @returns the breaches; empty when the validation behaved.
 */
export function checkTaskContract(fuzz: FuzzCase, experiment: Experiment): string[] {
  const violations: string[] = [];
  let issues;
  try {
    issues = checker.validateExperiment(experiment);
  } catch (error) {
    return [`validateExperiment threw ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error)}`];
  }
  for (const issue of issues) {
    const text = `${issue.path}: ${issue.message}`;
    if (!issue.path.startsWith("spec.strategy.actions.")) violations.push(`task issue ${JSON.stringify(text.slice(0, 160))} names no field of an action`);
    if (readsSloppily(issue.message)) violations.push(`task issue message reads ${JSON.stringify(text.slice(0, 160))}`);
    if (hasControls(text)) violations.push(`task issue ${JSON.stringify(text.slice(0, 160))} shows a raw control character`);
  }
  for (const planted of fuzz.planted) {
    if (planted.reportedBy !== "tasks" || !plantedInPlace(fuzz, planted)) continue;
    const task = planted.segments.slice(0, planted.segments.indexOf("actions") + 3);
    const where = escapeControls(formatPath(task));
    if (!issues.some((issue) => issue.path.startsWith(where))) {
      violations.push(`the ${planted.segments.at(-1)} planted at ${formatPath(planted.segments)} (${String(planted.value).length} characters) is not reported at ${where}`);
    }
  }
  return violations;
}
