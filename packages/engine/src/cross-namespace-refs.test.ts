import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { action, experiment, latencies, makeWorld, metric } from "../test/world";
import { criteriaMetricReferences, weightObjectReferences } from "./cross-namespace-refs";
import type { CrossNamespaceRef, ReferencePolicy } from "./ports";

/** team-a's experiment using team-b's Metric and moving traffic in team-b's VirtualService. */
function teamAExperiment(): Experiment {
  const e = experiment({ namespace: "team-a", objectives: [{ metric: "team-b/mean-latency", upperLimit: 100 }], actions: { finish: action("promote") } });
  for (const v of [e.spec.versionInfo!.baseline, ...(e.spec.versionInfo!.candidates ?? [])]) v.weightObjRef = { ...v.weightObjRef, namespace: "team-b", name: "reviews" };
  return e;
}

/** A policy that grants what `granted` names (`kind namespace/name`) and records every question. */
function policy(granted: string[]): ReferencePolicy & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    allows(from: string, ref: CrossNamespaceRef) {
      asked.push(`${from} -> ${ref.kind} ${ref.namespace}/${ref.name}`);
      return granted.includes(`${ref.kind} ${ref.namespace}/${ref.name}`);
    },
  };
}

function world(granted: string[] | undefined) {
  const w = makeWorld({
    experiments: [teamAExperiment()],
    metrics: [metric("mean-latency", "team-b")],
    values: (ctx) => ({ "team-b/mean-latency": latencies({ v1: 50, v2: 40 })(ctx)["default/mean-latency"]! }),
  });
  const references = granted === undefined ? undefined : policy(granted);
  if (references) w.ports.references = references;
  return { w, references };
}

describe("references across namespaces", () => {
  it("list the criteria's Metrics and the versions' routing objects with the fields naming them", () => {
    const e = teamAExperiment();
    expect(criteriaMetricReferences(e)).toEqual([{ field: "spec.criteria.objectives[0].metric", group: "iter8.tools", kind: "Metric", namespace: "team-b", name: "mean-latency" }]);
    expect(weightObjectReferences(e).map((r) => [r.field, r.group, r.kind, r.namespace, r.name])).toEqual([
      ["spec.versionInfo.baseline.weightObjRef", "networking.istio.io", "VirtualService", "team-b", "reviews"],
      ["spec.versionInfo.candidates[0].weightObjRef", "networking.istio.io", "VirtualService", "team-b", "reviews"],
    ]);
  });

  it("an experiment referring to another namespace's routing object without consent fails ReferenceNotGranted before it takes its target, reads or patches nothing and runs no action", async () => {
    const { w } = world(["Metric team-b/mean-latency"]);
    await w.run();
    expect(w.condition("Failed", "exp", "team-a")).toMatchObject({
      status: "True",
      reason: "ReferenceNotGranted",
      message:
        "spec.versionInfo.baseline.weightObjRef refers to VirtualService team-b/reviews (networking.istio.io), but no ReferenceGrant in namespace team-b lets experiments in namespace team-a refer to it; " +
        "ask the owners of team-b to create one, or use an object of namespace team-a (see docs/security-model.md)",
    });
    expect(w.condition("TargetAcquired", "exp", "team-a")).toMatchObject({ status: "False" });
    expect(w.status("exp", "team-a").metrics).toBeUndefined();
    expect(w.runner.executions).toEqual([]);
    expect(w.status("exp", "team-a").currentWeightDistribution).toBeUndefined();
    expect(w.weights.applied).toEqual([]);
  });

  it("an experiment referring to another namespace's Metric without consent fails naming the criteria field", async () => {
    const { w } = world(["VirtualService team-b/reviews"]);
    await w.run();
    expect(w.condition("Failed", "exp", "team-a")?.reason).toBe("ReferenceNotGranted");
    expect(w.condition("Failed", "exp", "team-a")?.message).toMatch(/^spec\.criteria\.objectives\[0\]\.metric refers to Metric team-b\/mean-latency \(iter8\.tools\), but no ReferenceGrant in namespace team-b lets experiments in namespace team-a refer to it;/);
  });

  it("runs to completion when the other namespace consents, asking again each iteration", async () => {
    const { w, references } = world(["VirtualService team-b/reviews", "Metric team-b/mean-latency"]);
    await w.run();
    expect(w.condition("Failed", "exp", "team-a")).toMatchObject({ status: "False" });
    expect(w.status("exp", "team-a").completedIterations).toBe(3);
    expect(references!.asked.filter((q) => q === "team-a -> Metric team-b/mean-latency").length).toBeGreaterThan(3);
  });

  it("stops the experiment when the consent is withdrawn while it runs", async () => {
    const { w, references } = world(["VirtualService team-b/reviews", "Metric team-b/mean-latency"]);
    let iterations = 0;
    w.ports.references = {
      allows(from, ref) {
        if (ref.kind === "VirtualService" && (w.status("exp", "team-a").completedIterations ?? 0) >= 1) iterations++;
        return iterations > 0 ? false : references!.allows(from, ref);
      },
    };
    await w.run();
    expect(w.condition("Failed", "exp", "team-a")?.reason).toBe("ReferenceNotGranted");
    expect(w.status("exp", "team-a").completedIterations).toBe(1);
  });

  it("without a policy (local mode) every reference is allowed", async () => {
    const { w } = world(undefined);
    await w.run();
    expect(w.condition("Failed", "exp", "team-a")).toMatchObject({ status: "False" });
  });
});
