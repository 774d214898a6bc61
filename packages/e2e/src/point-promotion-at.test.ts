import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { E2eError } from "./e2e-error";
import { pointPromotionAt } from "./point-promotion-at";

function experiment(variables: Record<string, string>[], args: string[]): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "exp" },
    spec: {
      target: "default/app",
      strategy: { testingPattern: "A/B", actions: { finish: [{ task: "common/exec", with: { cmd: "/bin/sh", args } }], start: [{ run: "kubectl apply -f https://example.com/x/setup.yaml" }] } },
      versionInfo: {
        baseline: { name: "v1", variables: variables.map((v) => ({ name: "promote", value: v.promote ?? "" })) },
        candidates: [{ name: "v2", variables: [{ name: "promote", value: "https://raw.example.com/org/repo/master/q/promote-v2.yaml" }, { name: "ns", value: "ns-candidate" }] }],
      },
    },
  };
}

describe("pointPromotionAt", () => {
  it("replaces manifest URLs in variables, task inputs and scripts, templates included", () => {
    const source = experiment([{ promote: "https://gist.example.com/u/abc/raw/123/promote-v1.yaml" }], ["-c", "kubectl apply -f https://raw.example.com/q/{{ .promote }}.yaml\n"]);
    const out = pointPromotionAt(source, "/samples/knative/promote/");
    expect(out.spec.versionInfo?.baseline.variables).toEqual([{ name: "promote", value: "/samples/knative/promote/promote-v1.yaml" }]);
    expect(out.spec.versionInfo?.candidates?.[0]?.variables).toEqual([
      { name: "promote", value: "/samples/knative/promote/promote-v2.yaml" },
      { name: "ns", value: "ns-candidate" },
    ]);
    expect(out.spec.strategy.actions?.finish?.[0]?.with?.args).toEqual(["-c", "kubectl apply -f /samples/knative/promote/{{ .promote }}.yaml\n"]);
    expect(out.spec.strategy.actions?.start?.[0]?.run).toBe("kubectl apply -f /samples/knative/promote/setup.yaml");
    // The input is left as it was.
    expect(source.spec.versionInfo?.baseline.variables?.[0]?.value).toBe("https://gist.example.com/u/abc/raw/123/promote-v1.yaml");
  });

  it("points at a URL base as well as a folder", () => {
    const out = pointPromotionAt(experiment([{ promote: "https://a.example.com/promote-v1.yaml" }], []), "http://samples.iter8-system:8080/istio");
    expect(out.spec.versionInfo?.baseline.variables?.[0]?.value).toBe("http://samples.iter8-system:8080/istio/promote-v1.yaml");
  });

  it("refuses a manifest the promote folder lacks, naming the field", () => {
    const source = experiment([{ promote: "https://a.example.com/promote-v9.yaml" }], []);
    expect(() => pointPromotionAt(source, "/p", { available: ["promote-v1.yaml", "promote-v2.yaml"] })).toThrow(E2eError);
    expect(() => pointPromotionAt(source, "/p", { available: ["promote-v1.yaml", "promote-v2.yaml"] })).toThrow(
      /spec\.versionInfo\.baseline\.variables\[0\]\.value names the promotion manifest promote-v9\.yaml/,
    );
  });
});
