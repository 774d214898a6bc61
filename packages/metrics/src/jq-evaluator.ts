import { loadJq, type Jq } from "jq-wasm";
import { inputLimitProblem } from "@iter8ts/types";
import type { ExtractionOutcome } from "./extraction-outcome";
import { compileJqFastPath, runJqFastPath, type JqFastProgram } from "./jq-fast-path";

// jq classifies the first output itself, so NaN and infinities (which jq prints as null and as
// ±1.797e308) stay distinguishable from real nulls and large numbers.
const wrap = (expression: string): string =>
  `[limit(1; (${expression}\n))] | if length == 0 then {k:"empty"} else .[0] | ` +
  `if type == "number" then (if isnan then {k:"nan"} elif isinfinite then {k:"inf"} else {k:"number", v:.} end) ` +
  `else {k:"other", v:.} end end`;

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
}

/**
 * Evaluates `jqExpression`s with real jq semantics (jq 1.8 compiled to WebAssembly), taking a
 * native fast path for the simple path expressions metric definitions use. Only the first output
 * counts, as in Iter8. One instance loads jq once and may be shared by concurrent queries.
 */
export class JqEvaluator {
  private jq: Promise<Jq> | undefined;
  private readonly fast = new Map<string, JqFastProgram | null>();
  private readonly useFastPath: boolean;

  constructor(options: JqEvaluatorOptions = {}) {
    this.useFastPath = options.fastPath ?? true;
  }

  /** Loads jq now rather than on the first evaluation that needs it. */
  async ready(): Promise<void> {
    await this.load();
  }

  private load(): Promise<Jq> {
    this.jq ??= loadJq();
    return this.jq;
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
  async evaluate(expression: string, text: string, parsed: unknown): Promise<ExtractionOutcome> {
    const tooBig = inputLimitProblem(expression, "expression", "jq expression");
    if (tooBig) return { kind: "compile_error", message: tooBig };
    if (this.useFastPath) {
      const program = this.fastProgram(expression);
      if (program) {
        const outcome = runJqFastPath(program, parsed);
        if (outcome) return outcome;
      }
    }
    return this.evaluateWithJq(expression, text);
  }

  /** Evaluates with jq itself, never the fast path (used to check the fast path, and by it). */
  async evaluateWithJq(expression: string, text: string): Promise<ExtractionOutcome> {
    // jq's stack lives in its WebAssembly memory: an overflow corrupts the instance for every
    // later query, so what could overflow it is refused before it runs.
    const tooBig = inputLimitProblem(expression, "expression", "jq expression");
    if (tooBig) return { kind: "compile_error", message: tooBig };
    const jq = await this.load();
    let result: ReturnType<Jq["raw"]>;
    let bare: ReturnType<Jq["raw"]> | undefined;
    try {
      result = jq.raw(text, wrap(expression), ["-c"]);
      // Compile the bare expression again so that the reported column is the user's own.
      if (result.exitCode !== 0 && /compile error|syntax error/.test(result.stderr)) bare = jq.raw("null", expression, ["-c"]);
    } catch (error) {
      // The limits did not foresee it (a trap, an overflow): this instance may be corrupt, so
      // the next evaluation loads a fresh one.
      this.jq = undefined;
      return { kind: "error", message: `jq stopped with ${error instanceof Error ? error.message : String(error)}; simplify the expression` };
    }
    if (result.exitCode !== 0 || result.stdout.trim() === "") {
      if (/compile error|syntax error/.test(result.stderr)) {
        const message = bare && /compile error|syntax error/.test(bare.stderr) ? bare.stderr : result.stderr;
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
}
