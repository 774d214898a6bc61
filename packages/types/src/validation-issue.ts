/**
 * What the document checks report: one issue per mistake, each with the field path at fault,
 * a sentence a user can act on, a closed `code`, and (for text input) the line it is on.
 */

/** Kinds of mistakes, so that tools can react to a kind without matching message text. */
export const IssueCode = {
  /** The text is not YAML or JSON. */
  Syntax: "syntax",
  /** A single-document parser was given zero or several documents. */
  DocumentCount: "document_count",
  /** A required field is missing. */
  Required: "required",
  /** A field has the wrong type (a string where a number belongs, …). */
  InvalidType: "invalid_type",
  /** A field's value is not one of the allowed values, or not well-formed. */
  InvalidValue: "invalid_value",
  /** A number or list is outside its allowed range. */
  OutOfRange: "out_of_range",
  /** A field the API does not have (often a misspelling or wrong indentation). */
  UnknownField: "unknown_field",
  /** A value is not a Kubernetes quantity. */
  InvalidQuantity: "invalid_quantity",
  /** A fractional JSON number where the cluster only accepts an integer or a quoted quantity. */
  FractionalQuantity: "fractional_quantity",
  /** The experiment has no `versionInfo` and no start action that could add it. */
  NoVersionInfo: "no_version_info",
  /** The number of candidates does not fit the testing pattern. */
  CandidateCount: "candidate_count",
  /** Two versions share a name. */
  DuplicateVersionName: "duplicate_version_name",
  /** The number of rewards does not fit the testing pattern. */
  RewardCount: "reward_count",
  /** A weight fieldPath does not start with `.`. */
  FieldPath: "field_path",
  /** A task sets both or neither of `task` and `run`. */
  TaskKind: "task_kind",
  /** An action name the experiment never runs. */
  UnknownAction: "unknown_action",
  /** An objective's lowerLimit is above its upperLimit. */
  LimitOrder: "limit_order",
  /** A metric or secret reference is not `name` or `namespace/name`. */
  Reference: "reference",
  /** A metric cannot be queried as written (no URL, no extraction expression, …). */
  MetricSource: "metric_source",
  /** A Secret's `data` value is not base64. */
  Base64: "invalid_base64",
  /** A template, expression or field path is longer or nests deeper than its parser is allowed to take. */
  InputLimit: "input_limit",
  /** Anything else the schema rejects. */
  Other: "other",
} as const;
/** A kind of mistake. */
export type IssueCode = (typeof IssueCode)[keyof typeof IssueCode];

/** One problem found in a document: where it is and what to do about it. */
export interface ValidationIssue {
  /** Dotted field path, e.g. `spec.strategy.testingPattern` or `spec.criteria.objectives[0].metric`. */
  path: string;
  /** A sentence a user can act on. */
  message: string;
  /** The kind of mistake. */
  code?: IssueCode;
  /** 1-based line of the field (or of its closest existing parent) when the input was text. */
  line?: number;
}

/** The result of parsing: the typed value, or every problem found. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

/** One step of a field path: an object key or a list index. */
export type PathSegment = string | number;

/** Formats a path as `a.b[0].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** An issue before it is located in the text: the path is still a list of segments. */
export interface RawIssue {
  segments: PathSegment[];
  message: string;
  code: IssueCode;
}

/** Describes a value the way an error message quotes it: `"AB"`, `0.01`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  // JSON has no NaN or infinities and would print them as null.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}
