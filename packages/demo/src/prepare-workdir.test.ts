import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DemoError } from "./demo-error";
import { overrideDuration, prepareWorkdir } from "./prepare-workdir";

const EXPERIMENT = `# keep me
apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: exp
  namespace: demo
spec:
  target: demo/app
  strategy:
    testingPattern: Conformance
    actions:
      finish:
      - task: common/exec
        with:
          cmd: cp
          args: ["{{ .promote }}", "\${DEMO_WORKDIR}/routing.yaml"]
  criteria:
    objectives:
    - metric: demo/m
      upperLimit: 10
  duration:
    intervalSeconds: 20 # seconds between iterations
    iterationsPerLoop: 15
  versionInfo:
    baseline:
      name: v1
`;

const METRIC = `apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: m
  namespace: demo
spec:
  params:
  - name: version
    value: $name
  jqExpression: .data.result[0].value[1] | tonumber
  urlTemplate: \${DEMO_METRICS_URL}/api/v1/query
`;

let root: string;
let sample: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "iter8ts-prepare-test-"));
  sample = join(root, "sample");
  await mkdir(join(sample, "promote"), { recursive: true });
  await writeFile(join(sample, "experiment.yaml"), EXPERIMENT);
  await writeFile(join(sample, "metrics.yaml"), METRIC);
  await writeFile(join(sample, "promote", "notes.txt"), "${DEMO_NOT_FILLED} stays in text files");
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("prepareWorkdir", () => {
  it("copies the sample with its placeholders filled and validates it", async () => {
    const workdir = join(root, "work");
    const prepared = await prepareWorkdir({ sampleDir: sample, workdir, values: { DEMO_METRICS_URL: "http://127.0.0.1:4321" } });
    expect(prepared).toEqual({
      dir: workdir,
      files: ["experiment.yaml", "metrics.yaml", join("promote", "notes.txt")],
      experiments: [{ file: "experiment.yaml", name: "exp", namespace: "demo" }],
    });
    const metric = await readFile(join(workdir, "metrics.yaml"), "utf8");
    expect(metric).toContain("urlTemplate: http://127.0.0.1:4321/api/v1/query");
    expect(metric).toContain("value: $name");
    const experiment = await readFile(join(workdir, "experiment.yaml"), "utf8");
    expect(experiment).toContain(`args: ["{{ .promote }}", "${workdir}/routing.yaml"]`);
    expect(await readFile(join(workdir, "promote", "notes.txt"), "utf8")).toBe("${DEMO_NOT_FILLED} stays in text files");
  });

  it("shortens every experiment's duration and keeps comments", async () => {
    const workdir = join(root, "fast");
    await prepareWorkdir({ sampleDir: sample, workdir, values: { DEMO_METRICS_URL: "http://127.0.0.1:1" }, duration: { intervalSeconds: 1, iterationsPerLoop: 3 } });
    const text = await readFile(join(workdir, "experiment.yaml"), "utf8");
    expect(parse(text).spec.duration).toEqual({ intervalSeconds: 1, iterationsPerLoop: 3 });
    expect(text).toContain("# keep me");
    expect(text).toContain("# seconds between iterations");
  });

  it("reports every invalid document with its file, line and field", async () => {
    const noJq = METRIC.replace("  jqExpression: .data.result[0].value[1] | tonumber\n", "");
    const noStrategy = "apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nmetadata:\n  name: bad\nspec:\n  target: t\n";
    await writeFile(join(sample, "metrics.yaml"), `${noJq}---\n${noStrategy}`);
    const workdir = join(root, "bad");
    const error = (await prepareWorkdir({ sampleDir: sample, workdir, values: { DEMO_METRICS_URL: "http://127.0.0.1:1" } }).catch((e: unknown) => e)) as DemoError;
    expect(error).toBeInstanceOf(DemoError);
    expect(error.code).toBe("sample_invalid");
    const lines = error.message.split("\n").slice(1).map((l) => l.trim());
    const file = join(workdir, "metrics.yaml");
    // One line per problem, at the line of the field (or of its closest parent).
    expect(lines.map((l) => l.split(": ").slice(0, 2).join(": "))).toEqual([
      `${file} line 6: spec.jqExpression`,
      `${file} line 16: spec.strategy`,
      `${file} line 16: spec.versionInfo`,
    ]);
  });

  it("stops on a placeholder the demo does not fill, naming the sample file", async () => {
    const error = (await prepareWorkdir({ sampleDir: sample, workdir: join(root, "w"), values: {} }).catch((e: unknown) => e)) as DemoError;
    expect(error.code).toBe("placeholder_unknown");
    expect(error.message).toContain(join(sample, "metrics.yaml"));
    expect(error.message).toContain("${DEMO_METRICS_URL} (line 11)");
  });

  it("refuses a missing sample and a working copy inside the sample", async () => {
    await expect(prepareWorkdir({ sampleDir: join(root, "nope"), workdir: join(root, "w"), values: {} })).rejects.toMatchObject({ code: "sample_not_found" });
    await expect(prepareWorkdir({ sampleDir: sample, workdir: join(sample, "w"), values: {} })).rejects.toMatchObject({ code: "invalid_option" });
  });
});

describe("overrideDuration", () => {
  it("leaves documents other than Experiments as they are", () => {
    const text = "kind: Metric\nspec: {}\n---\nkind: Experiment\nspec:\n  target: t\n";
    const out = overrideDuration(text, { maxLoops: 2 });
    expect(out).toBe("kind: Metric\nspec: {}\n---\nkind: Experiment\nspec:\n  target: t\n  duration:\n    maxLoops: 2\n");
  });
});
