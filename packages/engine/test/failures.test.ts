import { analyze } from "@iter8ts/analytics";
import { describe, expect, it } from "vitest";
import type { AnalyzeFn } from "../src/index";
import { action, experiment, latencies, makeWorld, type ExperimentShape } from "./world";

/** The final Failed condition and completion message of a world's single experiment. */
function outcome(world: ReturnType<typeof makeWorld>) {
  return {
    failed: world.condition("Failed"),
    completed: world.condition("Completed"),
    message: world.status().message,
    stage: world.status().stage,
  };
}

describe("invalid experiments", () => {
  it("a task with both task and run fails with Failed=True, before taking the target, and runs no action", async () => {
    const world = makeWorld({
      experiments: [
        experiment({ actions: { start: [{ task: "common/exec", run: "echo" }], failure: action("cleanup") } }),
      ],
    });
    await world.run();
    const o = outcome(world);
    expect(o.failed).toMatchObject({ status: "True", reason: "InvalidExperiment" });
    expect(o.failed?.message).toMatch(/exactly one of task or run/);
    expect(o.message).toBe("ExperimentCompleted: Experiment failed");
    expect(world.condition("TargetAcquired")).toMatchObject({ status: "False" });
    expect(world.events.events.map((e) => e.message)).toContain("Advanced to Completed");
    expect(world.runner.executions).toEqual([]);
  });

  it("a runtime's own task check fails a bad finish task before anything runs", async () => {
    const world = makeWorld({
      experiments: [experiment({ actions: { finish: [{ task: "common/no-such-task" }] } })],
      engine: {
        validateActions: (e) => {
          const bad = (e.spec.strategy.actions?.finish ?? []).findIndex((t) => t.task === "common/no-such-task");
          return bad < 0 ? null : { reason: "InvalidExperiment", message: `spec.strategy.actions.finish[${bad}].task: unknown task "common/no-such-task"` };
        },
      },
    });
    await world.run();
    const o = outcome(world);
    expect(o.failed).toMatchObject({ status: "True", reason: "InvalidExperiment", message: 'spec.strategy.actions.finish[0].task: unknown task "common/no-such-task"' });
    expect(world.status().completedIterations ?? 0).toBe(0);
    expect(world.runner.executions).toEqual([]);
  });

  const versionCases: Array<[string, ExperimentShape, string]> = [
    ["no versionInfo", { noVersionInfo: true }, "No versionInfo in experiment"],
    ["a Canary with two candidates", { candidates: ["v2", "v3"] }, "Invalid number of candidates for Canary experiment"],
    ["a Conformance with a candidate", { pattern: "Conformance", candidates: ["v2"] }, "Invalid number of candidates for Conformance experiment"],
    ["an A/B without a reward", { pattern: "A/B" }, "Invalid number of rewards for A/B experiment"],
    [
      "a Canary with a reward",
      { rewards: [{ metric: "default/mean-latency", preferredDirection: "Low" }] },
      "Invalid number of rewards for Canary experiment",
    ],
    ["two versions with one name", { pattern: "A/B/N", candidates: ["v2", "v2"], rewards: [{ metric: "default/mean-latency", preferredDirection: "Low" }] }, "Version names are not unique"],
  ];
  it.each(versionCases)("%s fails with InvalidExperiment: the original's message", async (_title, shape, message) => {
    const world = makeWorld({ experiments: [experiment(shape)] });
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { status: "True", reason: "InvalidExperiment", message },
      completed: { status: "True", reason: "ExperimentCompleted", message: "Experiment failed" },
      stage: "Completed",
    });
    expect(world.status().completedIterations).toBe(0);
  });

  it("a fieldPath that does not start with '.' fails with InvalidExperiment", async () => {
    const e = experiment();
    const ref = e.spec.versionInfo?.baseline.weightObjRef;
    if (ref) ref.fieldPath = "spec.weight";
    const world = makeWorld({ experiments: [e] });
    await world.run();
    expect(outcome(world).failed).toMatchObject({ reason: "InvalidExperiment", message: "Fieldpaths must start with '.'" });
  });

  it("two versions without weightObjRef fail a Progressive experiment at once, but not a FixedSplit one", async () => {
    const progressive = makeWorld({ experiments: [experiment({ weightRefs: false })] });
    await progressive.run();
    expect(outcome(progressive).failed).toMatchObject({
      reason: "InvalidExperiment",
      message:
        "Specification of version weightObjectRef invalid: unable to read version weights; insufficient number of weightObjectRef specified",
    });
    // A spec problem is final: no retries, so the experiment fails when it reaches Running.
    expect(progressive.status().retry).toBeUndefined();
    expect(progressive.events.events.filter((e) => e.reason === "InvalidExperiment")).toHaveLength(1);

    const fixed = makeWorld({ experiments: [experiment({ weightRefs: false, deployment: "FixedSplit" })] });
    await fixed.run();
    expect(outcome(fixed)).toMatchObject({ failed: { status: "False" }, completed: { message: "Experiment completed successfully" } });
    expect(fixed.status().currentWeightDistribution).toEqual([]);
  });
});

