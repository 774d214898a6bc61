/**
 * The check of an experiment's action tasks the engine runs when it validates the experiment,
 * with exec-type tasks gated per namespace by `--allow-exec`.
 */
import { createTaskRunner, type TaskRunner } from "@iter8ts/tasks";
import { experimentNamespace, type Experiment } from "@iter8ts/types";
import { execAllowedIn, type AllowExec } from "./controller-config";

/**
 * How an exec-type task is refused for experiments in `namespace`: where, and the flag an admin
 * sets to allow it.
 */
export function execRefusal(namespace: string): string {
  return `which the controller does not allow for experiments in namespace ${namespace}; an admin allows them with the controller flag --allow-exec=true (every namespace) or --allow-exec=<namespaces> (a comma-separated list that includes ${namespace})`;
}

/**
 * Checks an experiment's actions when it is validated, so it fails before it starts rather than
 * at its finish: an unknown task, bad input, a malformed condition, a Secret of another
 * namespace, or an exec-type task where `--allow-exec` does not allow it (the Job refuses it
 * again: `ITER8_ALLOW_EXEC`).
 */
export function actionTaskChecker(allowExec: AllowExec): (experiment: Experiment) => { reason: string; message: string } | null {
  const allowed = createTaskRunner({ allowExec: true });
  const refusing = new Map<string, TaskRunner>();
  const checkerFor = (namespace: string) => {
    if (execAllowedIn(allowExec, namespace)) return allowed;
    let checker = refusing.get(namespace);
    if (!checker) {
      checker = createTaskRunner({ allowExec: false, execDisabledReason: execRefusal(namespace) });
      refusing.set(namespace, checker);
    }
    return checker;
  };
  return (experiment) => {
    const issue = checkerFor(experimentNamespace(experiment)).validateExperiment(experiment)[0];
    return issue ? { reason: "InvalidExperiment", message: `${issue.path}: ${issue.message}` } : null;
  };
}
