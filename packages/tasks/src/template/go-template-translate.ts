import { inputLimitProblem, nestingProblem } from "@iter8ts/types";
import { parseGoTemplate, lineAndColumn, type GoCommand, type GoNode, type GoOperand, type GoPipe } from "./go-template-parser";
import { GO_FUNCTIONS } from "./go-values";
import { TemplateError, TemplateErrorCode } from "./template-error";

/**
 * The half of the Go template support that needs no template engine: the Go syntax is parsed and
 * translated into the Handlebars AST that `compileGoTemplate` (go-template.ts) hands to
 * Handlebars. Every problem a template can have before it renders (syntax, unsupported
 * constructs, size and nesting limits) is found here, so checking a template — as `iter8ctl
 * validate` and the controller do before an action starts — never loads Handlebars.
 */

/** The two delimiter pairs Iter8 templates use. */
export const TemplateDelimiters = {
  /** Legacy handler tasks: `{{ .promote }}`. */
  Braces: ["{{", "}}"],
  /** `run` scripts and notification tasks: `@< .Status.VersionRecommendedForPromotion >@`. */
  At: ["@<", ">@"],
} as const satisfies Record<string, readonly [string, string]>;

/** How to compile a template. */
export interface GoTemplateOptions {
  /** Names the template in messages, e.g. `the run script` or `with.args[1]`. */
  name: string;
  delimiters: readonly [string, string];
  /** Allow the `.Secret "key"` method of `run` scripts. */
  secretMethod?: boolean;
}

/** What a template may call while rendering. */
export interface RenderContext {
  /** Value of a key of the task's secret; throws when the key is missing. */
  secret?: (key: string) => string;
}

// Handlebars AST nodes, built by hand. Only these shapes are produced, and every literal is
// type-checked before it goes in: Handlebars compiles the AST to JavaScript.
type HbExpr = Record<string, unknown>;
type HbStatement = Record<string, unknown>;
interface HbProgram {
  type: "Program";
  body: HbStatement[];
  blockParams: string[] | undefined;
  strip: Record<string, never>;
}

const NO_STRIP = { open: false, close: false };
/** The Handlebars helper that implements the Go function `fn` (go-template.ts registers them under these names). */
export const helperName = (fn: string) => `go_fn_${fn}`;

function path(parts: string[], original: string, data = false): HbExpr {
  return { type: "PathExpression", data, depth: 0, parts, original };
}

function helper(name: string, params: HbExpr[]): HbExpr {
  return { type: "SubExpression", path: path([name], name), params };
}

function program(body: HbStatement[], blockParams?: string[]): HbProgram {
  return { type: "Program", body, blockParams, strip: {} };
}

function stringLiteral(value: string): HbExpr {
  if (typeof value !== "string") throw new TypeError("string literal expected");
  return { type: "StringLiteral", value, original: value };
}

function numberLiteral(value: number): HbExpr {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError("finite number literal expected");
  return { type: "NumberLiteral", value, original: value };
}

class Translator {
  usesSecret = false;
  private readonly scopes: Set<string>[] = [new Set(["$"])];

  constructor(
    private readonly source: string,
    private readonly options: GoTemplateOptions,
  ) {}

  private fail(pos: number, problem: string, code: TemplateErrorCode = TemplateErrorCode.Syntax): TemplateError {
    const { line, column } = lineAndColumn(this.source, pos);
    return new TemplateError(code, `${this.options.name}: line ${line}, column ${column}: ${problem}`, line, column);
  }

  private declared(name: string): boolean {
    return this.scopes.some((s) => s.has(name));
  }

