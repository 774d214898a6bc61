import { describe, expect, it } from "vitest";
import { abExperiment, canaryExperiment, withField, type Document } from "./__fixtures__/documents";
import type { Experiment } from "./experiment";
import { experimentIssues, validateTasks, validateVersionInfo } from "./experiment-checks";
import { formatPath } from "./validation-issue";

function issues(doc: Document) {
  return experimentIssues(doc).map((i) => ({ path: formatPath(i.segments), code: i.code, message: i.message }));
}

function versions(candidates: number | undefined): Document {
  const info: Document = { baseline: { name: "baseline" } };
  if (candidates !== undefined) info.candidates = Array.from({ length: candidates }, (_, i) => ({ name: `candidate-${i + 1}` }));
  return info;
}

function spec(pattern: string, options: { candidates?: number; rewards?: number; versionInfo?: Document | null } = {}) {
  const rewards = Array.from({ length: options.rewards ?? 0 }, (_, i) => ({ metric: `metric-${i + 1}`, preferredDirection: "High" }));
  const result: Document = { target: "target", strategy: { testingPattern: pattern }, criteria: { rewards } };
  if (options.versionInfo !== null) result.versionInfo = options.versionInfo ?? versions(options.candidates);
  return { spec: result } as unknown as Pick<Experiment, "spec">;
}

describe("validateVersionInfo: the controller's checks before the first iteration", () => {
  it.each([
    // pattern, candidates (undefined = field absent), rewards, expected controller message or null
    ["Conformance", undefined, 0, null],
    ["Conformance", 0, 0, null],
    ["Conformance", 1, 0, "Invalid number of candidates for Conformance experiment"],
    ["Conformance", undefined, 1, "Invalid number of rewards for Conformance experiment"],
    ["Canary", 1, 0, null],
    ["Canary", undefined, 0, "Invalid number of candidates for Canary experiment"],
    ["Canary", 2, 0, "Invalid number of candidates for Canary experiment"],
    ["Canary", 1, 1, "Invalid number of rewards for Canary experiment"],
    ["A/B", 1, 1, null],
    ["A/B", undefined, 1, "Invalid number of candidates for A/B experiment"],
    ["A/B", 2, 1, "Invalid number of candidates for A/B experiment"],
    ["A/B", 1, 0, "Invalid number of rewards for A/B experiment"],
    ["A/B", 1, 2, "Invalid number of rewards for A/B experiment"],
    ["A/B/N", 1, 1, null],
    ["A/B/N", 3, 1, null],
    ["A/B/N", undefined, 1, "Invalid number of candidates for A/B/N experiment"],
    ["A/B/N", 2, 0, "Invalid number of rewards for A/B/N experiment"],
    ["A/B/N", 2, 2, "Invalid number of rewards for A/B/N experiment"],
  ])("%s with %s candidate(s) and %i reward(s)", (pattern, candidates, rewards, message) => {
    const failure = validateVersionInfo(spec(pattern, { candidates, rewards }));
    expect(failure).toEqual(message === null ? null : { reason: "InvalidExperiment", message });
  });

  it("fails an experiment without versionInfo first", () => {
    expect(validateVersionInfo(spec("Canary", { versionInfo: null, rewards: 3 }))).toEqual({
      reason: "InvalidExperiment",
      message: "No versionInfo in experiment",
    });
  });

  it("reports the candidate count before duplicate names, and names before rewards", () => {
    const duplicates = { baseline: { name: "v" }, candidates: [{ name: "v" }, { name: "w" }] };
    expect(validateVersionInfo(spec("Canary", { versionInfo: duplicates }))?.message).toBe("Invalid number of candidates for Canary experiment");
    expect(validateVersionInfo(spec("A/B/N", { versionInfo: duplicates }))?.message).toBe("Version names are not unique");
  });

  it("requires fieldPaths to start with a dot", () => {
    const withPath = (fieldPath: string) => ({ baseline: { name: "baseline", weightObjRef: { name: "object", namespace: "ns", fieldPath } } });
    expect(validateVersionInfo(spec("Conformance", { versionInfo: withPath(".spec.weight") }))).toBeNull();
    expect(validateVersionInfo(spec("Conformance", { versionInfo: withPath("spec.weight") }))).toEqual({
      reason: "InvalidExperiment",
      message: "Fieldpaths must start with '.'",
    });
    // An empty fieldPath means "no weight here", as for the controller.
    expect(validateVersionInfo(spec("Conformance", { versionInfo: withPath("") }))).toBeNull();
  });
});

