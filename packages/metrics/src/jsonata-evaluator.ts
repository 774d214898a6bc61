import { inputLimitProblem, nestingProblem } from "@iter8ts/types";
import { limitOutcome, sharedExpressionPool, type ExpressionJobOptions, type ExpressionPool } from "./expression-pool";
import type { ExtractionOutcome } from "./extraction-outcome";
import { jsonataModule } from "./jsonata-module";

type Compiled = { ok: true } | { ok: false; message: string };

function messageOf(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { message?: unknown; position?: unknown; code?: unknown };
    const where = typeof e.position === "number" ? ` at position ${e.position}` : "";
    const code = typeof e.code === "string" ? ` (${e.code})` : "";
    return `${typeof e.message === "string" ? e.message : String(error)}${where}${code}`;
  }
  return String(error);
}

/** Options of {@link JsonataEvaluator}. */
export interface JsonataEvaluatorOptions {
  /** The worker threads JSONata runs in, with their limits (default: the process-wide pool). */
  pool?: ExpressionPool;
}

/**
 * Evaluates `jsonataExpression`s, the alternative to jq for users who prefer JSONata. A result
 * that is a sequence counts by its first item, as jq's first output does. Expressions are
 * compiled here (parsing is bounded by the input limits) and evaluated in a worker thread of an
 * {@link ExpressionPool}: a JSONata function may recurse or loop without end, which only a time
 * limit on another thread can stop.
 */
export class JsonataEvaluator {
  private readonly compiled = new Map<string, Compiled>();
  readonly pool: ExpressionPool;

  constructor(options: JsonataEvaluatorOptions = {}) {
    this.pool = options.pool ?? sharedExpressionPool();
  }

  private compile(source: string): Compiled {
    let c = this.compiled.get(source);
    if (!c) {
      // JSONata's parser recurses as deep as the expression nests.
      const tooBig = inputLimitProblem(source, "expression", "JSONata expression");
      if (tooBig) c = { ok: false, message: tooBig };
      else {
        try {
          jsonataModule()(source);
          c = { ok: true };
        } catch (error) {
          c = { ok: false, message: error instanceof RangeError ? nestingProblem("JSONata expression") : messageOf(error) };
        }
      }
      if (this.compiled.size >= 1000) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(source, c);
    }
    return c;
  }

  /**
   * Evaluates an expression against a JSON document.
   * @param parsed the document, parsed
   * @param text the same document as received (sent to the worker; default: `parsed` serialised)
   * @param options who the evaluation is for (tenants are served in turn)
   */
  async evaluate(source: string, parsed: unknown, text?: string, options: ExpressionJobOptions = {}): Promise<ExtractionOutcome> {
    const c = this.compile(source);
    if (!c.ok) return { kind: "compile_error", message: c.message };
    const answer = await this.pool.run({ kind: "jsonata", expression: source, text: text ?? JSON.stringify(parsed) ?? "null" }, options);
    switch (answer.kind) {
      case "limit":
        return limitOutcome(answer, this.pool.limits);
      case "crash":
        return { kind: "error", message: `JSONata stopped with ${answer.message}; simplify the expression` };
      case "jsonata_error":
        if (answer.phase === "compile") return { kind: "compile_error", message: answer.overflow ? nestingProblem("JSONata expression") : answer.message };
        return { kind: "error", message: answer.overflow ? "evaluation overflowed the stack: the expression or the answer nests too deep" : answer.message };
      case "jsonata":
        break;
      default:
        return { kind: "error", message: `JSONata gave an unexpected answer (${answer.kind})` };
    }
    if (answer.isNumber) {
      const value = answer.number!;
      if (Number.isNaN(value)) return { kind: "nan" };
      if (!Number.isFinite(value)) return { kind: "infinite" };
      return { kind: "number", value };
    }
    if (answer.value === undefined) return { kind: "empty" };
    return { kind: "other", value: answer.value };
  }
}
