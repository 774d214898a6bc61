/**
 * The checks of an Experiment that a schema cannot express: candidate and reward counts per
 * testing pattern, unique version names, weight fieldPaths, tasks, action names, objective
 * limits and metric references. They read the raw document defensively, so that they report
 * alongside schema errors instead of after them.
 */
import { closestKey } from "./closest-key";
import type { Experiment, TestingPattern } from "./experiment";
import { fractionalQuantityIssue, referenceIssue } from "./field-checks";
import { inputLimitProblem } from "./input-limits";
import { metadataIssues } from "./kube-names";
import { isQuantity, parseQuantity } from "./quantity";
import { describeValue, formatPath, IssueCode, type RawIssue } from "./validation-issue";

/** The actions an experiment can run: start, after each loop, finish (also on rollback), and failure (cleanup after a failed experiment). */
export const ACTION_NAMES = ["start", "loop", "finish", "failure"] as const;
/** The name of an action. */
export type ActionName = (typeof ACTION_NAMES)[number];

/** Why the engine fails an experiment whose spec cannot run, and the message it records. */
export interface SpecFailure {
  reason: "InvalidExperiment";
  message: string;
}

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v !== "";

/** A check result that also carries the message Iter8's controller records for it. */
interface Finding extends RawIssue {
  controllerMessage: string;
}

const PATTERNS: Record<string, TestingPattern> = {
  Canary: "Canary",
  "A/B": "A/B",
  "A/B/N": "A/B/N",
  "A/B/n": "A/B/N",
  Conformance: "Conformance",
};
const ARTICLE: Record<TestingPattern, string> = { Canary: "a", "A/B": "an", "A/B/N": "an", Conformance: "a" };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function candidateFinding(pattern: TestingPattern, candidates: unknown[] | undefined): Finding | undefined {
  const n = candidates?.length ?? 0;
  const fits = pattern === "Conformance" ? n === 0 : pattern === "A/B/N" ? n >= 1 : n === 1;
  if (fits) return undefined;
  const experiment = `${ARTICLE[pattern]} ${pattern} experiment`;
  const need = pattern === "A/B/N" ? "at least 1 candidate" : "exactly 1 candidate";
  const message =
    pattern === "Conformance"
      ? `must be empty: ${experiment} tests only the baseline (got ${plural(n, "candidate")})`
      : candidates === undefined
        ? `is required: ${experiment} needs ${need}`
        : `must list ${need} for ${experiment} (got ${n})`;
  return {
    segments: ["spec", "versionInfo", "candidates"],
    code: IssueCode.CandidateCount,
    message,
    controllerMessage: `Invalid number of candidates for ${pattern} experiment`,
  };
}

function rewardFinding(pattern: TestingPattern, rewards: unknown[] | undefined): Finding | undefined {
  const n = rewards?.length ?? 0;
  const needsOne = pattern === "A/B" || pattern === "A/B/N";
  if (needsOne ? n === 1 : n === 0) return undefined;
  const experiment = `${ARTICLE[pattern]} ${pattern} experiment`;
  const message = !needsOne
    ? `must be empty for ${experiment}; a reward picks the winner of A/B and A/B/N experiments (got ${plural(n, "reward")})`
    : rewards === undefined
      ? `is required: ${experiment} needs exactly 1 reward metric`
      : `must list exactly 1 reward metric for ${experiment} (got ${n})`;
  return {
    segments: ["spec", "criteria", "rewards"],
    code: IssueCode.RewardCount,
    message,
    controllerMessage: `Invalid number of rewards for ${pattern} experiment`,
  };
}

/**
 * The version checks in the order Iter8's controller runs them: versionInfo present, candidate
 * count, unique names, reward count, fieldPaths. `startMayAddVersionInfo` skips them all when
 * versionInfo is missing but a start action could still add it.
 */