describe("metrics", () => {
  it("a missing Metric fails with MetricUnavailable naming it", async () => {
    const world = makeWorld({ experiments: [experiment({ objectives: [{ metric: "nope", upperLimit: 1 }] })] });
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { status: "True", reason: "MetricUnavailable", message: "Unable to find metric default/nope" },
      message: "ExperimentCompleted: Experiment failed",
    });
    expect(world.metrics.calls).toBe(0);
  });

  it("a Metric that cannot be read is retried, then fails with MetricsUnreadable", async () => {
    const world = makeWorld({ experiments: [experiment()], engine: { retry: { maxAttempts: 3, initialDelayMs: 1_000 } } });
    world.store.faults.failNext("getMetric", new Error("etcd timeout"), 3);
    await world.run();
    expect(outcome(world).failed).toMatchObject({
      reason: "MetricsUnreadable",
      message: "Unable to load metric default/mean-latency",
    });
    expect(world.status().retry).toBeUndefined();
  });

  it("a Metric read that fails once is retried and the experiment goes on", async () => {
    const world = makeWorld({ experiments: [experiment()] });
    world.store.faults.failNext("getMetric", new Error("etcd timeout"), 1);
    await world.run();
    expect(outcome(world)).toMatchObject({ failed: { status: "False" }, completed: { message: "Experiment completed successfully" } });
  });
});

describe("analytics and metric queries", () => {
  it("a metrics source that keeps failing ends the experiment with AnalyticsServiceError after bounded retries", async () => {
    const world = makeWorld({ experiments: [experiment()], engine: { retry: { maxAttempts: 4, initialDelayMs: 1_000 } } });
    world.metrics.faults.failNext("query", new Error("prometheus: connection refused"), 100);
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { status: "True", reason: "AnalyticsServiceError", message: "Call to analytics engine failed" },
      message: "ExperimentCompleted: Experiment failed",
    });
    expect(world.metrics.calls).toBe(4);
    const decisions = world.status().decisions ?? [];
    expect(decisions.map((d) => d.outcome)).toEqual(["Retrying", "Retrying", "Retrying", "Failed"]);
    expect(decisions[0]?.error).toBe("metrics: prometheus: connection refused");
    expect(decisions[0]?.reason).toMatch(/Attempt 1 of 4 failed in the metrics step; trying again in 1 s/);
  });

  it("analytics that throws never crashes the engine; the experiment fails with AnalyticsServiceError", async () => {
    const broken: AnalyzeFn = () => {
      throw new TypeError("cannot read properties of undefined");
    };
    const world = makeWorld({ experiments: [experiment()], engine: { analyze: broken, retry: { maxAttempts: 2 } } });
    await world.run();
    expect(outcome(world).failed).toMatchObject({ reason: "AnalyticsServiceError" });
    expect(world.status().decisions?.at(-1)).toMatchObject({ outcome: "Failed", error: "analytics: cannot read properties of undefined" });
    expect(world.status().decisions?.at(-1)?.values?.["default/mean-latency"]).toBeDefined();
  });

  it("a query that fails once is retried and the iteration counts only once", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 2 })] });
    world.metrics.faults.failNext("query", new Error("timeout"), 1);
    await world.run();
    expect(outcome(world)).toMatchObject({ failed: { status: "False" }, completed: { message: "Experiment completed successfully" } });
    expect(world.status().decisions?.map((d) => [d.iteration, d.outcome])).toEqual([
      [1, "Retrying"],
      [1, "Continued"],
      [2, "Continued"],
    ]);
    expect(world.status().completedIterations).toBe(2);
  });

  it("backend errors for single values are not failures: they show in the decision and the objective is not met", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 1 })],
      values: () => ({ "default/mean-latency": { v1: { value: 50 }, v2: { error: "query returned no data" } } }),
    });
    await world.run();
    expect(outcome(world).failed).toMatchObject({ status: "False" });
    const d = world.status().decisions?.[0];
    expect(d?.values?.["default/mean-latency"]?.v2).toEqual({ error: "query returned no data" });
    expect(d?.versionAssessments).toEqual({ v1: [true], v2: [false] });
  });
});

