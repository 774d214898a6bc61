import type jsonata from "jsonata";
import { jsonataModule } from "./jsonata-module";
import { ConclusionOutcome, inputLimitProblem, nestingProblem, type Experiment } from "@iter8ts/types";
import { ConditionError, ConditionErrorCode } from "./condition-error";

/**
 * `if` conditions of tasks. The forms Iter8 documents — `WinnerFound()`, `CandidateWon()`,
 * `not`/`!`, `and`/`&&`, `or`/`||`, parentheses, `true`, `false` — and `RolledBack()` are
 * evaluated directly. Anything else is a JSONata expression over the experiment as JSON
 * (`status.completedIterations > 3`), where the built-ins are available (written with or
 * without `$`).
 */

/** True when analytics found a winner (`status.analysis.winnerAssessment.data.winnerFound`). */
export function winnerFound(experiment: Pick<Experiment, "status">): boolean {
  return experiment.status?.analysis?.winnerAssessment?.data.winnerFound === true;
}

/**
 * True when a winner was found, the experiment has exactly one candidate, the candidate is the
 * winner, and it is the version recommended for promotion: after a rollback or a failure the
 * baseline is recommended, so a candidate that won earlier no longer counts as having won.
 */
export function candidateWon(experiment: Pick<Experiment, "spec" | "status">): boolean {
  const candidates = experiment.spec.versionInfo?.candidates ?? [];
  const data = experiment.status?.analysis?.winnerAssessment?.data;
  const recommended = experiment.status?.versionRecommendedForPromotion;
  const won = winnerFound(experiment) && candidates.length === 1 && !!data?.winner && data.winner === candidates[0]?.name;
  return won && (recommended === undefined || recommended === data?.winner);
}

/** True when the experiment is ending in a rollback (`status.conclusion.outcome` is `RolledBack`). */
export function rolledBack(experiment: Pick<Experiment, "status">): boolean {
  return experiment.status?.conclusion?.outcome === ConclusionOutcome.RolledBack;
}

/** The built-in functions of conditions. */
const BUILTINS = {
  WinnerFound: winnerFound,
  CandidateWon: candidateWon,
  RolledBack: rolledBack,
} as const satisfies Record<string, (experiment: Pick<Experiment, "spec" | "status">) => boolean>;
type BuiltinName = keyof typeof BUILTINS;
const BUILTIN_NAMES = Object.keys(BUILTINS) as BuiltinName[];
const isBuiltin = (name: unknown): name is BuiltinName => typeof name === "string" && Object.hasOwn(BUILTINS, name);
const BUILTIN_LIST = "WinnerFound(), CandidateWon(), RolledBack()";

type Native =
  | { kind: "call"; name: BuiltinName }
  | { kind: "literal"; value: boolean }
  | { kind: "not"; operand: Native }
  | { kind: "and" | "or"; left: Native; right: Native };

interface Token {
  text: string;
  pos: number;
}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const re = new RegExp(`\\s*(${BUILTIN_NAMES.join("|")}|not|and|or|true|false|&&|\\|\\||!|\\(|\\))\\s*`, "y");
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    const word = m[1] as string;
    const end = re.lastIndex;
    // Words must stand alone: `notable` or `WinnerFoundX` are not keywords.
    if (/^[A-Za-z]/.test(word) && /[A-Za-z0-9_$.]/.test(text[pos + m[0].indexOf(word) + word.length] ?? "")) return undefined;
    tokens.push({ text: word, pos: pos + m[0].indexOf(word) });
    pos = end;
  }
  return tokens;
}

/** Parses the documented boolean forms; undefined when the text is something else. */
function parseNative(text: string): Native | undefined {
  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) return undefined;
  let i = 0;
  const peek = () => tokens[i]?.text;
  const or = (): Native | undefined => {
    let left = and();
    while (left && (peek() === "or" || peek() === "||")) {
      i++;
      const right = and();
      left = right ? { kind: "or", left, right } : undefined;
    }
    return left;
  };
  const and = (): Native | undefined => {
    let left = unary();
    while (left && (peek() === "and" || peek() === "&&")) {
      i++;
      const right = unary();
      left = right ? { kind: "and", left, right } : undefined;
    }
    return left;
  };
  const unary = (): Native | undefined => {
    const t = peek();
    i++;
    if (t === "not" || t === "!") {
      const operand = unary();
      return operand && { kind: "not", operand };
    }
    if (t === "true" || t === "false") return { kind: "literal", value: t === "true" };
    if (t === "(") {
      const inner = or();
      if (peek() !== ")") return undefined;
      i++;
      return inner;
    }
    if (isBuiltin(t)) {
      if (peek() !== "(" || tokens[i + 1]?.text !== ")") return undefined;
      i += 2;
      return { kind: "call", name: t };
    }
    return undefined;
  };
  const tree = or();
  return tree && i === tokens.length ? tree : undefined;
}

