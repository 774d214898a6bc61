import { createTaskRegistry, defineTask, execTask, bashTask, promoteKubectlTask, runTask, type TaskDefinition, type TaskRegistry } from "@iter8ts/tasks";

/** A command a task would have run. */
export interface RecordedCommand {
  task: string;
  command: string;
  args: readonly string[];
}

function withoutProcesses<Input>(task: TaskDefinition<Input>, record: (command: RecordedCommand) => void): TaskDefinition<Input> {
  return defineTask({
    ...task,
    runsUserCode: false,
    run: (input, context) =>
      task.run(input, {
        ...context,
        exec: async (command, args) => {
          record({ task: task.name, command, args: [...args] });
          return { exitCode: 0, signalName: null, output: "", truncated: false };
        },
      }),
  });
}

/**
 * The builtin tasks, with the ones that start processes (`run`, `common/exec`, `common/bash`,
 * `common/promote-kubectl`) kept whole (inputs, templates, conditions) except for the process
 * itself: its command is recorded and it "succeeds". Fuzzed documents thus exercise every task
 * without ever running a command they made up.
 */
export function fuzzTaskRegistry(record: (command: RecordedCommand) => void = () => undefined): TaskRegistry {
  const registry = createTaskRegistry();
  for (const task of [runTask, execTask, bashTask, promoteKubectlTask] as TaskDefinition<unknown>[]) registry.register(withoutProcesses(task, record), { replace: true });
  return registry;
}
