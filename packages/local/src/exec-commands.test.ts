import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { describeExecCommand, listExecCommands } from "./exec-commands";

function experiment(actions: Record<string, unknown[]>): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "cart-ab", namespace: "shop" },
    spec: { target: "shop/cart", strategy: { testingPattern: "A/B", actions } },
  } as unknown as Experiment;
}

describe("listExecCommands", () => {
  it("lists run, common/exec, common/bash and common/promote-kubectl tasks with their commands as written, and nothing else", () => {
    const commands = listExecCommands([
      experiment({
        start: [{ task: "common/readiness", with: { objRefs: [] } }, { run: "echo @< .Name >@ > out" }],
        finish: [
          { task: "common/exec", with: { Cmd: "cp", args: ["{{ .promote }}", "a b's", 3] } },
          { task: "common/bash", with: { script: "kubectl apply -f {{ .promote }}" } },
          { task: "common/promote-kubectl", with: { manifest: "https://example.com/{{ .promote }}.yaml", recursive: true } },
          { task: "notification/http", with: { URL: "http://example.com" } },
        ],
      }),
    ]);
    expect(commands.map(describeExecCommand)).toEqual([
      "shop/cart-ab spec.strategy.actions.start[1] (run): echo @< .Name >@ > out",
      "shop/cart-ab spec.strategy.actions.finish[0] (common/exec): cp '{{ .promote }}' 'a b'\\''s' 3",
      "shop/cart-ab spec.strategy.actions.finish[1] (common/bash): kubectl apply -f {{ .promote }}",
      "shop/cart-ab spec.strategy.actions.finish[2] (common/promote-kubectl): kubectl apply --namespace=shop --recursive '--filename=https://example.com/{{ .promote }}.yaml'",
    ]);
  });

  it("shows a multi-line script on one line, its newlines and control characters escaped", () => {
    const [command] = listExecCommands([experiment({ finish: [{ run: "echo one\necho \u001b[2J two\r" }] })]);
    expect(describeExecCommand(command!)).toBe("shop/cart-ab spec.strategy.actions.finish[0] (run): echo one\\necho \\u001b[2J two\\r");
  });
});
