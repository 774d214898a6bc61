import type { Document, LineCounter } from "yaml";
import { yamlModule } from "./yaml-module";
import type { z } from "zod";
import { escapeControls } from "./control-characters";
import { lineOf, sourceTextOf } from "./document-locator";
import { ExperimentSchema, type Experiment } from "./experiment";
import { experimentIssues } from "./experiment-checks";
import { MetricSchema, type Metric } from "./metric";
import { metricIssues } from "./metric-checks";
import { formatPath, IssueCode, type ParseResult, type PathSegment, type RawIssue, type ValidationIssue } from "./validation-issue";
import { zodIssues } from "./zod-issues";

/** A document read from text, with what is needed to point at its lines. */
export interface SourceDocument {
  value: unknown;
  /** The YAML node of the value, where field lines are looked up. */
  root: unknown;
  lineCounter: LineCounter;
}

/** Syntax errors of one YAML document as issues with their lines. */
export function syntaxIssues(doc: Document, lineCounter: LineCounter): ValidationIssue[] {
  return doc.errors.map((e) => ({
    path: "(document)",
    code: IssueCode.Syntax,
    message: escapeControls(`is not valid YAML or JSON: ${e.message.split("\n")[0]}`),
    line: e.linePos?.[0]?.line ?? (doc.range ? lineCounter.linePos(doc.range[0]).line : undefined),
  }));
}

/**
 * The value of a YAML document that parsed, or the issue that stops it from becoming one: an
 * alias bomb (aliases that would expand into millions of nodes) or nesting too deep to build.
 */
export function documentValue(doc: Document, lineCounter: LineCounter): { ok: true; value: unknown } | { ok: false; issue: ValidationIssue } {
  try {
    return { ok: true, value: doc.toJS() };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    const issue: ValidationIssue = { path: "(document)", code: IssueCode.Syntax, message: escapeControls(`cannot be read as YAML or JSON: ${reason}`) };
    const line = doc.range ? lineCounter.linePos(doc.range[0]).line : undefined;
    return { ok: false, issue: line === undefined ? issue : { ...issue, line } };
  }
}

function readSource(text: string): { documents: SourceDocument[]; errors: ValidationIssue[] } {
  const lineCounter = new (yamlModule().LineCounter)();
  const documents: SourceDocument[] = [];
  const errors: ValidationIssue[] = [];
  for (const doc of yamlModule().parseAllDocuments(text, { lineCounter })) {
    if (doc.errors.length) {
      errors.push(...syntaxIssues(doc, lineCounter));
      continue;
    }
    const read = documentValue(doc, lineCounter);
    if (!read.ok) {
      errors.push(read.issue);
      continue;
    }
    const value = read.value;
    if (value !== null && value !== undefined) documents.push({ value, root: doc.contents, lineCounter });
  }
  return { documents, errors };
}

/** Reads every document of a YAML or JSON text (multi-document YAML is allowed). */
export function readDocuments(text: string): ParseResult<unknown[]> {
  const { documents, errors } = readSource(text);
  return errors.length ? { ok: false, errors } : { ok: true, value: documents.map((d) => d.value) };
}

/**
 * Validates one document against a schema and its semantic checks, reporting every problem at
 * once, ordered by line when the document came from text.
 */
export function checkDocument<T>(
  schema: z.ZodType<T>,
  checks: (value: unknown) => RawIssue[],
  value: unknown,
  source?: Pick<SourceDocument, "root" | "lineCounter">,
): ParseResult<T> {
  const parsed = schema.safeParse(value);
  const spelling = source ? (segments: readonly PathSegment[]) => sourceTextOf(source.root, segments) : undefined;
  const raw = [...(parsed.success ? [] : zodIssues(parsed.error, value, schema, spelling)), ...checks(value)];
  if (parsed.success && raw.length === 0) return { ok: true, value: parsed.data };
  const seen = new Set<string>();
  const errors: ValidationIssue[] = [];
  for (const issue of raw) {
    // Keys and quoted values come from the document; shown to people, controls are escaped.
    const path = escapeControls(formatPath(issue.segments)) || "(document)";
    const message = escapeControls(issue.message);
    const key = `${path}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = source ? lineOf(source.root, source.lineCounter, issue.segments) : undefined;
    errors.push(line === undefined ? { path, message, code: issue.code } : { path, message, code: issue.code, line });
  }
  // Array.prototype.sort is stable, so issues on one line keep their check order.
  if (source) errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ok: false, errors };
}

function singleDocument(text: string): ParseResult<SourceDocument> {
  const { documents, errors } = readSource(text);
  if (errors.length) return { ok: false, errors };
  if (documents.length !== 1) {
    const message = `must hold exactly one document, found ${documents.length}; use parseDocuments for multi-document files`;
    return { ok: false, errors: [{ path: "(document)", code: IssueCode.DocumentCount, message }] };
  }
  return { ok: true, value: documents[0]! };
}

function parseWith<T>(schema: z.ZodType<T>, checks: (value: unknown) => RawIssue[], input: unknown): ParseResult<T> {
  if (typeof input !== "string") return checkDocument(schema, checks, input);
  const single = singleDocument(input);
  if (!single.ok) return single;
  return checkDocument(schema, checks, single.value.value, single.value);
}

const noChecks = (): RawIssue[] => [];

/** Parses an Experiment from an object or a YAML/JSON text, checking the schema only. */
export function parseExperimentSchema(input: unknown): ParseResult<Experiment> {
  return parseWith(ExperimentSchema, noChecks, input);
}

/** Parses a Metric from an object or a YAML/JSON text, checking the schema only. */
export function parseMetricSchema(input: unknown): ParseResult<Metric> {
  return parseWith(MetricSchema, noChecks, input);
}

/**
 * Parses and validates an Experiment from an object or a YAML/JSON text: the schema (types,
 * enums, bounds, unknown fields) and the rules a schema cannot express (candidates and rewards
 * per testing pattern, unique version names, fieldPaths, tasks, limits, metric references).
 * Every problem is reported at once, each with its field path (and line, for text).
 */
export function parseExperiment(input: unknown): ParseResult<Experiment> {
  return parseWith(ExperimentSchema, experimentIssues, input);
}

/**
 * Parses and validates a Metric from an object or a YAML/JSON text: the schema, references,
 * quantities, and whether the metric can be queried as written. Defaults (`type: Gauge`,
 * `method: GET`) are filled in.
 */
export function parseMetric(input: unknown): ParseResult<Metric> {
  return parseWith(MetricSchema, metricIssues, input);
}
