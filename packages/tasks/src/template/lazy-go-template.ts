import type { GoTemplate } from "./go-template";
import type { GoTemplateOptions, RenderContext } from "./go-template-translate";

/**
 * The public doors to the template engine. They import it (go-template.ts, Handlebars) on the
 * first call rather than when @iter8ts/tasks is imported: checking tasks needs only the
 * translation (go-template-translate.ts), and a bundler that splits at `import()` (the iter8ctl
 * bundle) then keeps Handlebars out of what `iter8ctl validate` loads. A static re-export from the
 * package's index would put it back, whoever uses it.
 */

/**
 * Compiles a Go template (see go-template.ts for what is supported), loading the template engine
 * the first time.
 *
 * @throws TemplateError `syntax`, `unsupported` or `input_limit`, naming the template (and the
 *   line and column, when known).
 */
export async function compileGoTemplate(source: string, options: GoTemplateOptions): Promise<GoTemplate> {
  const engine = await import("./go-template");
  return engine.compileGoTemplate(source, options);
}

/** Compiles and renders in one step ({@link compileGoTemplate}). */
export async function renderGoTemplate(source: string, data: unknown, options: GoTemplateOptions, context?: RenderContext): Promise<string> {
  return (await compileGoTemplate(source, options)).render(data, context);
}
