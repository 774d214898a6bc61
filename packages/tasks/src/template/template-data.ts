import type { Experiment } from "@iter8ts/types";
import { TemplateError, TemplateErrorCode } from "./template-error";

/**
 * The data each template form sees:
 * - legacy `{{ }}` templates of `common/exec`, `common/bash` and `common/promote-kubectl`: the
 *   variables of the version recommended for promotion, plus `name` (that version's name) and
 *   `this` (the experiment as JSON);
 * - `run` scripts: the experiment with Go field names (`.Name`, `.Spec.Target`,
 *   `.Status.VersionRecommendedForPromotion`);
 * - notification tasks: `this` (the experiment as JSON) and `secret` (the task's secret data).
 */

/**
 * Data of legacy `{{ }}` templates. The version is `status.versionRecommendedForPromotion`, or
 * the baseline while none is recommended yet (the original failed then, so a finish action after
 * an early stop could not run). A version variable called `name` wins over the version's name.
 *
 * @throws TemplateError when the recommended version is not a version of the experiment.
 */
export function legacyTemplateData(experiment: Experiment): { version: string | undefined; data: Record<string, unknown> } {
  const info = experiment.spec.versionInfo;
  const versions = info ? [info.baseline, ...(info.candidates ?? [])] : [];
  const wanted = experiment.status?.versionRecommendedForPromotion || info?.baseline.name;
  const version = versions.find((v) => v.name === wanted);
  if (wanted !== undefined && !version) {
    throw new TemplateError(
      TemplateErrorCode.Execution,
      `status.versionRecommendedForPromotion is ${JSON.stringify(wanted)}, which is not a version in spec.versionInfo; its variables cannot be used`,
    );
  }
  const data: Record<string, unknown> = {};
  if (version) data.name = version.name;
  for (const { name, value } of version?.variables ?? []) data[name] = value;
  data.this = experiment;
  return { version: version?.name, data };
}

/** Data of notification templates: `{ this, secret }`. */
export function notificationTemplateData(experiment: Experiment, secret: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  return { this: experiment, secret: { ...secret } };
}

const INITIALISMS: Record<string, string> = {
  apiVersion: "APIVersion",
  uid: "UID",
  jqExpression: "JQExpression",
  urlTemplate: "URLTemplate",
  rollback_on_failure: "RollbackOnFailure",
};

/** The Go field name of a JSON key: `versionInfo` → `VersionInfo`, `apiVersion` → `APIVersion`. */
export function goFieldName(jsonKey: string): string {
  const special = INITIALISMS[jsonKey];
  if (special) return special;
  return jsonKey
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

// Positions (JSON paths with list indices left out, `*` for any map key) whose keys are data,
// not Go struct fields: their keys stay as written. `keep` leaves the whole subtree as JSON.
const MAP_POSITIONS: { path: string; keep: boolean }[] = [
  { path: "metadata.labels", keep: true },
  { path: "metadata.annotations", keep: true },
  { path: "spec.strategy.actions", keep: false },
  { path: "spec.strategy.actions.*.with", keep: true },
  { path: "spec.criteria.strength", keep: true },
  { path: "status.analysis.aggregatedBuiltinHists.data", keep: true },
  { path: "status.analysis.aggregatedMetrics.data", keep: false },
  { path: "status.analysis.aggregatedMetrics.data.*.data", keep: false },
  { path: "status.analysis.versionAssessments.data", keep: true },
  { path: "status.metrics.metricObj.metadata.labels", keep: true },
  { path: "status.metrics.metricObj.metadata.annotations", keep: true },
];

function positionOf(path: readonly string[]): { path: string; keep: boolean } | undefined {
  return MAP_POSITIONS.find((p) => {
    const parts = p.path.split(".");
    return parts.length === path.length && parts.every((part, i) => part === "*" || part === path[i]);
  });
}

function convert(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, path));
  if (value === null || typeof value !== "object") return value;
  const position = positionOf(path);
  if (position?.keep) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[position ? key : goFieldName(key)] = convert(v, [...path, position ? "*" : key]);
  }
  // Go promotes the fields of embedded TypeMeta and ObjectMeta: `.Name` as well as `.ObjectMeta.Name`.
  const meta = out.Metadata;
  if (meta && typeof meta === "object" && ("Kind" in out || "APIVersion" in out)) {
    out.ObjectMeta = meta;
    out.TypeMeta = { Kind: out.Kind, APIVersion: out.APIVersion };
    for (const [k, v] of Object.entries(meta)) if (!(k in out)) out[k] = v;
  }
  return out;
}

/**
 * The experiment as a Go template over the original's Go types sees it: struct fields under
 * their Go names, map keys (labels, actions, metric and version names) as written.
 */
export function goExperimentView(experiment: Experiment): Record<string, unknown> {
  return convert(experiment, []) as Record<string, unknown>;
}
