import type { Experiment } from "@iter8ts/types";
import { E2eError, E2eErrorCode } from "./e2e-error";

// An http(s) URL up to its last `/`, followed by a YAML file name. The file name may be a
// template (`{{ .promote }}.yaml`), so it may hold spaces, but never a slash or a quote.
const PROMOTE_URL = /https?:\/\/[^\s"']*\/([^/"'\n]*\.ya?ml)/g;

/** Options of {@link pointPromotionAt}. */
export interface PointPromotionOptions {
  /**
   * The manifest file names that exist at `base`. When given, a URL naming any other file (not a
   * template) is an error rather than a finish action that fails at the end of the experiment.
   */
  available?: readonly string[];
}

function rewrite(text: string, base: string, available: ReadonlySet<string> | undefined, where: string): string {
  return text.replace(PROMOTE_URL, (_url, file: string) => {
    if (available && !file.includes("{{") && !available.has(file)) {
      throw new E2eError(
        E2eErrorCode.PromoteMissing,
        `${where} names the promotion manifest ${file}, which is not among ${[...available].join(", ") || "(none)"} at ${base}`,
      );
    }
    return `${base}/${file}`;
  });
}

function rewriteDeep(value: unknown, base: string, available: ReadonlySet<string> | undefined, where: string): unknown {
  if (typeof value === "string") return rewrite(value, base, available, where);
  if (Array.isArray(value)) return value.map((v, i) => rewriteDeep(v, base, available, `${where}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteDeep(v, base, available, `${where}.${k}`)]));
  }
  return value;
}

/**
 * Points an experiment's promotion at other copies of its manifests: every http(s) URL of a YAML
 * file in the versions' variables and in the tasks' `run` and `with` is replaced by
 * `<base>/<file name>`, where `base` is a folder (local mode, tests) or a URL a cluster's action
 * Jobs can reach. The quickstarts' finish actions name manifests of the original project's
 * repository; this is how they apply the ones in `samples/<stack>/promote/` instead. Nothing else
 * changes, so the experiment means what it meant.
 *
 * @throws E2eError `promote_missing` when `options.available` is given and a URL names a file
 *   that is not in it; the message names the field.
 */
export function pointPromotionAt(experiment: Experiment, base: string, options: PointPromotionOptions = {}): Experiment {
  const out = structuredClone(experiment);
  const root = base.replace(/\/+$/, "");
  const available = options.available ? new Set(options.available) : undefined;
  const info = out.spec.versionInfo;
  const versions = info ? [{ v: info.baseline, at: "spec.versionInfo.baseline" }, ...(info.candidates ?? []).map((v, i) => ({ v, at: `spec.versionInfo.candidates[${i}]` }))] : [];
  for (const { v, at } of versions) {
    v.variables?.forEach((variable, i) => {
      variable.value = rewrite(variable.value, root, available, `${at}.variables[${i}].value`);
    });
  }
  for (const [action, tasks] of Object.entries(out.spec.strategy.actions ?? {})) {
    tasks.forEach((task, i) => {
      const at = `spec.strategy.actions.${action}[${i}]`;
      if (task.run !== undefined) task.run = rewrite(task.run, root, available, `${at}.run`);
      if (task.with !== undefined) task.with = rewriteDeep(task.with, root, available, `${at}.with`) as typeof task.with;
    });
  }
  return out;
}