  private withScope<T>(names: string[], fn: () => T): T {
    this.scopes.push(new Set(names));
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  list(nodes: GoNode[]): HbStatement[] {
    const out: HbStatement[] = [];
    for (const [i, node] of nodes.entries()) {
      if (node.kind === "text") {
        out.push({ type: "ContentStatement", value: node.text, original: node.text });
        continue;
      }
      if (node.kind === "action") {
        const { pipe } = node;
        if (pipe.decl.length > 0) {
          if (pipe.assign) throw this.fail(pipe.pos, `assigning to ${pipe.decl[0]} with = is not supported; declare a new variable with :=`, TemplateErrorCode.Unsupported);
          // `$x := …` is in scope for the rest of the list: wrap the rest in a block binding it.
          const value = this.pipe(pipe);
          const rest = this.withScope(pipe.decl, () => this.list(nodes.slice(i + 1)));
          out.push(this.block("go_let", [value], program(rest, pipe.decl)));
          return out;
        }
        out.push({ type: "MustacheStatement", path: path(["go_print"], "go_print"), params: [this.pipe(pipe)], escaped: false, strip: NO_STRIP });
        continue;
      }
      const { pipe } = node;
      if (pipe.assign) throw this.fail(pipe.pos, `assignment with = is not supported; declare a new variable with :=`, TemplateErrorCode.Unsupported);
      const value = this.pipe(pipe);
      // Blocks hand their helpers' block params over in the order [value, key].
      const params = node.kind === "range" && pipe.decl.length === 2 ? [pipe.decl[1] as string, pipe.decl[0] as string] : pipe.decl;
      const body = this.withScope(params, () => this.list(node.list));
      const inverse = node.elseList ? program(this.list(node.elseList)) : undefined;
      out.push(this.block(`go_${node.kind}`, [value], program(body, params.length ? params : undefined), inverse));
    }
    return out;
  }

  private block(name: string, params: HbExpr[], body: HbProgram, inverse?: HbProgram): HbStatement {
    return { type: "BlockStatement", path: path([name], name), params, program: body, inverse, openStrip: NO_STRIP, inverseStrip: NO_STRIP, closeStrip: NO_STRIP };
  }

  pipe(pipe: GoPipe): HbExpr {
    let result: HbExpr | undefined;
    for (const cmd of pipe.cmds) result = this.command(cmd, result);
    return result as HbExpr;
  }

  private command(cmd: GoCommand, piped: HbExpr | undefined): HbExpr {
    const [first, ...rest] = cmd.args;
    if (!first) throw this.fail(cmd.pos, "empty command");
    const extra = piped ? [piped] : [];
    if (first.kind === "identifier") {
      if (first.name === "call" || !(first.name in GO_FUNCTIONS)) {
        throw this.fail(first.pos, `function ${JSON.stringify(first.name)} not defined`);
      }
      return helper(helperName(first.name), [...rest.map((a) => this.operand(a)), ...extra]);
    }
    const isSecret =
      (first.kind === "field" && first.names.length === 1 && first.names[0] === "Secret") ||
      (first.kind === "variable" && first.name === "$" && first.names.length === 1 && first.names[0] === "Secret");
    if (isSecret && this.options.secretMethod) {
      this.usesSecret = true;
      const args = [...rest.map((a) => this.operand(a)), ...extra];
      if (args.length !== 1) throw this.fail(first.pos, `.Secret takes one key, e.g. .Secret "token"`);
      return helper("go_secret", args);
    }
    if (rest.length > 0 || piped) {
      throw this.fail(first.pos, `can't give arguments to ${this.describe(first)}: it is not a function`);
    }
    if (first.kind === "nil") throw this.fail(first.pos, "nil is not a command");
    return this.operand(first);
  }

  private describe(op: GoOperand): string {
    switch (op.kind) {
      case "field":
        return `.${op.names.join(".")}`;
      case "variable":
        return [op.name, ...op.names].join(".");
      case "dot":
        return ".";
      default:
        return `a ${op.kind}`;
    }
  }

  private operand(op: GoOperand): HbExpr {
    switch (op.kind) {
      case "dot":
        return path([], "this");
      case "field":
        return path(op.names, `this.${op.names.join(".")}`);
      case "variable":
        if (op.name === "$") return path(["root", ...op.names], ["@root", ...op.names].join("."), true);
        if (!this.declared(op.name)) throw this.fail(op.pos, `undefined variable ${op.name}`);
        return path([op.name, ...op.names], [op.name, ...op.names].join("."));
      case "identifier":
        if (!(op.name in GO_FUNCTIONS) || op.name === "call") throw this.fail(op.pos, `function ${JSON.stringify(op.name)} not defined`);
        return helper(helperName(op.name), []);
      case "string":
        return stringLiteral(op.value);
      case "number":
        return numberLiteral(op.value);
      case "bool":
        return { type: "BooleanLiteral", value: op.value === true, original: op.value === true };
      case "nil":
        return { type: "NullLiteral", value: null, original: null };
      case "pipe": {
        if (op.pipe.decl.length > 0) throw this.fail(op.pipe.pos, "declarations inside parentheses are not supported", TemplateErrorCode.Unsupported);
        const value = this.pipe(op.pipe);
        return op.names.length ? helper("go_field", [value, ...op.names.map(stringLiteral)]) : value;
      }
    }
  }
}

/**
 * A stack overflow the limits did not foresee, as the typed error they would have given: while
 * compiling it can only come from the template; while rendering, a value may nest too deep too.
 */
export function overflow(error: unknown, name: string, rendering: boolean): TemplateError | undefined {
  if (!(error instanceof RangeError)) return undefined;
  const problem = rendering ? "rendering overflowed the stack: the template or a value it prints nests too deep" : nestingProblem("template");
  return new TemplateError(TemplateErrorCode.InputLimit, `${name}: ${problem}`, undefined, undefined, { cause: error });
}

/** A template translated for Handlebars, and what the translation learnt about it. */
export interface TranslatedGoTemplate {
  /** The Handlebars program (built from a closed set of helpers, see go-template.ts). */
  ast: HbProgram;
  /** False when the source holds no actions and renders as itself. */
  dynamic: boolean;
  /** True when the template calls `.Secret`. */
  usesSecret: boolean;
}

/**
 * Parses a Go template and translates it for Handlebars, without loading Handlebars. A template
 * longer than `InputLimits.maxTemplateLength` or nesting deeper than `InputLimits.maxNesting` is
 * refused before it is parsed.
 *
 * @throws TemplateError `syntax`, `unsupported` or `input_limit`, naming the template (and the
 *   line and column, when known).
 */
export function translateGoTemplate(source: string, options: GoTemplateOptions): TranslatedGoTemplate {
  const [left, right] = options.delimiters;
  const tooBig = inputLimitProblem(source, "template", "template");
  if (tooBig) throw new TemplateError(TemplateErrorCode.InputLimit, `${options.name}: ${tooBig}`);
  try {
    const nodes = parseGoTemplate(source, { name: options.name, left, right });
    const translator = new Translator(source, options);
    const ast = program(translator.list(nodes));
    return { ast, dynamic: nodes.some((n) => n.kind !== "text"), usesSecret: translator.usesSecret };
  } catch (error) {
    throw overflow(error, options.name, false) ?? error;
  }
}
