import { describe, expect, it } from "vitest";
import { istioExperiment } from "../__fixtures__/experiments";
import { createTaskRunner } from "../create-task-registry";

const runner = createTaskRunner({ allowExec: true });

describe("common/exec", () => {
  it("renders {{ .promote }} of the recommended version into an argument, as the Istio quickstart does", async () => {
    const result = await runner.run(
      istioExperiment({ finish: [{ task: "common/exec", with: { cmd: "/bin/bash", args: ["-c", "echo kubectl -n bookinfo-iter8 apply -f {{ .promote }}"] } }] }),
      "finish",
    );
    expect(result.outcomes[0]?.output).toBe("kubectl -n bookinfo-iter8 apply -f https://raw.githubusercontent.com/iter8-tools/iter8/master/samples/istio/quickstart/vs-for-v2.yaml\n");
  });

  it("passes each argument to the command as one argument, with no shell", async () => {
    const experiment = istioExperiment({ finish: [{ task: "common/exec", with: { cmd: "/usr/bin/printf", args: ["[%s]", "{{ .name }}; rm -rf /", "$(id)", 40.5, true] } }] });
    const result = await runner.run(experiment, "finish");
    expect(result.outcomes[0]?.output).toBe("[productpage-v2; rm -rf /][$(id)][40.5][true]");
  });

  it("uses the baseline's variables before a version is recommended", async () => {
    const experiment = istioExperiment({ finish: [{ task: "common/exec", with: { cmd: "/bin/echo", args: ["{{ .promote }}"] } }] });
    delete experiment.status?.versionRecommendedForPromotion;
    const result = await runner.run(experiment, "finish");
    expect(result.outcomes[0]?.output).toContain("vs-for-v1.yaml");
  });

  it("leaves arguments alone with disableInterpolation", async () => {
    const result = await runner.run(istioExperiment({ finish: [{ task: "common/exec", with: { cmd: "/bin/echo", args: ["{{ .promote }}"], disableInterpolation: true } }] }), "finish");
    expect(result.outcomes[0]?.output).toBe("{{ .promote }}\n");
  });

  it("fails with the exit status and the end of the output", async () => {
    const result = await runner.run(istioExperiment({ finish: [{ task: "common/exec", with: { cmd: "/bin/bash", args: ["-c", "echo applying; echo 'error: no such file' >&2; exit 1"] } }] }), "finish");
    expect(result.error?.message).toBe('action "finish", task 1 (common/exec): /bin/bash exited with status 1; output ended with:\napplying\nerror: no such file');
  });

  it("reports a command that is not installed", async () => {
    const result = await runner.run(istioExperiment({ finish: [{ task: "common/exec", with: { cmd: "no-such-tool-iter8ts" } }] }), "finish");
    expect(result.error?.message).toContain("could not start no-such-tool-iter8ts");
    expect(result.error?.message).toContain("check that it is installed and on PATH");
  });
});
