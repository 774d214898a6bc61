import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./run-cli";

const samples = join(repoRoot, "samples");
const sampleFiles = readdirSync(samples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) => readdirSync(join(samples, dir.name)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `samples/${dir.name}/${f}`));

describe("iter8ctl validate (built)", () => {
  it("accepts every sample", () => {
    expect(sampleFiles.length).toBeGreaterThanOrEqual(10);
    const run = runCli(["validate", ...sampleFiles.flatMap((f) => ["-f", f])]);
    expect(run.stdout).not.toContain("✗");
    expect(run.stdout).toMatch(/^\d+ valid, 0 invalid, \d+ skipped$/m);
    expect(run.status).toBe(0);
  });

  it("reports ten mistakes as ten errors, each naming its field, and exits 1", () => {
    const run = runCli(["validate", "-f", "apps/cli/test/fixtures/ten-mistakes.yaml"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      [
        "✗ Experiment quickstart-exp (apps/cli/test/fixtures/ten-mistakes.yaml:2)",
        '    spec.strategy.testingPattern: must be one of Canary, A/B, A/B/N, Conformance (got "AB") (line 9)',
        "    spec.strategy.weights.maxCandidateWeight: must be at most 100 (got 101) (line 12)",
        '    spec.strategy.actions.finsh: is not an action the experiment runs; did you mean "finish"? (line 14)',
        "    spec.strategy.actions.start[0]: must set exactly one of task or run (neither is set) (line 17)",
        '    spec.criteria.rewards[0].preferredDirection: must be one of High, Low (got "Higher") (line 21)',
        "    spec.criteria.objectives[0].lowerLimit: must not be greater than upperLimit (100 > 50): no value could satisfy this objective (line 25)",
        '    spec.criteria.objectives[1].upperLimit: must be a Kubernetes quantity such as 50, "0.01", "250m", "1k" or "1Ki" (got "one percent") (line 27)',
        '    spec.duration.intervalSecond: is not a known field; did you mean "intervalSeconds"? (line 29)',
        "    spec.duration.iterationsPerLoop: must be at least 1 (got -5) (line 30)",
        '    spec.versionInfo.baseline.weightObjRef.fieldPath: must start with "." as in .spec.http[0].route[0].weight (got "spec.traffic[0].percent") (line 38)',
        "0 valid, 1 invalid, 0 skipped",
        "",
      ].join("\n"),
    );
  });

  it("reads standard input and reports JSON", () => {
    const run = runCli(["validate", "-f", "-", "-o", "json"], {
      input: "apiVersion: iter8.tools/v2alpha2\nkind: Metric\nmetadata: {name: m}\nspec: {provider: elastic}\n",
    });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { valid: boolean; documents: Array<{ file: string; errors: Array<{ path: string }> }> };
    expect(report.valid).toBe(false);
    expect(report.documents[0]?.file).toBe("standard input");
    expect(report.documents[0]?.errors.map((e) => e.path)).toEqual(["spec.urlTemplate", "spec.jqExpression"]);
  });

  it("explains its options with --help", () => {
    const run = runCli(["validate", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: iter8ctl validate [options]");
    expect(run.stdout).toContain("-f, --file <path>");
    expect(run.stdout).toContain('-o, --output <format>  report format (choices: "text", "json"');
  });

  it("rejects an unknown output format", () => {
    const run = runCli(["validate", "-f", "samples/istio/experiment.yaml", "-o", "xml"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are text, json.");
  });
});
