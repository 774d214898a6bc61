import { createTaskRunner, type TaskRunner } from "@iter8ts/tasks";
import { parseDocuments, type ParsedDocument, type ValidationIssue } from "@iter8ts/types";
import type { CommandIo } from "../command-io";
import { escapeControls } from "../terminal-text";

/** What `validate` concluded about one document (or about a file it could not read). */
export interface DocumentReport {
  file: string;
  /** 0-based position in the file; absent when the file itself failed. */
  index?: number;
  /** 0-based position in the `items` of a List. */
  item?: number;
  /** 1-based line where the document starts. */
  line?: number;
  kind?: string;
  name?: string;
  namespace?: string;
  status: "valid" | "invalid" | "skipped";
  errors: ValidationIssue[];
}

/** Every document of every file, and whether all of them are valid. */
export interface ValidationReport {
  valid: boolean;
  documents: DocumentReport[];
}

let taskChecker: TaskRunner | undefined;

/**
 * What the controller checks of an experiment's actions before it starts (unknown tasks, bad
 * inputs, malformed `if` conditions, templates too deep to render), so that validate and the
 * controller agree. Exec is allowed, as in the controller: actions run in Jobs.
 */
function taskIssues(doc: ParsedDocument): ValidationIssue[] {
  if (doc.type !== "experiment" || !doc.result.ok) return [];
  taskChecker ??= createTaskRunner({ allowExec: true });
  return taskChecker.validateExperiment(doc.result.value).map((issue) => ({ path: issue.path, message: issue.message }));
}

function documentReport(file: string, doc: ParsedDocument): DocumentReport {
  const tasks = taskIssues(doc);
  const report: DocumentReport = {
    file,
    index: doc.index,
    line: doc.line,
    status: doc.type === "other" ? "skipped" : doc.result.ok && tasks.length === 0 ? "valid" : "invalid",
    errors: doc.result.ok ? tasks : doc.result.errors,
  };
  if (doc.item !== undefined) report.item = doc.item;
  if (doc.kind !== undefined) report.kind = doc.kind;
  if (doc.name !== undefined) report.name = doc.name;
  if (doc.namespace !== undefined) report.namespace = doc.namespace;
  return report;
}

/**
 * Validates every document of the given files: Experiments and Metrics (and the Secrets they
 * use) against the API and its rules; other kinds are skipped. A file that cannot be read or
 * holds no object is invalid.
 */
export async function validateFiles(files: readonly string[], read: CommandIo["read"]): Promise<ValidationReport> {
  const documents: DocumentReport[] = [];
  for (const file of files) {
    const label = file === "-" ? "standard input" : file;
    let text: string;
    try {
      text = await read(file);
    } catch (error) {
      const message = `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
      documents.push({ file: label, status: "invalid", errors: [{ path: "(file)", message }] });
      continue;
    }
    const parsed = parseDocuments(text);
    if (parsed.length === 0) {
      documents.push({ file: label, status: "invalid", errors: [{ path: "(file)", message: "holds no Kubernetes object" }] });
      continue;
    }
    for (const doc of parsed) documents.push(documentReport(label, doc));
  }
  return { valid: documents.every((d) => d.status !== "invalid"), documents };
}

function describeDocument(d: DocumentReport): string {
  if (d.index === undefined) return d.file;
  const name = d.name === undefined ? `#${d.index + 1}` : d.namespace === undefined ? d.name : `${d.namespace}/${d.name}`;
  return `${d.kind ?? "document"} ${name} (${d.file}:${d.line ?? 1})`;
}

/**
 * The text report: one line per document, `✓` valid, `✗` invalid followed by one
 * `path: message (line N)` line per problem, `-` skipped; then a count.
 */
export function formatValidationReport(report: ValidationReport): string {
  let out = "";
  for (const d of report.documents) {
    if (d.status === "skipped") {
      out += `- ${escapeControls(describeDocument(d))}: skipped, not an Experiment or Metric\n`;
      continue;
    }
    out += `${d.status === "valid" ? "✓" : "✗"} ${escapeControls(describeDocument(d))}\n`;
    for (const e of d.errors) out += `    ${escapeControls(`${e.path}: ${e.message}`)}${e.line === undefined ? "" : ` (line ${e.line})`}\n`;
  }
  const count = (status: DocumentReport["status"]) => report.documents.filter((d) => d.status === status).length;
  out += `${count("valid")} valid, ${count("invalid")} invalid, ${count("skipped")} skipped\n`;
  return out;
}
