import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { compileGoTemplate, TemplateDelimiters } from "./go-template";
import { goExperimentView, goFieldName, legacyTemplateData } from "./template-data";

const experiment: Experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "quickstart-exp", namespace: "default", labels: { "app.kubernetes.io/name": "x" } },
  spec: {
    target: "bookinfo-iter8/productpage",
    strategy: { testingPattern: "A/B", actions: { finish: [{ task: "common/exec", with: { cmd: "/bin/bash" } }] } },
    criteria: { objectives: [{ metric: "iter8-istio/mean-latency", upperLimit: 100, rollback_on_failure: true }] },
    versionInfo: {
      baseline: {
        name: "productpage-v1",
        variables: [
          { name: "namespace", value: "bookinfo-iter8" },
          { name: "promote", value: "https://example.com/vs-for-v1.yaml" },
        ],
      },
      candidates: [{ name: "productpage-v2", variables: [{ name: "promote", value: "https://example.com/vs-for-v2.yaml" }] }],
    },
  },
  status: {
    versionRecommendedForPromotion: "productpage-v2",
    completedIterations: 10,
    analysis: {
      aggregatedMetrics: {
        provenance: "p",
        timestamp: "t",
        data: { "iter8-istio/mean-latency": { data: { "productpage-v1": { value: "228.4" } } } },
      },
    },
  },
};

describe("legacyTemplateData", () => {
  it("exposes the recommended version's variables, its name and the experiment", () => {
    const { version, data } = legacyTemplateData(experiment);
    expect(version).toBe("productpage-v2");
    const render = (s: string) => compileGoTemplate(s, { name: "t", delimiters: TemplateDelimiters.Braces }).render(data);
    expect(render("kubectl apply -f {{ .promote }}")).toBe("kubectl apply -f https://example.com/vs-for-v2.yaml");
    expect(render("{{ .name }} in {{ .this.metadata.namespace }}")).toBe("productpage-v2 in default");
    expect(render("[{{ .namespace }}]")).toBe("[]");
  });

  it("falls back to the baseline while no version is recommended", () => {
    const early = { ...experiment, status: {} };
    expect(legacyTemplateData(early).data.promote).toBe("https://example.com/vs-for-v1.yaml");
  });

  it("rejects a recommended version that does not exist", () => {
    const wrong = { ...experiment, status: { versionRecommendedForPromotion: "ghost" } };
    expect(() => legacyTemplateData(wrong)).toThrow('status.versionRecommendedForPromotion is "ghost", which is not a version in spec.versionInfo');
  });
});

describe("goExperimentView", () => {
  const view = goExperimentView(experiment);
  const render = (s: string) => compileGoTemplate(s, { name: "t", delimiters: TemplateDelimiters.At }).render(view);

  it("uses Go field names, promoting metadata", () => {
    expect(render("@< .Name >@/@< .Namespace >@ @< .ObjectMeta.Name >@ @< .APIVersion >@")).toBe("quickstart-exp/default quickstart-exp iter8.tools/v2alpha2");
    expect(render("@< .Spec.Target >@ @< .Status.VersionRecommendedForPromotion >@ @< .Status.CompletedIterations >@")).toBe(
      "bookinfo-iter8/productpage productpage-v2 10",
    );
    expect(render("@< (index .Spec.VersionInfo.Candidates 0).Name >@ @< (index .Spec.Criteria.Objectives 0).RollbackOnFailure >@")).toBe("productpage-v2 true");
  });

  it("keeps map keys as written", () => {
    expect(render(`@< index .Labels "app.kubernetes.io/name" >@`)).toBe("x");
    expect(render(`@< (index .Spec.Strategy.Actions.finish 0).Task >@ @< (index .Spec.Strategy.Actions.finish 0).With.cmd >@`)).toBe("common/exec /bin/bash");
    expect(render(`@< (index (index .Status.Analysis.AggregatedMetrics.Data "iter8-istio/mean-latency").Data "productpage-v1").Value >@`)).toBe("228.4");
  });

  it("names fields as the Go types do", () => {
    expect(goFieldName("versionRecommendedForPromotion")).toBe("VersionRecommendedForPromotion");
    expect(goFieldName("apiVersion")).toBe("APIVersion");
    expect(goFieldName("rollback_on_failure")).toBe("RollbackOnFailure");
  });
});
