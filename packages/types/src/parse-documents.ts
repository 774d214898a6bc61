import type { LineCounter, Node } from "yaml";
import { yamlModule } from "./yaml-module";
import { ExperimentSchema, type Experiment } from "./experiment";
import { experimentIssues } from "./experiment-checks";
import { MetricSchema, type Metric } from "./metric";
import { metricIssues } from "./metric-checks";
import { checkDocument, documentValue, syntaxIssues } from "./parse";
import { SecretSchema, type Secret } from "./secret";
import { IssueCode, type ParseResult, type RawIssue, type ValidationIssue } from "./validation-issue";

/** What every parsed document carries, whatever its kind. */
export interface DocumentInfo {
  /** 0-based position of the document in the text (empty documents count too). */
  index: number;
  /** 0-based position in `items` when the object came from a List (`kubectl get … -o yaml`). */
  item?: number;
  /** 1-based line where the object starts. */
  line: number;
  /** `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`, when the object has them. */
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/**
 * One object of a multi-document text. `type` says how it was read: Iter8 Experiments and
 * Metrics and Kubernetes Secrets are validated; other kinds (routing objects, Deployments, …)
 * are passed through untouched; text that is not an object is `invalid`. The items of a List
 * are returned one by one.
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

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates one object according to its kind. */
function readObject(value: unknown, root: unknown, lineCounter: LineCounter, position: Pick<DocumentInfo, "index" | "item">): ParsedDocument {
  const start = (root as Node | null)?.range?.[0];
  const info: DocumentInfo = { ...position, line: start === undefined ? 1 : lineCounter.linePos(start).line };
  if (!isFields(value)) {
    const message = "must be a Kubernetes object with apiVersion, kind and metadata";
    return { ...info, type: "invalid", result: { ok: false, errors: [{ path: "(document)", code: IssueCode.InvalidType, message, line: info.line }] } };
  }
  const metadata = isFields(value.metadata) ? value.metadata : {};
  const apiVersion = text(value.apiVersion);
  const kind = text(value.kind);
  const name = text(metadata.name);
  const namespace = text(metadata.namespace);
  if (apiVersion !== undefined) info.apiVersion = apiVersion;
  if (kind !== undefined) info.kind = kind;
  if (name !== undefined) info.name = name;
  if (namespace !== undefined) info.namespace = namespace;
  const source = { root, lineCounter };
  // Kind decides; a wrong iter8 apiVersion is then reported as a field error rather than
  // silently passing the object through.
  const iter8 = apiVersion === undefined || apiVersion.startsWith("iter8.tools/");
  if (kind === "Experiment" && iter8) {
    return { ...info, type: "experiment", result: checkDocument(ExperimentSchema, experimentIssues, value, source) };
  }
  if (kind === "Metric" && iter8) return { ...info, type: "metric", result: checkDocument(MetricSchema, metricIssues, value, source) };
  if (kind === "Secret" && apiVersion === "v1") return { ...info, type: "secret", result: checkDocument(SecretSchema, noChecks, value, source) };
  return { ...info, type: "other", result: { ok: true, value } };
}

/**
 * Reads every document of a YAML or JSON text and validates the objects this product
 * understands: `iter8.tools` Experiments and Metrics (schema and semantic checks) and `v1`
 * Secrets. Lists (`kind: List`, `ExperimentList`, …) are opened, so `kubectl get … -o yaml`
 * output can be read directly.
 */
export function parseDocuments(source: string): ParsedDocument[] {
  const lineCounter = new (yamlModule().LineCounter)();
  const out: ParsedDocument[] = [];
  yamlModule().parseAllDocuments(source, { lineCounter }).forEach((doc, index) => {
    if (doc.errors.length) {
      const line = lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
      out.push({ index, line, type: "invalid", result: { ok: false, errors: syntaxIssues(doc, lineCounter) } });
      return;
    }
    const read = documentValue(doc, lineCounter);
    if (!read.ok) {
      out.push({ index, line: read.issue.line ?? 1, type: "invalid", result: { ok: false, errors: [read.issue] } });
      return;
    }
    const value = read.value;
    if (value === null || value === undefined) return;
    const list = isFields(value) && typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items);
    if (!list) {
      out.push(readObject(value, doc.contents, lineCounter, { index }));
      return;
    }
    const itemsNode = yamlModule().isMap(doc.contents) ? doc.contents.get("items", true) : undefined;
    (value.items as unknown[]).forEach((item, i) => {
      out.push(readObject(item, yamlModule().isSeq(itemsNode) ? itemsNode.items[i] : undefined, lineCounter, { index, item: i }));
    });
  });
  return out;
}