function versionInfoFindings(spec: Fields, startMayAddVersionInfo: boolean): Finding[] {
  const info = spec.versionInfo;
  if (info === undefined || info === null) {
    if (startMayAddVersionInfo) return [];
    return [
      {
        segments: ["spec", "versionInfo"],
        code: IssueCode.NoVersionInfo,
        message: "is required: name the baseline (and candidates), or add a start action that sets them",
        controllerMessage: "No versionInfo in experiment",
      },
    ];
  }
  if (!isFields(info)) return [];
  const findings: Finding[] = [];
  const strategy = isFields(spec.strategy) ? spec.strategy : {};
  const pattern = typeof strategy.testingPattern === "string" ? PATTERNS[strategy.testingPattern] : undefined;
  const candidates = Array.isArray(info.candidates) ? info.candidates : undefined;
  const candidatesUsable = candidates !== undefined || info.candidates === undefined;

  const candidate = pattern && candidatesUsable ? candidateFinding(pattern, candidates) : undefined;
  if (candidate) findings.push(candidate);

  const versions: Array<{ segments: Array<string | number>; version: unknown }> = [
    { segments: ["spec", "versionInfo", "baseline"], version: info.baseline },
    ...(candidates ?? []).map((version, i) => ({ segments: ["spec", "versionInfo", "candidates", i], version })),
  ];
  const seen = new Set<string>();
  for (const { segments, version } of versions) {
    if (!isFields(version) || !nonEmpty(version.name)) continue;
    if (seen.has(version.name)) {
      findings.push({
        segments: [...segments, "name"],
        code: IssueCode.DuplicateVersionName,
        message: `${describeValue(version.name)} is also the name of another version; version names must be unique`,
        controllerMessage: "Version names are not unique",
      });
    }
    seen.add(version.name);
  }

  const criteria = isFields(spec.criteria) ? spec.criteria : {};
  const rewardsUsable = criteria.rewards === undefined || Array.isArray(criteria.rewards);
  const reward = pattern && rewardsUsable ? rewardFinding(pattern, criteria.rewards as unknown[] | undefined) : undefined;
  if (reward) findings.push(reward);

  for (const { segments, version } of versions) {
    if (!isFields(version) || !isFields(version.weightObjRef)) continue;
    const fieldPath = version.weightObjRef.fieldPath;
    if (nonEmpty(fieldPath) && !fieldPath.startsWith(".")) {
      findings.push({
        segments: [...segments, "weightObjRef", "fieldPath"],
        code: IssueCode.FieldPath,
        message: `must start with "." as in .spec.http[0].route[0].weight (got ${describeValue(fieldPath)})`,
        controllerMessage: "Fieldpaths must start with '.'",
      });
    }
  }
  return findings;
}

/** Every task must name a task or a script, never both. */
function taskFindings(spec: Fields): Finding[] {
  const strategy = isFields(spec.strategy) ? spec.strategy : {};
  if (!isFields(strategy.actions)) return [];
  const findings: Finding[] = [];
  for (const [action, tasks] of Object.entries(strategy.actions)) {
    if (!Array.isArray(tasks)) continue;
    tasks.forEach((task, i) => {
      if (!isFields(task)) return;
      const hasTask = nonEmpty(task.task);
      const hasRun = nonEmpty(task.run);
      if (hasTask !== hasRun) return;
      const segments = ["spec", "strategy", "actions", action, i];
      findings.push({
        segments,
        code: IssueCode.TaskKind,
        message: `must set exactly one of task or run (${hasTask ? "both are set" : "neither is set"})`,
        controllerMessage: `Task ${formatPath(segments)} must set exactly one of task or run`,
      });
    });
  }
  return findings;
}

/**
 * Weight fieldPaths too long or nested too deep for the field path parser. (Task inputs, `run`
 * scripts and `if` conditions are checked by the tasks that read them.)
 */
function fieldPathLimitIssues(spec: Fields): RawIssue[] {
  const info = spec.versionInfo;
  if (!isFields(info)) return [];
  const versions: Array<{ segments: Array<string | number>; version: unknown }> = [
    { segments: ["spec", "versionInfo", "baseline"], version: info.baseline },
    ...(Array.isArray(info.candidates) ? info.candidates : []).map((version, i) => ({ segments: ["spec", "versionInfo", "candidates", i], version })),
  ];
  const issues: RawIssue[] = [];
  for (const { segments, version } of versions) {
    if (!isFields(version) || !isFields(version.weightObjRef) || typeof version.weightObjRef.fieldPath !== "string") continue;
    const problem = inputLimitProblem(version.weightObjRef.fieldPath, "fieldPath", "field path");
    if (problem) issues.push({ segments: [...segments, "weightObjRef", "fieldPath"], code: IssueCode.InputLimit, message: problem });
  }
  return issues;
}

