// scripts/kind-e2e.sh cannot run here (no Docker, no kind), but its pieces that decide the run's
// outcome can: sourced with a fake `kubectl` function, it shows the Metric patches and the
// experiment it would apply, and the CustomResourceDefinitions of its minimal mode.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { loadSample, mockQuickstartMetrics, pointPromotionAt, QUICKSTART_STACKS, QuickstartOutcome, SAMPLES_DIR } from "../src/index";

const SCRIPT = join(SAMPLES_DIR, "..", "scripts", "kind-e2e.sh");
const PROMOTE_BASE = "http://iter8ts-samples.iter8-system.svc.cluster.local:8080";

/** Sources the script for a stack and runs `commands` with `kubectl` replaced by a function. */
function sourced(stack: string, commands: string): Promise<string> {
  const script = `source ${JSON.stringify(SCRIPT)} --stack ${stack}\nkubectl() { printf 'kubectl'; printf ' %q' "$@"; printf '\\n'; if [ "\${*: -1}" = - ]; then cat; fi; }\n${commands}\n`;
  return new Promise((resolve, reject) => {
    execFile("/bin/bash", ["--norc", "-c", script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe.each(QUICKSTART_STACKS)("scripts/kind-e2e.sh --stack %s", (stack) => {
  const sample = loadSample(stack);

  it("gives every Metric the mock levels that make the candidate win in packages/e2e", async () => {
    const out = await sourced(stack, "apply_metrics");
    const patches = new Map<string, unknown>();
    for (const line of out.split("\n").filter((l) => l.includes(" patch "))) {
      const [, namespace, name, body] = /-n (\S+) patch metrics\.iter8\.tools (\S+) --type merge -p (.+)$/.exec(line) ?? [];
      // printf %q escapes the JSON for a shell; undo it.
      patches.set(`${namespace}/${name}`, JSON.parse((body ?? "").replace(/\\(.)/g, "$1")));
    }
    const expected = mockQuickstartMetrics(sample.experiment, sample.metrics, QuickstartOutcome.CandidateWins);
    expect(Object.fromEntries(patches)).toEqual(
      Object.fromEntries(expected.map((m) => [`${m.metadata?.namespace}/${m.metadata?.name}`, { spec: { mock: m.spec.mock } }])),
    );
  });

  it("applies the experiment with its promotion pointed at the in-cluster copies of promote/", async () => {
    const out = await sourced(stack, "apply_experiment");
    const [, yamlText] = out.split(/^kubectl apply -n default -f -\n/m);
    const applied = parseAllDocuments(yamlText ?? "").map((d) => d.toJS() as unknown);
    expect(applied).toEqual([pointPromotionAt(sample.experiment, PROMOTE_BASE, { available: Object.keys(sample.promoteFiles) })]);
  });

  it("in minimal mode, serves every custom kind the sample and its promotion use", async () => {
    const crds = parseAllDocuments(await sourced(stack, "minimal_crds"))
      .map((d) => d.toJS() as { spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; storage: boolean }[] } } | null)
      .filter((c) => c !== null);
    const served = new Set(crds.flatMap((c) => c.spec.versions.filter((v) => v.served).map((v) => `${c.spec.group}/${v.name} ${c.spec.names.kind}`)));
    for (const c of crds) expect(c.spec.versions.filter((v) => v.storage)).toHaveLength(1);
    const promote = Object.values(sample.promoteFiles).flatMap((file) =>
      parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as { apiVersion: string; kind: string }),
    );
    const custom = [...sample.objects, ...promote].filter((o) => o.apiVersion.includes("/") && !/^(apps|batch|rbac\.authorization\.k8s\.io)\//.test(o.apiVersion));
    expect(custom.length).toBeGreaterThan(0);
    for (const o of custom) expect(served, `${o.apiVersion} ${o.kind}`).toContain(`${o.apiVersion} ${o.kind}`);
  });
});
