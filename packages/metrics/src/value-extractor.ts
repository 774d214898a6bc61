import type { MetricSpec } from "@iter8ts/types";
import { ExpressionPool, type ExpressionJobOptions, type ExpressionLimits } from "./expression-pool";
import type { ExtractionOutcome } from "./extraction-outcome";
import { JqEvaluator } from "./jq-evaluator";
import { JsonataEvaluator } from "./jsonata-evaluator";
import { MetricErrorCode } from "./metric-error";

/** A metric value read from a backend's answer, or why there is none. */
export type Extracted = { ok: true; value: number } | { ok: false; code: MetricErrorCode; message: string };

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads the number out of a backend's JSON answer with the metric's `jsonataExpression` or
 * `jqExpression` (or the provider's default jq expression). Only the first output counts and it
 * must be a finite number, as in Iter8.
 */
export class ValueExtractor {
  readonly jq: JqEvaluator;
  readonly jsonata: JsonataEvaluator;

  /**
   * @param options.limits time and memory of one evaluation: the extractor gets a pool of its own
   *   with these limits (default: the process-wide pool, 1 s and 64 MiB)
   */
  constructor(options: { jq?: JqEvaluator; jsonata?: JsonataEvaluator; limits?: Partial<ExpressionLimits> } = {}) {
    const pool = options.limits ? new ExpressionPool({ limits: options.limits }) : undefined;
    this.jq = options.jq ?? new JqEvaluator(pool ? { pool } : {});
    this.jsonata = options.jsonata ?? new JsonataEvaluator(pool ? { pool } : {});
  }

  /**
   * @param text the answer as received
   * @param parsed the answer parsed as JSON
   * @param defaultJqExpression the provider's expression for metrics that name none
   * @param options who the evaluation is for: the experiment's namespace, so tenants share the
   *   expression workers in turn
   */
  async extract(spec: Pick<MetricSpec, "jqExpression" | "jsonataExpression">, text: string, parsed: unknown, defaultJqExpression?: string, options: ExpressionJobOptions = {}): Promise<Extracted> {
    let outcome: ExtractionOutcome;
    let field: string;
    if (spec.jsonataExpression) {
      field = "spec.jsonataExpression";
      outcome = await this.jsonata.evaluate(spec.jsonataExpression, parsed, text, options);
    } else {
      const expression = spec.jqExpression || defaultJqExpression;
      if (!expression) {
        return { ok: false, code: MetricErrorCode.InvalidMetric, message: "the metric has no jqExpression (or jsonataExpression) to read its value with; add one" };
      }
      field = spec.jqExpression ? "spec.jqExpression" : `the default jqExpression ${JSON.stringify(expression)}`;
      outcome = await this.jq.evaluate(expression, text, parsed, options);
    }
    return judge(outcome, field);
  }
}

/** Turns an expression's outcome into a value or a coded failure. */
export function judge(outcome: ExtractionOutcome, field: string): Extracted {
  switch (outcome.kind) {
    case "number":
      return { ok: true, value: outcome.value };
    case "empty":
      return { ok: false, code: MetricErrorCode.NoNumber, message: `${field} produced no output for the backend's answer` };
    case "other":
      return { ok: false, code: MetricErrorCode.NoNumber, message: `${field} gave ${describe(outcome.value)}, not a number` };
    case "nan":
      return { ok: false, code: MetricErrorCode.NaN, message: `${field} gave NaN (often 0/0: no requests yet for this version)` };
    case "infinite":
      return { ok: false, code: MetricErrorCode.NaN, message: `${field} gave an infinite number (often x/0: no requests yet for this version)` };
    case "error":
      return { ok: false, code: MetricErrorCode.NoNumber, message: `${field} failed on the backend's answer: ${outcome.message}` };
    case "compile_error":
      return { ok: false, code: MetricErrorCode.BadExpression, message: `${field} is not a valid expression: ${outcome.message}` };
    case "limit": {
      const what = outcome.limit === "time" ? `ran longer than its time limit of ${outcome.value}` : `needed more than its memory limit of ${outcome.value}`;
      const again = outcome.remembered ? " (it did so moments ago, so it was not run again)" : "";
      return {
        ok: false,
        code: MetricErrorCode.ExpressionLimit,
        message: `${field} ${what} and was stopped${again}; simplify it, or ask the operator to raise the controller's ${outcome.flag}`,
      };
    }
  }
}
