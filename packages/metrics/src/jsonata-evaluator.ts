import jsonata from "jsonata";
import { inputLimitProblem, nestingProblem } from "@iter8ts/types";
import type { ExtractionOutcome } from "./extraction-outcome";

type Compiled = { ok: true; expression: jsonata.Expression } | { ok: false; message: string };

function messageOf(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { message?: unknown; position?: unknown; code?: unknown };
    const where = typeof e.position === "number" ? ` at position ${e.position}` : "";
    const code = typeof e.code === "string" ? ` (${e.code})` : "";
    return `${typeof e.message === "string" ? e.message : String(error)}${where}${code}`;
  }
  return String(error);
}

/**
 * Evaluates `jsonataExpression`s, the alternative to jq for users who prefer JSONata. A result
 * that is a sequence counts by its first item, as jq's first output does.
 */
export class JsonataEvaluator {
  private readonly compiled = new Map<string, Compiled>();

  private compile(source: string): Compiled {
    let c = this.compiled.get(source);
    if (!c) {
      // JSONata's parser and evaluator recurse as deep as the expression nests.
      const tooBig = inputLimitProblem(source, "expression", "JSONata expression");
      if (tooBig) c = { ok: false, message: tooBig };
      else {
        try {
          c = { ok: true, expression: jsonata(source) };
        } catch (error) {
          c = { ok: false, message: error instanceof RangeError ? nestingProblem("JSONata expression") : messageOf(error) };
        }
      }
      this.compiled.set(source, c);
    }
    return c;
  }

  /** Evaluates an expression against parsed JSON. */
  async evaluate(source: string, parsed: unknown): Promise<ExtractionOutcome> {
    const c = this.compile(source);
    if (!c.ok) return { kind: "compile_error", message: c.message };
    let result: unknown;
    try {
      result = await c.expression.evaluate(parsed);
    } catch (error) {
      const message = error instanceof RangeError ? "evaluation overflowed the stack: the expression or the answer nests too deep" : messageOf(error);
      return { kind: "error", message };
    }
    if (Array.isArray(result)) {
      if (result.length === 0) return { kind: "empty" };
      result = result[0];
    }
    if (result === undefined) return { kind: "empty" };
    if (typeof result === "number") {
      if (Number.isNaN(result)) return { kind: "nan" };
      if (!Number.isFinite(result)) return { kind: "infinite" };
      return { kind: "number", value: result };
    }
    return { kind: "other", value: result };
  }
}
