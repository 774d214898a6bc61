import { describe, expect, it } from "vitest";
import { istioExperiment } from "../__fixtures__/experiments";
import { createTaskRunner } from "../create-task-registry";

const runner = createTaskRunner({ allowExec: true });

describe("common/bash", () => {
  it("renders the script from the recommended version's variables and the experiment", async () => {
    const script = "for v in a b; do echo $v; done; echo {{ .name }} {{ .this.metadata.name }} {{ if .namespace }}in {{ .namespace }}{{ end }}";
    const result = await runner.run(istioExperiment({ finish: [{ task: "common/bash", with: { script } }] }), "finish");
    expect(result.outcomes[0]?.output).toBe("a\nb\nproductpage-v2 quickstart-exp in bookinfo-iter8\n");
  });

  it("fails on a template the original would have turned into an empty script", async () => {
    const result = await runner.run(istioExperiment({ finish: [{ task: "common/bash", with: { script: "echo {{ .promote" } }] }), "finish");
    expect(result.error?.code).toBe("template_error");
    expect(result.error?.message).toContain("with.script: line 1, column 6: action is not closed with }}");
  });
});
