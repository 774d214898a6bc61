import {
  escapeControls,
  formatPath,
  hasControls,
  parseDocuments,
  parseExperiment,
  parseExperimentSchema,
  parseMetric,
  parseMetricSchema,
  type Experiment,
  type Metric,
  type ValidationIssue,
} from "@iter8ts/types";
import { readsSloppily } from "./failure-culprit";
import type { FuzzCase } from "./fuzz-corpus";
import { plantedInPlace } from "./planted-value";

/** What the parse functions made of one fuzz case. */
export interface ParseVerdict {
  /** Accepted by `parseExperiment` / `parseMetric` (schema and rules). */
  accepted: boolean;
  /** Accepted by the schema alone (`parseExperimentSchema` / `parseMetricSchema`): the value, else undefined. */
  schemaValue?: Experiment | Metric;
  /** The issues of the full parse, when it rejected the document. */
  issues: ValidationIssue[];
  /** Breaches of the parse contract; empty when the functions behaved. */
  violations: string[];
}

// Codes an issue about the document as a whole may carry; any other issue must name a field.
const WHOLE_DOCUMENT_CODES = new Set(["syntax", "document_count", "invalid_type", "required"]);

function call<T>(name: string, fn: () => T, violations: string[]): T | undefined {
  try {
    return fn();
  } catch (error) {
    violations.push(`${name} threw ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error)}`);
    return undefined;
  }
}

function issueProblems(issue: ValidationIssue): string[] {
  const out: string[] = [];
  const where = `issue ${JSON.stringify(issue.path)} (${issue.code ?? "no code"})`;
  if (typeof issue.path !== "string" || issue.path.trim() === "") out.push(`${where} names no field path`);
  else if (issue.path === "(document)" && !WHOLE_DOCUMENT_CODES.has(issue.code ?? "")) out.push(`${where}: a ${issue.code} issue must name the field, not the document`);
  if (typeof issue.message !== "string" || issue.message.trim() === "") out.push(`${where} has no message`);
  else if (readsSloppily(issue.message)) out.push(`${where} message reads ${JSON.stringify(issue.message.slice(0, 160))}`);
  // What validate prints, and what a controller's event or a CI log would show as is.
  else if (hasControls(`${issue.path}: ${issue.message}`)) out.push(`${where} shows a raw control character: ${JSON.stringify(issue.message.slice(0, 160))}`);
  return out;
}

/**
 * Feeds one fuzz case to the parse functions of @iter8ts/types and checks their contract: they
 * never throw; a rejection lists at least one issue, and every issue names a field path (or, for
 * a problem with the whole document, `(document)`) with a sentence that reads well and no raw
 * control character; a value planted to be refused (a non-finite quantity, an expression or
 * template past `InputLimits`) is reported at its own field while it is still in place;
 * `parseDocuments` never throws on text.
 */
export function checkParseContract(fuzz: FuzzCase): ParseVerdict {
  const violations: string[] = [];
  const experiment = fuzz.kind === "Experiment";
  const full = call(experiment ? "parseExperiment" : "parseMetric", () => (experiment ? parseExperiment(fuzz.input) : parseMetric(fuzz.input)), violations);
  // The full parse runs the schema first, so it accepts only what the schema accepts; the schema
  // alone is asked only about rejected documents, to find those the engine must still run.
  const schema =
    full?.ok === true
      ? full
      : call(experiment ? "parseExperimentSchema" : "parseMetricSchema", () => (experiment ? parseExperimentSchema(fuzz.input) : parseMetricSchema(fuzz.input)), violations);
  if (typeof fuzz.input === "string") call("parseDocuments", () => parseDocuments(fuzz.input as string), violations);
  const verdict: ParseVerdict = { accepted: full?.ok === true, issues: full && !full.ok ? full.errors : [], violations };
  if (schema?.ok) verdict.schemaValue = schema.value;
  if (full && !full.ok) {
    if (full.errors.length === 0) violations.push("rejected without any issue");
    for (const issue of full.errors) violations.push(...issueProblems(issue));
  }
  for (const planted of fuzz.planted) {
    if (planted.reportedBy !== "parse" || !full || !plantedInPlace(fuzz, planted)) continue;
    const path = escapeControls(formatPath(planted.segments));
    if (full.ok || !full.errors.some((issue) => issue.path === path)) {
      const value = typeof planted.value === "string" ? `${JSON.stringify(planted.value.slice(0, 24))} (${planted.value.length} characters)` : String(planted.value);
      violations.push(`${value} planted at ${path} is not reported there`);
    }
  }
  return verdict;
}
