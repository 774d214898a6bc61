import type { ActionRequest } from "@iter8ts/engine";
import { ExperimentSchema } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { experimentYaml } from "./__fixtures__/local-files";
import { describeTask, DryRunActionRunner } from "./dry-run-action-runner";

const experiment = ExperimentSchema.parse(parse(experimentYaml()));
experiment.status = { versionRecommendedForPromotion: "cart-v2" };

describe("describeTask", () => {
  it("shows common/exec as a command line with the recommended version's variables filled in", async () => {
    expect(await describeTask({ task: "common/exec", with: { cmd: "kubectl", args: ["apply", "-f", "routes/{{ .label }} copy.yaml"] } }, experiment)).toBe(
      "common/exec: kubectl apply -f 'routes/candidate copy.yaml'",
    );
    expect(await describeTask({ task: "common/exec", with: { cmd: "sh", args: ["-c", "echo {{ .name }}\n"] }, if: "WinnerFound()" }, experiment)).toBe(
      "common/exec: sh -c $'echo cart-v2\\n' (if WinnerFound())",
    );
  });

  it("shows scripts on one line and other tasks with their inputs", async () => {
    expect(await describeTask({ run: "echo a\necho b\n" }, experiment)).toBe("run: echo a ⏎ echo b");
    expect(await describeTask({ task: "notification/slack", with: { channel: "C1", secret: "slack" } }, experiment)).toBe('notification/slack {"channel":"C1","secret":"slack"}');
  });
});

describe("DryRunActionRunner", () => {
  it("prints each action once and reports it succeeded, without running anything", async () => {
    const printed: string[] = [];
    const runner = new DryRunActionRunner((line) => printed.push(line));
    const request: ActionRequest = {
      runId: "t-finish",
      handlerName: "shop-cart-ab-finish",
      experiment: { namespace: "shop", name: "cart-ab" },
      action: "finish",
      handler: "Finish",
      tasks: [{ run: "exit 1" }],
    };
    expect(await runner.state(request)).toEqual({ state: "Unknown" });
    await runner.start(request, experiment);
    await runner.start(request, experiment);
    expect(await runner.state(request)).toEqual({ state: "Succeeded" });
    expect(printed).toEqual(["dry run: would run the finish action (Finish handler) of shop/cart-ab:", "  1. run: exit 1"]);
  });
});