function evaluateNative(node: Native, experiment: Pick<Experiment, "spec" | "status">): boolean {
  switch (node.kind) {
    case "call":
      return BUILTINS[node.name](experiment);
    case "literal":
      return node.value;
    case "not":
      return !evaluateNative(node.operand, experiment);
    case "and":
      return evaluateNative(node.left, experiment) && evaluateNative(node.right, experiment);
    case "or":
      return evaluateNative(node.left, experiment) || evaluateNative(node.right, experiment);
  }
}

// JSONata's own functions; a call to anything else (that the expression does not bind itself)
// is a mistake worth reporting before the action runs.
const JSONATA_FUNCTIONS = new Set(
  (
    "sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad match contains replace split join " +
    "formatNumber formatBase formatInteger parseInteger number abs floor ceil round power sqrt random boolean not exists map filter single reduce sift " +
    "keys lookup append spread merge reverse sort shuffle distinct zip each error assert type now millis fromMillis toMillis base64encode base64decode " +
    "encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl eval clone"
  ).split(" "),
);

/** Rewrites bare built-in calls (`WinnerFound()`) to JSONata's `$` form, outside strings. */
function dollarBuiltins(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = BUILTIN_CALL.exec(text.slice(i));
    if (m && !/[A-Za-z0-9_$.]/.test(text[i - 1] ?? "")) {
      out += "$";
    }
    out += ch;
    i++;
  }
  return out;
}

const BUILTIN_CALL = new RegExp(`^(${BUILTIN_NAMES.join("|")})\\s*\\(`);

interface JsonataNode {
  type?: string;
  value?: unknown;
  position?: number;
  procedure?: JsonataNode;
  steps?: JsonataNode[];
  [key: string]: unknown;
}

function checkFunctions(ast: JsonataNode, condition: string): void {
  const bound = new Set<string>(BUILTIN_NAMES);
  const visit = (node: unknown, collectBinds: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, collectBinds));
    if (node === null || typeof node !== "object") return;
    const n = node as JsonataNode;
    if (collectBinds && n.type === "bind" && (n.lhs as JsonataNode | undefined)?.type === "variable") bound.add(String((n.lhs as JsonataNode).value));
    if (collectBinds && n.type === "lambda") for (const arg of (n.arguments as JsonataNode[] | undefined) ?? []) bound.add(String(arg.value));
    if (!collectBinds && n.type === "name" && typeof n.value === "string") {
      // These never name experiment fields; as bare paths they would silently be false.
      if (n.value === "not") {
        throw new ConditionError(ConditionErrorCode.Syntax, `if condition ${JSON.stringify(condition)} uses "not" where JSONata needs $not(...); write e.g. not WinnerFound() or $not(status.x = 1)`, n.position);
      }
      if (isBuiltin(n.value)) {
        throw new ConditionError(ConditionErrorCode.Syntax, `if condition ${JSON.stringify(condition)} names ${n.value} without calling it; write ${n.value}()`, n.position);
      }
    }
    if (!collectBinds && (n.type === "function" || n.type === "partial")) {
      const proc = n.procedure;
      if (proc?.type === "path" || proc?.type === "name") {
        const name = proc.steps?.map((s) => s.value).join(".") ?? String(proc.value);
        throw new ConditionError(
          ConditionErrorCode.UnknownFunction,
          `if condition ${JSON.stringify(condition)} calls unknown function ${name}(); use ${BUILTIN_LIST}, or JSONata functions written with $ (e.g. $count(...))`,
          proc.position,
        );
      }
      if (proc?.type === "variable" && proc.value !== "" && !bound.has(String(proc.value)) && !JSONATA_FUNCTIONS.has(String(proc.value))) {
        throw new ConditionError(
          ConditionErrorCode.UnknownFunction,
          `if condition ${JSON.stringify(condition)} calls unknown function $${String(proc.value)}(); use ${BUILTIN_LIST} or a JSONata function`,
          proc.position,
        );
      }
    }
    for (const value of Object.values(n)) if (value !== null && typeof value === "object") visit(value, collectBinds);
  };
  visit(ast, true);
  visit(ast, false);
}

const EXPERIMENT_FIELDS = new Set(["apiVersion", "kind", "metadata", "spec", "status"]);

/**
 * Paths evaluated against the experiment itself must start at one of its top-level fields;
 * anything else (`Status.Analysis` as the original's Go-struct conditions wrote it, `nil`) would
 * match nothing and make the condition silently false.
 */
function checkRootPaths(ast: JsonataNode, condition: string): void {
  const visit = (node: JsonataNode | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case "path": {
        const first = node.steps?.[0];
        visit(first);
        return;
      }
      case "name": {
        const name = String(node.value);
        if (EXPERIMENT_FIELDS.has(name)) return;
        const hint = name === "nil" ? "write null" : /^[A-Z]/.test(name) && EXPERIMENT_FIELDS.has(name.charAt(0).toLowerCase() + name.slice(1)) ? `write ${name.charAt(0).toLowerCase() + name.slice(1)} (JSON field names)` : "paths start at apiVersion, kind, metadata, spec or status";
        throw new ConditionError(ConditionErrorCode.Syntax, `if condition ${JSON.stringify(condition)} refers to ${name}, which is not a field of the experiment; ${hint}`, node.position);
      }
      case "binary":
        visit(node.lhs as JsonataNode);
        visit(node.rhs as JsonataNode);
        return;
      case "unary":
        if (node.value === "-") visit(node.expression as JsonataNode);
        return;
      case "condition":
        visit(node.condition as JsonataNode);
        visit(node.then as JsonataNode);
        visit(node.else as JsonataNode);
        return;
      case "block":
        for (const e of (node.expressions as JsonataNode[] | undefined) ?? []) visit(e);
        return;
      case "function":
        for (const a of (node.arguments as JsonataNode[] | undefined) ?? []) visit(a);
        return;
      default:
        return;
    }
  };
  visit(ast);
}

