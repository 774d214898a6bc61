import Handlebars from "handlebars";
import { GO_FUNCTIONS, goField, goFormat, goTruth } from "./go-values";
import { TemplateError, TemplateErrorCode } from "./template-error";
import { helperName, overflow, translateGoTemplate, type GoTemplateOptions, type RenderContext } from "./go-template-translate";

export { TemplateDelimiters } from "./go-template-translate";
export type { GoTemplateOptions, RenderContext } from "./go-template-translate";

/**
 * Go `text/template` sources rendered by Handlebars: the Go syntax is parsed here, translated
 * into a Handlebars AST built from a closed set of helpers that implement Go's semantics, and
 * compiled by Handlebars. Anything outside the supported subset is refused at compile time rather
 * than rendered wrongly. Output is never HTML-escaped.
 */

/** A compiled template. */
export interface GoTemplate {
  readonly source: string;
  readonly name: string;
  /** False when the source holds no actions and renders as itself. */
  readonly dynamic: boolean;
  /** True when the template calls `.Secret`. */
  readonly usesSecret: boolean;
  render(data: unknown, context?: RenderContext): string;
}

type HelperOptions = Handlebars.HelperOptions & { data?: { iter8Render?: RenderContext } };

function lastIsOptions(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  return { values: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

/** A Handlebars environment with the helpers that implement Go's semantics, and their names. */
interface Engine {
  hb: typeof Handlebars;
  knownHelpers: Record<string, true>;
}

let engine: Engine | undefined;

/** The engine, set up on the first compile. */
function templateEngine(): Engine {
  if (engine) return engine;
  const hb = Handlebars.create();
  const knownHelpers: Record<string, true> = {};
  const register = (name: string, fn: Handlebars.HelperDelegate): void => {
    hb.registerHelper(name, fn);
    knownHelpers[name] = true;
  };
  register("go_print", (value: unknown) => goFormat(value));
  register("go_field", (...args: unknown[]) => {
    const { values } = lastIsOptions(args);
    return values.slice(1).reduce((v, name) => goField(v, String(name)), values[0]);
  });
  register("go_if", function (this: unknown, value: unknown, options: HelperOptions) {
    return goTruth(value) ? options.fn(this, { data: options.data, blockParams: [value] }) : options.inverse(this);
  });
  register("go_with", function (this: unknown, value: unknown, options: HelperOptions) {
    return goTruth(value) ? options.fn(value, { data: options.data, blockParams: [value] }) : options.inverse(this);
  });
  register("go_let", function (this: unknown, value: unknown, options: HelperOptions) {
    return options.fn(this, { data: options.data, blockParams: [value] });
  });
  register("go_range", function (this: unknown, value: unknown, options: HelperOptions) {
    const entries: [unknown, unknown][] = [];
    if (Array.isArray(value)) value.forEach((v, i) => entries.push([v, i]));
    else if (value !== null && typeof value === "object") for (const k of Object.keys(value).sort()) entries.push([(value as Record<string, unknown>)[k], k]);
    else if (value !== undefined && value !== null) throw new TemplateError(TemplateErrorCode.Execution, `range can't iterate over ${goFormat(value)}`);
    if (entries.length === 0) return options.inverse(this);
    return entries.map(([v, k]) => options.fn(v, { data: Handlebars.createFrame(options.data), blockParams: [v, k] })).join("");
  });
  register("go_secret", (...args: unknown[]) => {
    const { values, options } = lastIsOptions(args);
    const key = values[0];
    if (typeof key !== "string") throw new TemplateError(TemplateErrorCode.Execution, `.Secret needs a key as a string, got ${goFormat(key)}`);
    const lookup = options.data?.iter8Render?.secret;
    if (!lookup) throw new TemplateError(TemplateErrorCode.Execution, `.Secret ${JSON.stringify(key)} was called but the task names no secret; add with.secret`);
    return lookup(key);
  });
  for (const [name, fn] of Object.entries(GO_FUNCTIONS)) {
    register(helperName(name), (...args: unknown[]) => fn(...lastIsOptions(args).values));
  }
  return (engine = { hb, knownHelpers });
}

/**
 * Compiles a Go template (see the module notes for what is supported; the checks are
 * {@link translateGoTemplate}'s).
 *
 * @throws TemplateError `syntax`, `unsupported` or `input_limit`, naming the template (and the
 *   line and column, when known).
 */
export function compileGoTemplate(source: string, options: GoTemplateOptions): GoTemplate {
  const { ast, dynamic, usesSecret } = translateGoTemplate(source, options);
  const { hb, knownHelpers } = templateEngine();
  let compiled: HandlebarsTemplateDelegate;
  try {
    compiled = hb.compile(ast as unknown as hbs.AST.Program, { knownHelpers, knownHelpersOnly: true, noEscape: true, data: true, strict: false });
  } catch (error) {
    throw overflow(error, options.name, false) ?? error;
  }
  return {
    source,
    name: options.name,
    dynamic,
    usesSecret,
    render(data: unknown, context: RenderContext = {}): string {
      try {
        return compiled(data, { data: { iter8Render: context } });
      } catch (error) {
        if (error instanceof TemplateError) {
          throw new TemplateError(error.code, `${options.name}: ${error.message}`, error.line, error.column, { cause: error.cause });
        }
        const limit = overflow(error, options.name, true);
        if (limit) throw limit;
        const reason = error instanceof Error ? error.message : String(error);
        throw new TemplateError(TemplateErrorCode.Execution, `${options.name}: ${reason}`, undefined, undefined, { cause: error });
      }
    },
  };
}

/** Compiles and renders in one step. */
export function renderGoTemplate(source: string, data: unknown, options: GoTemplateOptions, context?: RenderContext): string {
  return compileGoTemplate(source, options).render(data, context);
}
