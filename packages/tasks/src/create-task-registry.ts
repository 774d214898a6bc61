import { bashTask } from "./builtin/bash-task";
import { collectTask } from "./builtin/collect-task";
import { execTask } from "./builtin/exec-task";
import { httpTask } from "./builtin/http-task";
import { promoteKubectlTask } from "./builtin/promote-kubectl-task";
import { readinessTask } from "./builtin/readiness-task";
import { runTask } from "./builtin/run-task";
import { slackTask } from "./builtin/slack-task";
import { TaskRegistry } from "./task-registry";
import { TaskRunner, type TaskRunnerOptions } from "./task-runner";

/**
 * A registry holding the builtin tasks: `run`, `common/exec`, `common/bash`,
 * `common/readiness`, `common/promote-kubectl`, `notification/http`, `notification/slack` and
 * `metrics/collect`. Register more with `registry.register(defineTask({...}))`.
 */
export function createTaskRegistry(): TaskRegistry {
  return new TaskRegistry()
    .register(runTask)
    .register(execTask)
    .register(bashTask)
    .register(readinessTask)
    .register(promoteKubectlTask)
    .register(httpTask)
    .register(slackTask)
    .register(collectTask);
}

/** A runner over the builtin tasks, unless another registry is given. */
export function createTaskRunner(options: Omit<TaskRunnerOptions, "registry"> & { registry?: TaskRegistry } = {}): TaskRunner {
  return new TaskRunner({ ...options, registry: options.registry ?? createTaskRegistry() });
}