function actionNameIssues(spec: Fields): RawIssue[] {
  const strategy = isFields(spec.strategy) ? spec.strategy : {};
  if (!isFields(strategy.actions)) return [];
  return Object.keys(strategy.actions)
    .filter((name) => !(ACTION_NAMES as readonly string[]).includes(name))
    .map((name) => {
      const guess = closestKey(name, ACTION_NAMES);
      return {
        segments: ["spec", "strategy", "actions", name],
        code: IssueCode.UnknownAction,
        message: `is not an action the experiment runs; ${guess ? `did you mean "${guess}"?` : "use start, loop, finish or failure"}`,
      };
    });
}

// Walks the criteria as written, before the schema has checked them, so it cannot use the typed
// `criteriaMetricRefs`; it visits the same fields in the same order.
function criteriaIssues(spec: Fields): RawIssue[] {
  if (!isFields(spec.criteria)) return [];
  const criteria = spec.criteria;
  const issues: Array<RawIssue | undefined> = [referenceIssue(criteria.requestCount, ["spec", "criteria", "requestCount"], "metric")];
  const each = (key: string, fn: (item: unknown, i: number) => void) => {
    const items = criteria[key];
    if (Array.isArray(items)) items.forEach(fn);
  };
  each("rewards", (reward, i) => {
    if (isFields(reward)) issues.push(referenceIssue(reward.metric, ["spec", "criteria", "rewards", i, "metric"], "metric"));
  });
  each("indicators", (indicator, i) => issues.push(referenceIssue(indicator, ["spec", "criteria", "indicators", i], "metric")));
  each("objectives", (objective, i) => {
    if (!isFields(objective)) return;
    const at = ["spec", "criteria", "objectives", i];
    issues.push(referenceIssue(objective.metric, [...at, "metric"], "metric"));
    const { lowerLimit, upperLimit } = objective;
    issues.push(fractionalQuantityIssue(lowerLimit, [...at, "lowerLimit"]), fractionalQuantityIssue(upperLimit, [...at, "upperLimit"]));
    if (isQuantity(lowerLimit) && isQuantity(upperLimit) && parseQuantity(lowerLimit).nanos > parseQuantity(upperLimit).nanos) {
      issues.push({
        segments: [...at, "lowerLimit"],
        code: IssueCode.LimitOrder,
        message: `must not be greater than upperLimit (${lowerLimit} > ${upperLimit}): no value could satisfy this objective`,
      });
    }
  });
  return issues.filter((issue): issue is RawIssue => issue !== undefined);
}

/**
 * Every semantic problem of an Experiment document (given as parsed YAML/JSON, before or
 * instead of schema validation), each with the path of the field at fault.
 */
export function experimentIssues(document: unknown): RawIssue[] {
  if (!isFields(document)) return [];
  const issues = metadataIssues(document, "experiment");
  const spec = document.spec;
  if (!isFields(spec)) return issues;
  const strategy = isFields(spec.strategy) ? spec.strategy : {};
  const hasStart = isFields(strategy.actions) && strategy.actions.start !== undefined;
  const strip = ({ segments, code, message }: Finding): RawIssue => ({ segments, code, message });
  return [
    ...issues,
    ...versionInfoFindings(spec, hasStart).map(strip),
    ...taskFindings(spec).map(strip),
    ...actionNameIssues(spec),
    ...criteriaIssues(spec),
    ...fieldPathLimitIssues(spec),
  ];
}

/**
 * Checks the versions of an experiment the way Iter8's controller does before the first
 * iteration, and returns the first failure with the controller's exact message (for example
 * "Invalid number of candidates for Canary experiment"), or null when the versions are valid.
 */
export function validateVersionInfo(experiment: Pick<Experiment, "spec">): SpecFailure | null {
  const first = versionInfoFindings(experiment.spec as unknown as Fields, false)[0];
  return first ? { reason: "InvalidExperiment", message: first.controllerMessage } : null;
}

/**
 * Checks that every task of every action sets exactly one of `task` and `run`; returns the first
 * failure (naming the task, e.g. "Task spec.strategy.actions.start[0] must set exactly one of
 * task or run") or null.
 */
export function validateTasks(experiment: Pick<Experiment, "spec">): SpecFailure | null {
  const first = taskFindings(experiment.spec as unknown as Fields)[0];
  return first ? { reason: "InvalidExperiment", message: first.controllerMessage } : null;
}