/**
 * What one JSONata condition may take: JSONata checks these at every step it evaluates, so a
 * function that calls itself for ever, or a sequence built without end, stops with an error
 * naming the limit instead of holding the action (and, in local mode, the whole run).
 */
export const CONDITION_LIMITS = { timeoutMs: 1_000, maxSequence: 100_000 } as const;
const CONDITION_GUARDRAILS: jsonata.JsonataOptions = { timeout: CONDITION_LIMITS.timeoutMs, sequence: CONDITION_LIMITS.maxSequence };

/** A condition ready to evaluate. */
export interface CompiledCondition {
  readonly text: string;
  /** `builtin` for the documented boolean forms, `jsonata` for the rest. */
  readonly kind: "builtin" | "jsonata";
  /** True when the task should run. */
  evaluate(experiment: Experiment): Promise<boolean>;
}

/**
 * Compiles a condition.
 *
 * @throws ConditionError `syntax` or `unknown_function`, quoting the condition, or `input_limit`
 *   for a condition longer or nested deeper than `InputLimits` allow.
 */
export function compileCondition(text: string): CompiledCondition {
  const trimmed = text.trim();
  if (trimmed === "") throw new ConditionError(ConditionErrorCode.Syntax, "if condition is empty; remove `if` or write e.g. WinnerFound()", 0);
  // Both parsers recurse as deep as the condition nests; a stack overflow is the last resort.
  const tooBig = inputLimitProblem(trimmed, "expression", "if condition");
  if (tooBig) throw new ConditionError(ConditionErrorCode.InputLimit, tooBig, 0);
  try {
    return compileWithin(text, trimmed);
  } catch (error) {
    if (error instanceof RangeError) throw new ConditionError(ConditionErrorCode.InputLimit, nestingProblem("if condition"), 0, { cause: error });
    throw error;
  }
}

function compileWithin(text: string, trimmed: string): CompiledCondition {
  const native = parseNative(trimmed);
  if (native) return { text, kind: "builtin", evaluate: async (experiment) => evaluateNative(native, experiment) };
  let expression: ReturnType<typeof jsonata>;
  try {
    expression = jsonataModule()(dollarBuiltins(trimmed), CONDITION_GUARDRAILS);
  } catch (error) {
    const e = error as { message?: string; position?: number };
    throw new ConditionError(
      ConditionErrorCode.Syntax,
      `if condition ${JSON.stringify(text)} is neither built-ins (${BUILTIN_LIST}) combined with not/and/or nor a valid JSONata expression: ${e.message ?? String(error)}` +
        (e.position !== undefined ? ` (at position ${e.position})` : ""),
      e.position,
      { cause: error },
    );
  }
  checkFunctions(expression.ast() as JsonataNode, text);
  checkRootPaths(expression.ast() as JsonataNode, text);
  return {
    text,
    kind: "jsonata",
    async evaluate(experiment) {
      let result: unknown;
      try {
        result = await expression.evaluate(experiment, {
          WinnerFound: () => winnerFound(experiment),
          CandidateWon: () => candidateWon(experiment),
          RolledBack: () => rolledBack(experiment),
        });
      } catch (error) {
        const e = error as { message?: string; position?: number };
        throw new ConditionError(ConditionErrorCode.Evaluation, `if condition ${JSON.stringify(text)} failed: ${e.message ?? String(error)}`, e.position, { cause: error });
      }
      // A path that matches nothing means the field is absent: the condition does not hold.
      if (result === undefined) return false;
      if (typeof result !== "boolean") {
        throw new ConditionError(ConditionErrorCode.NotBoolean, `if condition ${JSON.stringify(text)} gave ${JSON.stringify(result)}, not true or false; compare it, e.g. \`... = "value"\``);
      }
      return result;
    },
  };
}

/** The outcome of {@link validateCondition}. */
export type ConditionCheck = { ok: true; kind: "builtin" | "jsonata" } | { ok: false; error: ConditionError };

/** Checks a condition without evaluating it, for validating experiments before they run. */
export function validateCondition(text: string): ConditionCheck {
  try {
    return { ok: true, kind: compileCondition(text).kind };
  } catch (error) {
    if (error instanceof ConditionError) return { ok: false, error };
    throw error;
  }
}

/** Compiles and evaluates a condition against an experiment. */
export function evaluateCondition(text: string, experiment: Experiment): Promise<boolean> {
  return compileCondition(text).evaluate(experiment);
}
