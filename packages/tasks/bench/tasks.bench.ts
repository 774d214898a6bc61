// Speed of templates, conditions, and the runner around tasks (no-op tasks, and a real process).
import { bench, describe } from "vitest";
import { z } from "zod";
import type { Experiment } from "@iter8ts/types";
import { compileCondition, createTaskRegistry, createTaskRunner, defineTask, goExperimentView, TemplateDelimiters } from "@iter8ts/tasks";
// The engine itself, synchronously (the package's compileGoTemplate loads it on first use and is async).
import { compileGoTemplate } from "../src/template/go-template";

const experiment: Experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "quickstart-exp", namespace: "default" },
  spec: {
    target: "default/sample-app",
    strategy: { testingPattern: "A/B" },
    versionInfo: {
      baseline: { name: "v1", variables: [{ name: "promote", value: "https://example.com/v1.yaml" }] },
      candidates: [{ name: "v2", variables: [{ name: "promote", value: "https://example.com/v2.yaml" }] }],
    },
  },
  status: {
    versionRecommendedForPromotion: "v2",
    analysis: { winnerAssessment: { provenance: "p", timestamp: "t", data: { winnerFound: true, winner: "v2" } } },
  },
};

const script = `@< range .Spec.VersionInfo.Candidates >@echo @< .Name >@; @< end >@kubectl apply -f @< .Status.VersionRecommendedForPromotion >@.yaml`;
const template = compileGoTemplate(script, { name: "bench", delimiters: TemplateDelimiters.At });
const view = goExperimentView(experiment);
const native = compileCondition("WinnerFound() and not CandidateWon()");
const jsonata = compileCondition('status.versionRecommendedForPromotion = "v2" and WinnerFound()');

const registry = createTaskRegistry().register(defineTask({ name: "bench/noop", summary: "does nothing", inputs: z.strictObject({ n: z.int().default(0) }), run: async () => undefined }));
const noop = createTaskRunner({ registry });
const tenNoops = { ...experiment, spec: { ...experiment.spec, strategy: { ...experiment.spec.strategy, actions: { finish: Array.from({ length: 10 }, () => ({ task: "bench/noop", if: "WinnerFound()" })) } } } };
const exec = createTaskRunner({ allowExec: true });
const oneProcess = { ...experiment, spec: { ...experiment.spec, strategy: { ...experiment.spec.strategy, actions: { finish: [{ task: "common/exec", with: { cmd: "/bin/true", args: ["{{ .promote }}"] } }] } } } };

describe("templates and conditions", () => {
  bench("compile a run script (range, fields)", () => {
    compileGoTemplate(script, { name: "bench", delimiters: TemplateDelimiters.At });
  });
  bench("render the compiled run script", () => {
    template.render(view);
  });
  bench("goExperimentView", () => {
    goExperimentView(experiment);
  });
  bench("evaluate WinnerFound() and not CandidateWon()", async () => {
    await native.evaluate(experiment);
  });
  bench("evaluate a JSONata condition", async () => {
    await jsonata.evaluate(experiment);
  });
});

describe("runner", () => {
  bench("action of 10 no-op tasks with if conditions", async () => {
    await noop.run(tenNoops, "finish");
  });
  bench("common/exec of /bin/true (spawn, scratch dir, template)", async () => {
    await exec.run(oneProcess, "finish");
  });
});
