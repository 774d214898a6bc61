import type { TaskDefinition } from "./task-definition";

/** Tasks by name. */
export class TaskRegistry {
  private readonly tasks = new Map<string, TaskDefinition>();

  /**
   * Adds a task.
   * @throws Error when a task of that name exists; pass `replace: true` to override it.
   */
  register<Input>(definition: TaskDefinition<Input>, options: { replace?: boolean } = {}): this {
    if (this.tasks.has(definition.name) && !options.replace) {
      throw new Error(`task ${JSON.stringify(definition.name)} is already registered; pass { replace: true } to override it`);
    }
    // Inputs are parsed by the definition's own schema before run is called.
    this.tasks.set(definition.name, definition as unknown as TaskDefinition);
    return this;
  }

  get(name: string): TaskDefinition | undefined {
    return this.tasks.get(name);
  }

  /** Registered task names, sorted. */
  names(): string[] {
    return [...this.tasks.keys()].sort();
  }
}
