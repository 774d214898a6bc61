import type { Experiment } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { actionTaskChecker } from "./action-task-checker";

function experiment(namespace: string, finish: unknown[]): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "quickstart-exp", namespace },
    spec: {
      target: "default/productpage",
      strategy: { testingPattern: "Canary", actions: { finish } },
      versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
    },
  } as unknown as Experiment;
}

describe("actionTaskChecker", () => {
  const exec = [
    { run: "echo hi" },
    { task: "common/exec", with: { cmd: "echo" } },
    { task: "common/bash", with: { script: "echo hi" } },
    { task: "common/promote-kubectl", with: { manifest: "https://example.com/v2.yaml" } },
  ];

  it("refuses every exec-type task by default, naming the task path, the namespace and the flag", () => {
    const check = actionTaskChecker(false);
    expect(exec.map((task) => check(experiment("team-a", [task]))?.message)).toEqual(
      ["spec.strategy.actions.finish[0].run: run", "spec.strategy.actions.finish[0].task: common/exec", "spec.strategy.actions.finish[0].task: common/bash", "spec.strategy.actions.finish[0].task: common/promote-kubectl"].map(
        (prefix) =>
          `${prefix} runs processes, which the controller does not allow for experiments in namespace team-a; an admin allows them with the controller flag --allow-exec=true (every namespace) or --allow-exec=<namespaces> (a comma-separated list that includes team-a)`,
      ),
    );
    expect(check(experiment("team-a", exec))?.reason).toBe("InvalidExperiment");
  });

  it("allows them in the namespaces listed, or everywhere with true", () => {
    const listed = actionTaskChecker(["team-a", "default"]);
    expect(listed(experiment("team-a", exec))).toBeNull();
    expect(listed(experiment("default", exec))).toBeNull();
    expect(listed(experiment("team-b", exec))?.message).toContain("not allow for experiments in namespace team-b");
    expect(actionTaskChecker(true)(experiment("team-b", exec))).toBeNull();
  });

  it("still allows tasks that start no process, and still refuses a Secret of another namespace", () => {
    const check = actionTaskChecker(false);
    expect(check(experiment("team-a", [{ task: "notification/http", with: { url: "https://example.com/hook" } }]))).toBeNull();
    expect(check(experiment("team-a", [{ task: "notification/slack", with: { channel: "c", secret: "team-b/slack" } }]))?.message).toBe(
      "spec.strategy.actions.finish[0].with.secret: notification/slack: with.secret names Secret team-b/slack of another namespace; a task reads Secrets only from its experiment's namespace team-a: create the Secret there and name it without a namespace",
    );
  });
});