describe("weights", () => {
  it("a weight patch that keeps failing fails the experiment with WeightRedistributionFailed", async () => {
    const world = makeWorld({ experiments: [experiment()], engine: { retry: { maxAttempts: 3 } } });
    world.weights.faults.failNext("apply", new Error("admission webhook denied the patch"), 100);
    await world.run();
    expect(outcome(world).failed).toMatchObject({
      reason: "WeightRedistributionFailed",
      message: "Failure redistributing weights: admission webhook denied the patch",
    });
    expect(world.status().completedIterations).toBe(0);
  });

  it("a rejected patch marked final is not retried", async () => {
    const world = makeWorld({ experiments: [experiment()] });
    world.weights.faults.failNext("apply", Object.assign(new Error("path /spec/http/0/route/1/weight does not exist"), { retryable: false }));
    await world.run();
    expect(outcome(world).failed).toMatchObject({ reason: "WeightRedistributionFailed" });
    expect(world.status().decisions?.map((d) => d.outcome)).toEqual(["Failed"]);
  });

  it("a patch that fails once is retried and traffic still moves", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 2 })] });
    world.weights.faults.failNext("apply", new Error("conflict"), 1);
    await world.run();
    expect(outcome(world).failed).toMatchObject({ status: "False" });
    expect(world.weights.weightOf("v2")).toBe(20);
  });

  it("a missing weight recommendation fails with the original message", async () => {
    const withoutCandidate: AnalyzeFn = (e, values, options) => {
      const result = analyze(e, values, options);
      return { ...result, weights: { ...result.weights, data: result.weights.data.filter((w) => w.name !== "v2") } };
    };
    const world = makeWorld({ experiments: [experiment()], engine: { analyze: withoutCandidate } });
    await world.run();
    expect(outcome(world).failed).toMatchObject({
      reason: "WeightRedistributionFailed",
      message: "Failure redistributing weights: no weight recommendation provided",
    });
    expect(world.weights.applied).toEqual([]);
  });

  it("weights that cannot be observed after a patch are retried, then fail with InvalidExperiment", async () => {
    const world = makeWorld({ experiments: [experiment()], engine: { retry: { maxAttempts: 2 } } });
    // The first observe (entering Running) works; the ones after each patch fail.
    let observes = 0;
    const original = world.weights.observe.bind(world.weights);
    world.weights.observe = async (e) => {
      observes++;
      if (observes > 1) throw new Error("virtualservice routing not found");
      return original(e);
    };
    await world.run();
    expect(outcome(world).failed).toMatchObject({
      reason: "InvalidExperiment",
      message: "Specification of version weightObjectRef invalid: virtualservice routing not found",
    });
  });
});

