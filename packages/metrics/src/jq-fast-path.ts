import type { ExtractionOutcome } from "./extraction-outcome";

/**
 * A native evaluator for the small jq subset that metric definitions use in practice
 * (`.data.result[0].value[1] | tonumber`, `.results[0] | .[] | tonumber`,
 * `.aggregations.x.value`, ...). Evaluating jq in WebAssembly costs about a millisecond per call;
 * this path costs microseconds.
 *
 * It must never disagree with jq. Wherever jq's answer could differ from a plain JavaScript
 * reading of the parsed JSON, or wherever jq would fail (so its exact message matters), the fast
 * path declines and the caller asks jq itself. Declining is always safe; guessing is not.
 *
 * Supported: pipelines (`|`) of paths made of `.name`, `."name"`, `.["name"]`, `[n]` (integer,
 * negative counts from the end), `[]`, and the builtin `tonumber`, plus `.` alone.
 */

type Step =
  | { op: "field"; name: string }
  | { op: "index"; index: number }
  | { op: "iterate" }
  | { op: "tonumber" };

/** A compiled fast-path program: one step list per pipeline stage, flattened. */
export interface JqFastProgram {
  readonly expression: string;
  readonly steps: readonly Step[];
}

/** Thrown inside evaluation to give the input back to real jq. */
const DECLINE = Symbol("decline");

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const INT = /^-?[0-9]+/;
// A JSON number: the only strings whose `tonumber` result we are sure matches jq's.
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const STRING_LITERAL = /^"((?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"/;
// Keys a JavaScript object would reorder (array-index-like), so iteration order could differ.
const INDEX_LIKE_KEY = /^(?:0|[1-9][0-9]*)$/;

/** Parses one stage (`.a.b[0]`, `tonumber`, `.`); returns undefined when outside the subset. */
function parseStage(text: string): Step[] | undefined {
  const s = text.trim();
  if (s === "tonumber") return [{ op: "tonumber" }];
  if (s === ".") return [];
  if (!s.startsWith(".")) return undefined;
  const steps: Step[] = [];
  let rest = s;
  let first = true;
  while (rest.length > 0) {
    if (rest.startsWith("[")) {
      // `[...]` directly after a component, or `.[...]` at the start or after a component.
      const close = rest.indexOf("]");
      if (close < 0) return undefined;
      const inner = rest.slice(1, close).trim();
      if (inner === "") steps.push({ op: "iterate" });
      else if (INT.exec(inner)?.[0] === inner) steps.push({ op: "index", index: Number(inner) });
      else {
        const lit = STRING_LITERAL.exec(inner);
        if (!lit || lit[0] !== inner) return undefined;
        steps.push({ op: "field", name: JSON.parse(inner) as string });
      }
      rest = rest.slice(close + 1);
      first = false;
      continue;
    }
    if (!rest.startsWith(".")) return undefined;
    rest = rest.slice(1);
    if (rest.startsWith("[")) continue;
    const ident = IDENT.exec(rest);
    if (ident) {
      steps.push({ op: "field", name: ident[0] });
      rest = rest.slice(ident[0].length);
      first = false;
      continue;
    }
    const lit = STRING_LITERAL.exec(rest);
    if (lit) {
      steps.push({ op: "field", name: JSON.parse(lit[0]) as string });
      rest = rest.slice(lit[0].length);
      first = false;
      continue;
    }
    // A lone `.` is only valid as the whole stage, handled above.
    if (first && rest === "") return [];
    return undefined;
  }
  return steps;
}

/** Splits on `|` outside string literals. */
function splitPipes(expression: string): string[] | undefined {
  const out: string[] = [];
  let current = "";
  let inString = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (inString) {
      current += c;
      if (c === "\\") {
        current += expression[i + 1] ?? "";
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === "|") {
      out.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  if (inString) return undefined;
  out.push(current);
  return out;
}

/**
 * Compiles an expression for the fast path, or returns undefined when it is outside the subset
 * (the caller then always uses jq).
 */
export function compileJqFastPath(expression: string): JqFastProgram | undefined {
  const stages = splitPipes(expression);
  if (!stages) return undefined;
  const steps: Step[] = [];
  for (const stage of stages) {
    if (stage.trim() === "") return undefined;
    const parsed = parseStage(stage);
    if (!parsed) return undefined;
    steps.push(...parsed);
  }
  return { expression, steps };
}

function* run(steps: readonly Step[], at: number, value: unknown): Generator<unknown> {
  if (at === steps.length) {
    yield value;
    return;
  }
  const step = steps[at]!;
  switch (step.op) {
    case "field": {
      if (value === null) return yield* run(steps, at + 1, null);
      if (typeof value !== "object" || Array.isArray(value)) throw DECLINE;
      const obj = value as Record<string, unknown>;
      const next = Object.prototype.hasOwnProperty.call(obj, step.name) ? obj[step.name] : null;
      return yield* run(steps, at + 1, next);
    }
    case "index": {
      if (value === null) return yield* run(steps, at + 1, null);
      if (!Array.isArray(value)) throw DECLINE;
      const i = step.index < 0 ? value.length + step.index : step.index;
      const next = i >= 0 && i < value.length ? (value[i] as unknown) : null;
      return yield* run(steps, at + 1, next);
    }
    case "iterate": {
      if (Array.isArray(value)) {
        for (const item of value) yield* run(steps, at + 1, item);
        return;
      }
      if (value === null || typeof value !== "object") throw DECLINE;
      const keys = Object.keys(value);
      if (keys.some((k) => INDEX_LIKE_KEY.test(k))) throw DECLINE;
      for (const k of keys) yield* run(steps, at + 1, (value as Record<string, unknown>)[k]);
      return;
    }
    case "tonumber": {
      if (typeof value === "number") return yield* run(steps, at + 1, value);
      if (typeof value === "string" && JSON_NUMBER.test(value)) {
        const n = Number(value);
        if (!Number.isFinite(n)) throw DECLINE;
        return yield* run(steps, at + 1, n);
      }
      throw DECLINE;
    }
  }
}

/**
 * Evaluates a fast-path program on parsed JSON. Returns the outcome, or undefined when the fast
 * path declines (the caller must then ask jq).
 */
export function runJqFastPath(program: JqFastProgram, input: unknown): ExtractionOutcome | undefined {
  try {
    const it = run(program.steps, 0, input);
    const first = it.next();
    if (first.done) return { kind: "empty" };
    const value = first.value;
    if (typeof value === "number") {
      // JSON.parse never yields NaN, and an out-of-range literal becomes ±Infinity, which jq
      // prints differently; let jq speak for those.
      if (!Number.isFinite(value)) return undefined;
      return { kind: "number", value };
    }
    // Structured values could print differently from jq (key order, huge numbers); they are
    // failures anyway, so jq may describe them.
    if (value !== null && typeof value === "object") return undefined;
    return { kind: "other", value };
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}
