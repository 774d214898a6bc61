import { LineCounter, parseAllDocuments } from "yaml";
import { ExperimentSchema, type Experiment } from "./experiment";
import { experimentIssues } from "./experiment-checks";
import { MetricSchema, type Metric } from "./metric";
import { metricIssues } from "./metric-checks";
import { checkDocument, syntaxIssues } from "./parse";
import { SecretSchema, type Secret } from "./secret";
import { IssueCode, type ParseResult, type RawIssue, type ValidationIssue } from "./validation-issue";

/** What every parsed document carries, whatever its kind. */
export interface DocumentInfo {
  /** 0-based position of the document in the text (empty documents count too). */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  /** `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`, when the document has them. */
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/**
 * One document of a multi-document text. `type` says how it was read: Iter8 Experiments and
 * Metrics and Kubernetes Secrets are validated; other kinds (routing objects, Deployments, …)
 * are passed through untouched; text that is not an object is `invalid`.
 */
export type ParsedDocument =
  | (DocumentInfo & { type: "experiment"; result: ParseResult<Experiment> })
  | (DocumentInfo & { type: "metric"; result: ParseResult<Metric> })
  | (DocumentInfo & { type: "secret"; result: ParseResult<Secret> })
  | (DocumentInfo & { type: "other"; result: { ok: true; value: Record<string, unknown> } })
  | (DocumentInfo & { type: "invalid"; result: { ok: false; errors: ValidationIssue[] } });

const noChecks = (): RawIssue[] => [];

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads every document of a YAML or JSON text and validates the ones this product understands:
 * `iter8.tools` Experiments and Metrics (schema and semantic checks) and `v1` Secrets.
 */
export function parseDocuments(source: string): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const out: ParsedDocument[] = [];
  parseAllDocuments(source, { lineCounter }).forEach((doc, index) => {
    const line = lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
    if (doc.errors.length) {
      out.push({ index, line, type: "invalid", result: { ok: false, errors: syntaxIssues(doc, lineCounter) } });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      const message = "must be a Kubernetes object with apiVersion, kind and metadata";
      out.push({ index, line, type: "invalid", result: { ok: false, errors: [{ path: "(document)", code: IssueCode.InvalidType, message, line }] } });
      return;
    }
    const fields = value as Record<string, unknown>;
    const metadata = typeof fields.metadata === "object" && fields.metadata !== null ? (fields.metadata as Record<string, unknown>) : {};
    const info: DocumentInfo = { index, line };
    const apiVersion = text(fields.apiVersion);
    const kind = text(fields.kind);
    const name = text(metadata.name);
    const namespace = text(metadata.namespace);
    if (apiVersion !== undefined) info.apiVersion = apiVersion;
    if (kind !== undefined) info.kind = kind;
    if (name !== undefined) info.name = name;
    if (namespace !== undefined) info.namespace = namespace;
    const located = { doc, lineCounter };
    // Kind decides; a wrong iter8 apiVersion is then reported as a field error rather than
    // silently passing the document through.
    const iter8 = apiVersion === undefined || apiVersion.startsWith("iter8.tools/");
    if (kind === "Experiment" && iter8) {
      out.push({ ...info, type: "experiment", result: checkDocument(ExperimentSchema, experimentIssues, value, located) });
    } else if (kind === "Metric" && iter8) {
      out.push({ ...info, type: "metric", result: checkDocument(MetricSchema, metricIssues, value, located) });
    } else if (kind === "Secret" && apiVersion === "v1") {
      out.push({ ...info, type: "secret", result: checkDocument(SecretSchema, noChecks, value, located) });
    } else {
      out.push({ ...info, type: "other", result: { ok: true, value: fields } });
    }
  });
  return out;
}
