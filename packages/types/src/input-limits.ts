/**
 * Bounds on the text a tenant writes that this product hands to a parser or an evaluator: Go
 * templates, `if` conditions, jq and JSONata expressions, weight field paths and metric query
 * templates. Those parsers recurse as deep as their input nests, so without a bound a
 * hand-written (or generated) text overflows the stack: in a CLI that is a bare `Maximum call
 * stack size exceeded`, in a controller a reconcile that fails the same way forever, and in jq's
 * WebAssembly build a corrupted instance that fails every later query of every metric.
 *
 * The limits are far above what real documents use (the longest sample expression is 50
 * characters, the deepest nesting 4) and far below what breaks a parser (jq's stack overflows
 * at about 2,000 chained operators, JSONata's and Node's at a few thousand nested levels).
 */
export const InputLimits = {
  /**
   * Levels of brackets — `(`, `[` and `{` alike — nested inside one another in any of these
   * texts; in Go templates `{{if}}`/`{{range}}`/`{{with}}` blocks, pipes and variable
   * declarations count as levels too.
   */
  maxNesting: 100,
  /** Characters of an `if` condition, a `jqExpression` or a `jsonataExpression`: at most 1,024 chained jq operators. */
  maxExpressionLength: 2_048,
  /** Characters of a Go template (a task input, a `run` script, a notification body) or a metric's `urlTemplate`, `body`, param or header value. */
  maxTemplateLength: 65_536,
  /** Characters of a weight `fieldPath` (`.spec.http[0].route[1].weight` is 29). */
  maxFieldPathLength: 1_024,
} as const;

/** The kinds of text {@link InputLimits} bound, each with its own length limit. */
export type LimitedText = "expression" | "template" | "fieldPath";

const MAX_LENGTH: Record<LimitedText, number> = {
  expression: InputLimits.maxExpressionLength,
  template: InputLimits.maxTemplateLength,
  fieldPath: InputLimits.maxFieldPathLength,
};

/**
 * How deep `(`, `[` and `{` nest in `text`; a closer without its opener counts as nothing. Quotes
 * are not understood, so brackets inside string literals count too: a cheap scan that may
 * overestimate but never underestimates what a parser will recurse into.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ( [ {
    if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
      // ) ] }
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) {
      depth--;
    }
  }
  return max;
}

/**
 * Checks a text against {@link InputLimits} before it reaches a parser.
 *
 * @param noun what the text is, to start the sentence: `template`, `jq expression`, `if condition`.
 * @returns the problem as a sentence to follow a field path (`template nests deeper than 100
 *   levels; …`), or undefined when the text is within the limits.
 */
export function inputLimitProblem(text: string, kind: LimitedText, noun: string): string | undefined {
  // Depth first: it is what a text written to break a parser overdoes, whatever its length.
  if (nestingDepth(text) > InputLimits.maxNesting) return nestingProblem(noun);
  const maxLength = MAX_LENGTH[kind];
  if (text.length > maxLength) {
    return `${noun} is ${text.length.toLocaleString("en-US")} characters long, more than the ${maxLength.toLocaleString("en-US")} allowed; shorten it`;
  }
  return undefined;
}

/** The sentence for a text that nests deeper than {@link InputLimits.maxNesting}, for parsers that count levels themselves. */
export function nestingProblem(noun: string): string {
  return `${noun} nests deeper than ${InputLimits.maxNesting} levels; flatten it (fewer brackets inside one another)`;
}
