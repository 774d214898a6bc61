/** Checks of single field values shared by the Experiment and Metric document checks. */
import { isWellFormedRef } from "./metric-ref";
import { isQuantity } from "./quantity";
import { describeValue, IssueCode, type PathSegment, type RawIssue } from "./validation-issue";

/** A reference (`name` or `namespace/name`) that Kubernetes could not resolve, as an issue. */
export function referenceIssue(value: unknown, segments: PathSegment[], what: "metric" | "secret"): RawIssue | undefined {
  if (typeof value !== "string" || value === "" || isWellFormedRef(value)) return undefined;
  return {
    segments,
    code: IssueCode.Reference,
    message: `must be a ${what} name or namespace/name, in lowercase letters, digits, "-" and "." (got ${describeValue(value)})`,
  };
}

/**
 * A fractional JSON number where the CRD declares an int-or-string quantity: the API server
 * rejects `0.01` but accepts `"0.01"`, so the document would not apply to a cluster.
 */
export function fractionalQuantityIssue(value: unknown, segments: PathSegment[]): RawIssue | undefined {
  if (typeof value !== "number" || Number.isInteger(value) || !isQuantity(value)) return undefined;
  return {
    segments,
    code: IssueCode.FractionalQuantity,
    message: `must be an integer or a quoted quantity: Kubernetes rejects the number ${value} here, write "${value}"`,
  };
}