describe("actions", () => {
  const failing = (name: string) => (request: { action: string }) =>
    request.action === name ? { outcome: "Failed" as const, message: `task 2 of ${name}: exit status 1` } : {};

  it.each([
    ["start", "Start", { start: action("x") }],
    ["loop", "Loop", { loop: action("x") }],
    ["finish", "Finish", { finish: action("x") }],
  ] as const)("a failing %s action fails the experiment with HandlerFailed", async (name, type, actions) => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 1, actions })], actions: failing(name) });
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { status: "True", reason: "HandlerFailed", message: `${type} actions failed` },
      message: `ExperimentCompleted: ${type} actions failed`,
    });
    expect(world.status().actions?.[0]).toMatchObject({ state: "Failed", message: `task 2 of ${name}: exit status 1` });
  });

  it("a failing rollback fails with 'Rollback actions failed'", async () => {
    const world = makeWorld({
      experiments: [experiment({ deployment: "BlueGreen", actions: { finish: action("restore") } })],
      values: latencies({ v1: 50, v2: 500 }),
      actions: failing("finish"),
    });
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { reason: "HandlerFailed", message: "Rollback actions failed" },
      message: "ExperimentCompleted: Rollback actions failed",
    });
  });

  it("an action that cannot be started is retried, then fails the experiment", async () => {
    const world = makeWorld({ experiments: [experiment({ actions: { start: action("x") } })], engine: { retry: { maxAttempts: 3 } } });
    world.runner.faults.failNext("start", new Error("jobs.batch is forbidden"), 100);
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { status: "True", reason: "HandlerFailed", message: "Start actions failed" },
      message: "ExperimentCompleted: failure executing failure handler",
    });
    expect(world.status().actions?.[0]).toMatchObject({ attempts: 3, state: "Failed", message: "could not be started: jobs.batch is forbidden" });
  });

  it("an action that runs too long fails", async () => {
    const world = makeWorld({
      experiments: [experiment({ actions: { start: action("sleep 3h") } })],
      actions: () => ({ durationMs: 3 * 3600_000 }),
      engine: { actionTimeoutMs: 600_000, actionPollMs: 30_000 },
    });
    await world.run();
    expect(outcome(world).failed).toMatchObject({ reason: "HandlerFailed", message: "Start actions failed" });
    expect(world.status().actions?.[0]?.message).toBe("did not finish within 600 s");
  });

  it("an action the runner lost is started once more, and fails if lost again", async () => {
    const lostOnce = makeWorld({ experiments: [experiment({ iterationsPerLoop: 1, actions: { finish: action("x") } })], actions: () => ({ durationMs: 5_000 }) });
    let forgotten = 0;
    await lostOnce.run(lostOnce.engine, () => {
      const running = lostOnce.status().actions?.find((a) => a.state === "Running");
      if (running && forgotten === 0) {
        lostOnce.runner.forget(running.runId);
        forgotten++;
      }
    });
    expect(outcome(lostOnce).completed).toMatchObject({ message: "Experiment Completed" });
    expect(lostOnce.status().actions?.[0]).toMatchObject({ attempts: 2, state: "Succeeded" });

    const lostAlways = makeWorld({ experiments: [experiment({ iterationsPerLoop: 1, actions: { finish: action("x") } })], actions: () => ({ durationMs: 5_000 }) });
    await lostAlways.run(lostAlways.engine, () => {
      const running = lostAlways.status().actions?.find((a) => a.state === "Running");
      if (running) lostAlways.runner.forget(running.runId);
    });
    expect(outcome(lostAlways).failed).toMatchObject({ reason: "HandlerFailed", message: "Finish actions failed" });
    expect(lostAlways.status().actions?.[0]?.message).toBe("the runner lost it 2 times");
  });

  it("a runner whose state cannot be read is retried, then the action fails", async () => {
    const world = makeWorld({ experiments: [experiment({ actions: { start: action("x") } })], engine: { retry: { maxAttempts: 2 } } });
    world.runner.faults.failNext("state", new Error("apiserver unavailable"), 100);
    await world.run();
    expect(outcome(world).failed).toMatchObject({ reason: "HandlerFailed", message: "Start actions failed" });
  });
});

describe("the failure action", () => {
  it("runs after a failure so users can clean up, keeping the original reason", async () => {
    const world = makeWorld({
      experiments: [experiment({ objectives: [{ metric: "nope", upperLimit: 1 }], actions: { failure: action("kubectl delete -f candidate.yaml") } })],
      actions: () => ({ durationMs: 2_000 }),
    });
    await world.run();
    expect(world.messages().slice(-2)).toEqual([
      "HandlerLaunched: Failure handler 'failure' launched",
      "ExperimentCompleted: Experiment failed",
    ]);
    expect(outcome(world).failed).toMatchObject({ reason: "MetricUnavailable", message: "Unable to find metric default/nope" });
    expect(world.runner.executions.map((e) => [e.request.handlerName, e.request.handler])).toEqual([["default-exp-failure", "Failure"]]);
  });

  it("after a failed action it ends with that action's message", async () => {
    const world = makeWorld({
      experiments: [experiment({ actions: { start: action("x"), failure: action("cleanup") } })],
      actions: (r) => (r.action === "start" ? { outcome: "Failed" } : {}),
    });
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { reason: "HandlerFailed", message: "Start actions failed" },
      message: "ExperimentCompleted: Start actions failed",
    });
    expect(world.runner.executions.map((e) => e.request.action)).toEqual(["start", "failure"]);
  });

  it("a failing failure action is reported without hiding the first cause", async () => {
    const world = makeWorld({
      experiments: [experiment({ objectives: [{ metric: "nope" }], actions: { failure: action("cleanup") } })],
      actions: () => ({ outcome: "Failed", message: "kubectl: not found" }),
    });
    await world.run();
    expect(outcome(world)).toMatchObject({
      failed: { reason: "MetricUnavailable" },
      message: "ExperimentCompleted: Failure actions failed",
    });
    expect(world.runner.executions).toHaveLength(1);
  });

  it("does not run on success or rollback", async () => {
    const world = makeWorld({
      experiments: [experiment({ deployment: "BlueGreen", actions: { failure: action("cleanup") } })],
      values: latencies({ v1: 50, v2: 500 }),
    });
    await world.run();
    expect(outcome(world).completed).toMatchObject({ message: "Experiment rolled back" });
    expect(world.runner.executions).toEqual([]);
  });
});
