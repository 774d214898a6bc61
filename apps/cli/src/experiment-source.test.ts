import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ExperimentLoadError } from "@iter8ts/report";
import { canaryInput } from "@iter8ts/report/testing";
import { fileExperimentSource, parseExperimentText } from "./experiment-source";

function loadError(fn: () => unknown): ExperimentLoadError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ExperimentLoadError) return error;
    throw error;
  }
  throw new Error("expected an ExperimentLoadError");
}

describe("parseExperimentText", () => {
  it("reads YAML and JSON", () => {
    expect(parseExperimentText(stringify(canaryInput()), "exp.yaml").experiment.metadata.name).toBe("checkout-rollout");
    expect(parseExperimentText(JSON.stringify(canaryInput()), "exp.json").warnings).toEqual([]);
  });

  it("ignores fields the API does not know, and says which", () => {
    const input = { ...canaryInput(), spec: { ...canaryInput().spec, metrics: [{ name: "old" }] } };
    const { experiment, warnings } = parseExperimentText(stringify(input), "exp.yaml");
    expect(experiment.spec.target).toBe("shop/checkout");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: "spec.metrics", message: expect.stringMatching(/not a known field/) });
  });

  it("reports every invalid field by path", () => {
    const input = canaryInput();
    (input.spec.strategy as { testingPattern: string }).testingPattern = "Blue";
    delete (input.spec as { target?: string }).target;
    const error = loadError(() => parseExperimentText(stringify(input), "exp.yaml"));
    expect(error.code).toBe("invalid_experiment");
    expect(error.message).toBe("exp.yaml is not a valid iter8.tools/v2alpha2 Experiment");
    expect(error.issues.map((i) => i.path).sort()).toEqual(["spec.strategy.testingPattern", "spec.target"]);
    // Each issue points at its line in the text (a missing field at its parent's).
    expect(error.issues.every((i) => typeof i.line === "number")).toBe(true);
  });

  it("takes the one experiment out of a kubectl List", () => {
    const list = { apiVersion: "v1", kind: "List", items: [canaryInput()] };
    expect(parseExperimentText(stringify(list), "list.yaml").experiment.metadata.name).toBe("checkout-rollout");
    const two = { ...list, items: [canaryInput(), canaryInput()] };
    expect(loadError(() => parseExperimentText(stringify(two), "list.yaml")).message).toMatch(/list of 2 experiments; pass one/);
  });

  it("rejects empty input, several documents and broken YAML", () => {
    expect(loadError(() => parseExperimentText("  \n", "-")).code).toBe("empty_input");
    const twoDocs = `${stringify(canaryInput())}---\n${stringify(canaryInput())}`;
    expect(loadError(() => parseExperimentText(twoDocs, "exp.yaml")).message).toBe("exp.yaml holds 2 documents; pass exactly one Experiment");
    expect(loadError(() => parseExperimentText("spec: [unclosed", "exp.yaml")).message).toBe("exp.yaml is not valid YAML or JSON");
  });
});

describe("fileExperimentSource", () => {
  it("reads afresh on every load", async () => {
    let reads = 0;
    const source = fileExperimentSource("exp.yaml", async () => {
      reads += 1;
      return stringify(canaryInput());
    });
    await source.load();
    await source.load();
    expect(reads).toBe(2);
    expect(source).toMatchObject({ label: "exp.yaml", rereadable: true });
  });

  it("names standard input, which can be read only once", () => {
    expect(fileExperimentSource("-", async () => "")).toMatchObject({ label: "standard input", rereadable: false });
  });

  it("turns a read failure into a load error that names the file", async () => {
    const source = fileExperimentSource("missing.yaml", async () => {
      throw new Error("ENOENT: no such file or directory, open 'missing.yaml'");
    });
    await expect(source.load()).rejects.toMatchObject({
      code: "read_failed",
      message: "cannot read missing.yaml: ENOENT: no such file or directory, open 'missing.yaml'; check the path given to -f",
    });
  });
});
