import { inputLimitProblem } from "@iter8ts/types";
import { limitOutcome, sharedExpressionPool, type ExpressionJobOptions, type ExpressionPool, type PoolAnswer } from "./expression-pool";
import type { ExtractionOutcome } from "./extraction-outcome";
import { compileJqFastPath, runJqFastPath, type JqFastProgram } from "./jq-fast-path";

/** Strips jq's `jq: error (at <stdin>:0):` prefix, which names no place a user knows. */
function cleanMessage(stderr: string): string {
  return stderr
    .trim()
    .split("\n")[0]!
    .replace(/^jq: error \(at [^)]*\): /, "")
    .replace(/^jq: error: /, "");
}

/** Options of {@link JqEvaluator}. */
export interface JqEvaluatorOptions {
  /** Use the native fast path where it is sure to agree with jq (default true). */
  fastPath?: boolean;
  /** The worker threads jq runs in, with their limits (default: the process-wide pool). */
  pool?: ExpressionPool;
}

/**
 * Evaluates `jqExpression`s with real jq semantics (jq 1.8 compiled to WebAssembly), taking a
 * native fast path for the simple path expressions metric definitions use. Only the first output
 * counts, as in Iter8. jq itself runs in a worker thread of an {@link ExpressionPool}, with a time
 * and a memory limit; the fast path runs in place, since it is a single walk down the parsed
 * answer (its cost is bounded by the answer's size, which the HTTP client caps).
 */
export class JqEvaluator {
  private readonly fast = new Map<string, JqFastProgram | null>();
  private readonly useFastPath: boolean;
  readonly pool: ExpressionPool;

  constructor(options: JqEvaluatorOptions = {}) {
    this.useFastPath = options.fastPath ?? true;
    this.pool = options.pool ?? sharedExpressionPool();
  }

  /** Starts a worker and loads jq in it now rather than on the first evaluation that needs it. */
  async ready(): Promise<void> {
    await this.pool.run({ kind: "jq", expression: ".", text: "null" });
  }

  /** The cached fast-path program of an expression, or undefined when jq must run it. */
  fastProgram(expression: string): JqFastProgram | undefined {
    let program = this.fast.get(expression);
    if (program === undefined) {
      program = compileJqFastPath(expression) ?? null;
      this.fast.set(expression, program);
    }
    return program ?? undefined;
  }

  /**
   * Evaluates an expression against a JSON document.
   * @param text the document as received (jq reads this text when it runs)
   * @param parsed the same document parsed with JSON.parse (the fast path reads this)
   */
  async evaluate(expression: string, text: string, parsed: unknown, options: ExpressionJobOptions = {}): Promise<ExtractionOutcome> {
    const tooBig = inputLimitProblem(expression, "expression", "jq expression");
    if (tooBig) return { kind: "compile_error", message: tooBig };
    if (this.useFastPath) {
      const program = this.fastProgram(expression);
      if (program) {
        const outcome = runJqFastPath(program, parsed);
        if (outcome) return outcome;
      }
    }
    return this.evaluateWithJq(expression, text, options);
  }

  /** Evaluates with jq itself, never the fast path (used to check the fast path, and by it). */
  async evaluateWithJq(expression: string, text: string, options: ExpressionJobOptions = {}): Promise<ExtractionOutcome> {
    // jq's stack lives in its WebAssembly memory: an overflow corrupts the instance for every
    // later query, so what could overflow it is refused before it runs.
    const tooBig = inputLimitProblem(expression, "expression", "jq expression");
    if (tooBig) return { kind: "compile_error", message: tooBig };
    return jqOutcome(await this.pool.run({ kind: "jq", expression, text }, options), this.pool);
  }
}

/** Turns what the pool answered for a jq job into an outcome. */
function jqOutcome(answer: PoolAnswer, pool: ExpressionPool): ExtractionOutcome {
  switch (answer.kind) {
    case "limit":
      return limitOutcome(answer, pool.limits);
    case "crash":
      // A trap or an overflow the limits did not foresee: the worker is replaced.
      return { kind: "error", message: `jq stopped with ${answer.message}; simplify the expression` };
    case "jq":
      break;
    default:
      return { kind: "error", message: `jq gave an unexpected answer (${answer.kind})` };
  }
  const result = answer;
  if (result.exitCode !== 0 || result.stdout.trim() === "") {
    if (/compile error|syntax error/.test(result.stderr)) {
      // The bare expression was compiled again so that the reported column is the user's own.
      const message = result.bare && /compile error|syntax error/.test(result.bare) ? result.bare : result.stderr;
      return { kind: "compile_error", message: cleanMessage(message) };
    }
    return { kind: "error", message: cleanMessage(result.stderr || `jq exited with status ${result.exitCode}`) };
  }
  const out = JSON.parse(result.stdout) as { k: string; v?: unknown };
  switch (out.k) {
    case "empty":
      return { kind: "empty" };
    case "nan":
      return { kind: "nan" };
    case "inf":
      return { kind: "infinite" };
    case "number":
      return { kind: "number", value: out.v as number };
    default:
      return { kind: "other", value: out.v };
  }
}
