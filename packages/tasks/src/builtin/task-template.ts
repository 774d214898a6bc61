import type { Experiment } from "@iter8ts/types";
import type { GoTemplate } from "../template/go-template";
import { compileGoTemplate } from "../template/lazy-go-template";
import { translateGoTemplate, type GoTemplateOptions, type RenderContext } from "../template/go-template-translate";
import { legacyTemplateData } from "../template/template-data";
import { TemplateError } from "../template/template-error";
import { TaskError, TaskErrorCode } from "../task-error";

/**
 * Checks templates for a task's `check`: the problems, or none. Only the translation runs
 * (everything that can be wrong before rendering): checking an experiment never loads Handlebars.
 */
export function templateProblems(sources: readonly { source: string; options: GoTemplateOptions }[]): string[] {
  const problems: string[] = [];
  for (const { source, options } of sources) {
    try {
      translateGoTemplate(source, options);
    } catch (error) {
      if (error instanceof TemplateError) problems.push(error.message);
      else throw error;
    }
  }
  return problems;
}

/**
 * Compiles a template, turning template errors into task errors. The template engine is loaded
 * when a task first renders, not with the task definitions (what checking an experiment loads).
 */
export async function compileForTask(source: string, options: GoTemplateOptions): Promise<GoTemplate> {
  try {
    return await compileGoTemplate(source, options);
  } catch (error) {
    if (error instanceof TemplateError) throw new TaskError(TaskErrorCode.TemplateError, error.message, undefined, { cause: error });
    throw error;
  }
}

/** Renders a template, turning template errors into task errors. */
export function renderForTask(template: GoTemplate, data: unknown, context?: RenderContext): string {
  try {
    return template.render(data, context);
  } catch (error) {
    if (error instanceof TemplateError) throw new TaskError(TaskErrorCode.TemplateError, error.message, undefined, { cause: error });
    throw error;
  }
}

/** A `.Secret "key"` lookup over a secret's data that names the secret when a key is missing. */
export function secretLookup(data: Readonly<Record<string, string>>, ref: string): (key: string) => string {
  return (key) => {
    const value = data[key];
    if (value === undefined) {
      throw new TaskError(TaskErrorCode.SecretUnavailable, `secret ${ref} has no key ${JSON.stringify(key)}; its keys are ${Object.keys(data).sort().join(", ") || "(none)"}`);
    }
    return value;
  };
}

/** Legacy `{{ }}` template data, with its error turned into a task error. */
export function legacyData(experiment: Experiment): Record<string, unknown> {
  try {
    return legacyTemplateData(experiment).data;
  } catch (error) {
    if (error instanceof TemplateError) throw new TaskError(TaskErrorCode.TemplateError, error.message, undefined, { cause: error });
    throw error;
  }
}