describe("validateTasks", () => {
  const withTasks = (start: unknown[]) => ({ spec: { ...spec("Conformance").spec, strategy: { testingPattern: "Conformance", actions: { start } } } }) as Pick<Experiment, "spec">;

  it.each([
    [{ task: "common/exec" }, null],
    [{ run: "echo hello" }, null],
    [{ task: "common/exec", run: "echo hello" }, "Task spec.strategy.actions.start[0] must set exactly one of task or run"],
    [{}, "Task spec.strategy.actions.start[0] must set exactly one of task or run"],
    [{ task: "", run: "" }, "Task spec.strategy.actions.start[0] must set exactly one of task or run"],
  ])("%j", (task, message) => {
    expect(validateTasks(withTasks([task]))).toEqual(message === null ? null : { reason: "InvalidExperiment", message });
  });

  it("names the first invalid task of a later action", () => {
    const experiment = withField(canaryExperiment(), "spec.strategy.actions.loop", [{ run: "echo ok" }, { if: "WinnerFound()" }]);
    expect(validateTasks(experiment as unknown as Pick<Experiment, "spec">)?.message).toBe(
      "Task spec.strategy.actions.loop[1] must set exactly one of task or run",
    );
  });
});

describe("experiment document checks", () => {
  it("finds nothing wrong with valid Canary and A/B experiments", () => {
    expect(issues(canaryExperiment())).toEqual([]);
    expect(issues(abExperiment())).toEqual([]);
  });

  it("reports every version problem at once, each at its field", () => {
    let doc = withField(canaryExperiment(), "spec.versionInfo.candidates", [{ name: "v1" }, { name: "v2" }]);
    doc = withField(doc, "spec.versionInfo.baseline.weightObjRef.fieldPath", "spec.traffic[0].percent");
    doc = withField(doc, "spec.criteria.rewards", [{ metric: "reward", preferredDirection: "High" }]);
    expect(issues(doc)).toEqual([
      {
        path: "spec.versionInfo.candidates",
        code: "candidate_count",
        message: "must list exactly 1 candidate for a Canary experiment (got 2)",
      },
      {
        path: "spec.versionInfo.candidates[0].name",
        code: "duplicate_version_name",
        message: '"v1" is also the name of another version; version names must be unique',
      },
      {
        path: "spec.criteria.rewards",
        code: "reward_count",
        message: "must be empty for a Canary experiment; a reward picks the winner of A/B and A/B/N experiments (got 1 reward)",
      },
      {
        path: "spec.versionInfo.baseline.weightObjRef.fieldPath",
        code: "field_path",
        message: 'must start with "." as in .spec.http[0].route[0].weight (got "spec.traffic[0].percent")',
      },
    ]);
  });

  it.each([
    ["Conformance", 1, "must be empty: a Conformance experiment tests only the baseline (got 1 candidate)"],
    ["A/B", undefined, "is required: an A/B experiment needs exactly 1 candidate"],
    ["A/B/N", 0, "must list at least 1 candidate for an A/B/N experiment (got 0)"],
  ])("explains the candidate count of %s (%s)", (pattern, candidates, message) => {
    let doc = withField(abExperiment(), "spec.strategy.testingPattern", pattern);
    if (pattern === "Conformance") doc = withField(doc, "spec.criteria.rewards", undefined);
    doc = withField(doc, "spec.versionInfo", versions(candidates));
    expect(issues(doc)).toEqual([{ path: "spec.versionInfo.candidates", code: "candidate_count", message }]);
  });

  it.each([
    [undefined, "is required: an A/B experiment needs exactly 1 reward metric"],
    [[], "must list exactly 1 reward metric for an A/B experiment (got 0)"],
  ])("explains a missing reward (%j)", (rewards, message) => {
    expect(issues(withField(abExperiment(), "spec.criteria.rewards", rewards))).toEqual([
      { path: "spec.criteria.rewards", code: "reward_count", message },
    ]);
  });

  it("accepts A/B/n like A/B/N", () => {
    const doc = withField(withField(abExperiment(), "spec.strategy.testingPattern", "A/B/n"), "spec.versionInfo", versions(3));
    expect(issues(doc)).toEqual([]);
  });

  it("requires versionInfo unless a start action can add it", () => {
    const without = withField(canaryExperiment(), "spec.versionInfo", undefined);
    expect(issues(without)).toEqual([
      {
        path: "spec.versionInfo",
        code: "no_version_info",
        message: "is required: name the baseline (and candidates), or add a start action that sets them",
      },
    ]);
    expect(issues(withField(without, "spec.strategy.actions.start", [{ run: "./add-versions.sh" }]))).toEqual([]);
  });

  it("reports tasks with both or neither of task and run", () => {
    const doc = withField(canaryExperiment(), "spec.strategy.actions.start", [{ task: "a", run: "b" }, { with: {} }]);
    expect(issues(doc)).toEqual([
      { path: "spec.strategy.actions.start[0]", code: "task_kind", message: "must set exactly one of task or run (both are set)" },
      { path: "spec.strategy.actions.start[1]", code: "task_kind", message: "must set exactly one of task or run (neither is set)" },
    ]);
  });

  it("reports action names the experiment never runs", () => {
    let doc = withField(canaryExperiment(), "spec.strategy.actions.finsh", [{ run: "echo" }]);
    doc = withField(doc, "spec.strategy.actions.cleanup", [{ run: "echo" }]);
    expect(issues(doc)).toEqual([
      { path: "spec.strategy.actions.finsh", code: "unknown_action", message: 'is not an action the experiment runs; did you mean "finish"?' },
      { path: "spec.strategy.actions.cleanup", code: "unknown_action", message: "is not an action the experiment runs; use start, loop, finish or failure" },
    ]);
  });

  it.each([
    [{ lowerLimit: 10, upperLimit: 5 }, "must not be greater than upperLimit (10 > 5): no value could satisfy this objective"],
    [{ lowerLimit: "2k", upperLimit: "1500" }, "must not be greater than upperLimit (2k > 1500): no value could satisfy this objective"],
    [{ lowerLimit: "11m", upperLimit: "0.01" }, "must not be greater than upperLimit (11m > 0.01): no value could satisfy this objective"],
  ])("reports limits in the wrong order %j", (limits, message) => {
    const doc = withField(canaryExperiment(), "spec.criteria.objectives[0]", { metric: "latency", ...limits });
    expect(issues(doc)).toEqual([{ path: "spec.criteria.objectives[0].lowerLimit", code: "limit_order", message }]);
  });

  it("accepts equal limits and limits in different units", () => {
    const doc = withField(canaryExperiment(), "spec.criteria.objectives", [
      { metric: "a", lowerLimit: 5, upperLimit: "5" },
      { metric: "b", lowerLimit: "10m", upperLimit: "0.5" },
      { metric: "c", lowerLimit: "1Ki", upperLimit: "1.1k" },
    ]);
    expect(issues(doc)).toEqual([]);
  });

  it("reports fractional numbers where the cluster wants an integer or a quoted quantity", () => {
    const doc = withField(canaryExperiment(), "spec.criteria.objectives[0].upperLimit", 0.01);
    expect(issues(doc)).toEqual([
      {
        path: "spec.criteria.objectives[0].upperLimit",
        code: "fractional_quantity",
        message: 'must be an integer or a quoted quantity: Kubernetes rejects the number 0.01 here, write "0.01"',
      },
    ]);
  });

  it("reports malformed metric references wherever criteria name a metric", () => {
    let doc = withField(abExperiment(), "spec.criteria.requestCount", "ns/sub/count");
    doc = withField(doc, "spec.criteria.rewards[0].metric", "User Engagement");
    doc = withField(doc, "spec.criteria.indicators", ["ok-metric", "/no-namespace"]);
    doc = withField(doc, "spec.criteria.objectives[0].metric", "Default/latency");
    const refIssue = (path: string, got: string) => ({
      path,
      code: "reference",
      message: `must be a metric name or namespace/name, in lowercase letters, digits, "-" and "." (got ${JSON.stringify(got)})`,
    });
    expect(issues(doc)).toEqual([
      refIssue("spec.criteria.requestCount", "ns/sub/count"),
      refIssue("spec.criteria.rewards[0].metric", "User Engagement"),
      refIssue("spec.criteria.indicators[1]", "/no-namespace"),
      refIssue("spec.criteria.objectives[0].metric", "Default/latency"),
    ]);
  });

  it("checks the experiment's own name and namespace", () => {
    expect(issues(withField(canaryExperiment(), "metadata.name", undefined))).toEqual([
      { path: "metadata.name", code: "required", message: "is required: give the experiment a name" },
    ]);
    expect(issues(withField(withField(canaryExperiment(), "metadata.name", undefined), "metadata.generateName", "exp-"))).toEqual([]);
    expect(issues(withField(canaryExperiment(), "metadata.namespace", "My.Namespace"))).toEqual([
      {
        path: "metadata.namespace",
        code: "invalid_value",
        message: 'must use only lowercase letters, digits and "-", at most 63 characters (got "My.Namespace")',
      },
    ]);
  });

  it("does not stumble over documents of the wrong shape", () => {
    expect(issues({ spec: "nothing" })).toEqual([]);
    expect(issues({ spec: { strategy: [], versionInfo: { baseline: { name: "b" }, candidates: "many" }, criteria: { rewards: 3 } } })).toEqual([]);
    expect(experimentIssues(null)).toEqual([]);
  });
});
