import {
  ExperimentSchema,
  IssueCode,
  issuesFromZod,
  parseExperimentSchema,
  readDocuments,
  type ValidationIssue,
} from "@iter8ts/types";
import { ExperimentLoadError, ExperimentLoadErrorCode, type ExperimentSource, type LoadedExperiment } from "@iter8ts/report";
import { readInput } from "./io";

const LIST_KINDS = new Set(["List", "ExperimentList"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `kubectl get experiments -o yaml` wraps objects in a List; one item is as good as the object. */
function unwrapList(doc: unknown, label: string): unknown {
  if (!isRecord(doc) || typeof doc.kind !== "string" || !LIST_KINDS.has(doc.kind) || !Array.isArray(doc.items)) return doc;
  if (doc.items.length === 1) return doc.items[0];
  throw new ExperimentLoadError(
    ExperimentLoadErrorCode.InvalidExperiment,
    label,
    `${label} holds a list of ${doc.items.length} experiments; pass one (kubectl get experiment NAME -o yaml)`,
    [{ path: "items", message: `holds ${doc.items.length} experiments, expected exactly one` }],
  );
}

function deleteKeys(root: unknown, path: ReadonlyArray<PropertyKey>, keys: readonly string[]): void {
  let cur: unknown = root;
  for (const step of path) {
    if (!isRecord(cur) && !Array.isArray(cur)) return;
    cur = (cur as Record<PropertyKey, unknown>)[step];
  }
  if (isRecord(cur)) for (const key of keys) delete cur[key];
}

function invalid(label: string, issues: ValidationIssue[]): ExperimentLoadError {
  return new ExperimentLoadError(
    ExperimentLoadErrorCode.InvalidExperiment,
    label,
    `${label} is not a valid iter8.tools/v2alpha2 Experiment`,
    issues,
  );
}

/**
 * Parses the text of one Experiment (YAML or JSON). Fields the API does not know are reported as
 * warnings and ignored, as the API server prunes them from objects it stores; any other problem
 * fails. Issues carry their line when the experiment is the document itself.
 * @param label how to name the input in messages.
 * @throws ExperimentLoadError with one issue per field path at fault.
 */
export function parseExperimentText(text: string, label: string): LoadedExperiment {
  const docs = readDocuments(text);
  if (!docs.ok) {
    throw new ExperimentLoadError(ExperimentLoadErrorCode.InvalidExperiment, label, `${label} is not valid YAML or JSON`, docs.errors);
  }
  if (docs.value.length === 0) {
    throw new ExperimentLoadError(ExperimentLoadErrorCode.EmptyInput, label, `${label} is empty; pass an Experiment in YAML or JSON`);
  }
  if (docs.value.length > 1) {
    throw new ExperimentLoadError(
      ExperimentLoadErrorCode.InvalidExperiment,
      label,
      `${label} holds ${docs.value.length} documents; pass exactly one Experiment`,
    );
  }
  const doc = unwrapList(docs.value[0], label);
  // Parsing the text itself (not the unwrapped object) lets each issue say its line.
  const checked = parseExperimentSchema(doc === docs.value[0] ? text : doc);
  if (checked.ok) return { experiment: checked.value, warnings: [] };
  if (!checked.errors.every((e) => e.code === IssueCode.UnknownField)) throw invalid(label, checked.errors);

  const pruned = structuredClone(doc);
  const first = ExperimentSchema.safeParse(pruned);
  for (const issue of first.success ? [] : first.error.issues) {
    if (issue.code === "unrecognized_keys") deleteKeys(pruned, issue.path, issue.keys);
  }
  const second = ExperimentSchema.safeParse(pruned);
  if (!second.success) throw invalid(label, issuesFromZod(second.error, pruned));
  return { experiment: second.data, warnings: checked.errors };
}

/** An experiment in a YAML or JSON file, or on standard input when the path is `-`. */
export function fileExperimentSource(path: string, read: (path: string) => Promise<string> = readInput): ExperimentSource {
  const label = path === "-" ? "standard input" : path;
  return {
    label,
    rereadable: path !== "-",
    async load() {
      let text: string;
      try {
        text = await read(path);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ExperimentLoadError(
          ExperimentLoadErrorCode.ReadFailed,
          label,
          `cannot read ${label}: ${reason}; check the path given to -f`,
          [],
          { cause: error },
        );
      }
      return parseExperimentText(text, label);
    },
  };
}
