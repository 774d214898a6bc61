import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot, runCli } from "./run-cli";

describe("iter8ctl crd (built)", () => {
  it("prints the three CRD manifests the controller installs (the Experiment's status with the engine's fields)", () => {
    const run = runCli(["crd"]);
    expect(run.status).toBe(0);
    const printed = parseAllDocuments(run.stdout).map((d) => d.toJS() as unknown);
    const committed = ["experiments", "metrics", "referencegrants"].map((name) =>
      parseAllDocuments(readFileSync(join(repoRoot, "apps/controller/deploy/base/crds", `${name}.iter8.tools.yaml`), "utf8"))[0]!.toJS() as unknown,
    );
    expect(printed).toEqual(committed);
    expect(printed.map((crd) => (crd as { metadata: { name: string } }).metadata.name)).toEqual(["experiments.iter8.tools", "metrics.iter8.tools", "referencegrants.iter8.tools"]);
  });

  it("is listed by iter8ctl --help and explains itself", () => {
    // Commander wraps descriptions to the terminal width; compare the words, not the layout.
    const words = runCli(["--help"]).stdout.replace(/\s+/g, " ");
    expect(words).toContain(" crd Print the Experiment, Metric and ReferenceGrant CustomResourceDefinitions (iter8.tools/v2alpha2) as YAML ");
    const help = runCli(["crd", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("iter8ctl crd | kubectl apply -f -");
  });
});
