import { describe, expect, it } from "vitest";
import { memoryIo } from "../__fixtures__/memory-io";
import { validateCommand } from "./validate";

async function run(args: string[], files: Record<string, string>, stdin = "") {
  const { io, printed } = memoryIo(files, stdin);
  await validateCommand(io)
    .exitOverride()
    .configureOutput({ writeErr: (t) => void (printed.err += t) })
    .parseAsync(args, { from: "user" });
  return printed;
}

const METRIC = `apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: request-count
  namespace: iter8-knative
spec:
  type: Counter
  urlTemplate: http://prometheus:9090/api/v1/query
  jqExpression: .data.result[0].value[1] | tonumber
`;

const EXPERIMENT = `apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: canary-exp
spec:
  target: default/sample-app
  strategy:
    testingPattern: Canary
  criteria:
    objectives:
    - metric: iter8-knative/request-count
      upperLimit: "100"
  versionInfo:
    baseline: {name: v1}
    candidates: [{name: v2}]
`;

describe("iter8ctl validate", () => {
  it("marks each valid document, skips other kinds, and exits 0", async () => {
    const files = { "all.yaml": `apiVersion: v1\nkind: Namespace\nmetadata: {name: iter8-knative}\n---\n${METRIC}---\n${EXPERIMENT}` };
    expect(await run(["-f", "all.yaml"], files)).toEqual({
      out:
        "- Namespace iter8-knative (all.yaml:1): skipped, not an Experiment or Metric\n" +
        "✓ Metric iter8-knative/request-count (all.yaml:5)\n" +
        "✓ Experiment canary-exp (all.yaml:15)\n" +
        "2 valid, 0 invalid, 1 skipped\n",
      err: "",
      code: 0,
    });
  });

  it("lists every problem of an invalid document with its path and line, and exits 1", async () => {
    const broken = EXPERIMENT.replace("testingPattern: Canary", "testingPattern: canary").replace('upperLimit: "100"', "upperLimit: 0.5");
    const r = await run(["-f", "metric.yaml", "-f", "exp.yaml"], { "metric.yaml": METRIC, "exp.yaml": broken });
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      "✓ Metric iter8-knative/request-count (metric.yaml:1)\n" +
        "✗ Experiment canary-exp (exp.yaml:1)\n" +
        '    spec.strategy.testingPattern: must be one of Canary, A/B, A/B/N, Conformance (got "canary") (line 8)\n' +
        '    spec.criteria.objectives[0].upperLimit: must be an integer or a quoted quantity: Kubernetes rejects the number 0.5 here, write "0.5" (line 12)\n' +
        "1 valid, 1 invalid, 0 skipped\n",
    );
  });

  it("names a non-finite quantity as it was written, quoted or not", async () => {
    const infinite = EXPERIMENT.replace('upperLimit: "100"', "upperLimit: 1e309\n    - metric: iter8-knative/request-count\n      lowerLimit: \"-1e400\"");
    const nan = EXPERIMENT.replace('upperLimit: "100"', "upperLimit: .nan");
    const r = await run(["-f", "inf.yaml", "-f", "nan.yaml"], { "inf.yaml": infinite, "nan.yaml": nan });
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      "✗ Experiment canary-exp (inf.yaml:1)\n" +
        '    spec.criteria.objectives[0].upperLimit: 1e309 is not a finite quantity; write a value between -1.7e308 and 1.7e308, such as 50, "0.01", "250m" or "1k" (line 12)\n' +
        '    spec.criteria.objectives[1].lowerLimit: "-1e400" is not a finite quantity; write a value between -1.7e308 and 1.7e308, such as 50, "0.01", "250m" or "1k" (line 14)\n' +
        "✗ Experiment canary-exp (nan.yaml:1)\n" +
        '    spec.criteria.objectives[0].upperLimit: .nan is not a finite quantity; write a value between -1.7e308 and 1.7e308, such as 50, "0.01", "250m" or "1k" (line 12)\n' +
        "0 valid, 2 invalid, 0 skipped\n",
    );
  });

  it("checks the actions' tasks as the controller does: a template or condition nested 50,000 deep is a problem, not a crash", async () => {
    const deep = (inner: string) => `${"(".repeat(50_000)}${inner}${")".repeat(50_000)}`;
    const actions = `  strategy:\n    testingPattern: Canary\n    actions:\n      finish:\n      - task: common/exec\n        with:\n          cmd: cp\n          args: ["{{ ${deep(".promote")} }}", "x"]\n      - if: "${deep("WinnerFound()")}"\n        run: echo won\n      - task: common/no-such-task\n`;
    const r = await run(["-f", "exp.yaml"], { "exp.yaml": EXPERIMENT.replace("  strategy:\n    testingPattern: Canary\n", actions) });
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("✗ Experiment canary-exp (exp.yaml:1)");
    expect(lines.slice(1, 4)).toEqual([
      expect.stringMatching(/^ {4}spec\.strategy\.actions\.finish\[0\]: with\.args\[0\]: template nests deeper than 100 levels; /),
      expect.stringMatching(/^ {4}spec\.strategy\.actions\.finish\[1\]\.if: if condition nests deeper than 100 levels; /),
      expect.stringMatching(/^ {4}spec\.strategy\.actions\.finish\[2\]\.task: unknown task "common\/no-such-task"/),
    ]);
    expect(lines[4]).toBe("0 valid, 1 invalid, 0 skipped");
  });

  it("takes files as arguments too, after those given with -f", async () => {
    const r = await run(["exp.yaml", "-f", "metric.yaml"], { "metric.yaml": METRIC, "exp.yaml": EXPERIMENT });
    expect(r).toMatchObject({
      code: 0,
      out: "✓ Metric iter8-knative/request-count (metric.yaml:1)\n✓ Experiment canary-exp (exp.yaml:1)\n2 valid, 0 invalid, 0 skipped\n",
    });
  });

  it("reads standard input with -f -", async () => {
    const r = await run(["-f", "-"], {}, METRIC);
    expect(r).toMatchObject({ code: 0, out: "✓ Metric iter8-knative/request-count (standard input:1)\n1 valid, 0 invalid, 0 skipped\n" });
  });

  it("fails on a file it cannot read or that holds nothing", async () => {
    const r = await run(["-f", "missing.yaml", "-f", "empty.yaml"], { "empty.yaml": "# nothing here\n" });
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      "✗ missing.yaml\n" +
        "    (file): cannot be read: ENOENT: no such file or directory, open 'missing.yaml'\n" +
        "✗ empty.yaml\n" +
        "    (file): holds no Kubernetes object\n" +
        "0 valid, 2 invalid, 0 skipped\n",
    );
  });

  it("names a document without a name by its position", async () => {
    const r = await run(["-f", "x.yaml"], { "x.yaml": `${METRIC}---\n- not an object\n` });
    expect(r.out).toContain("✗ document #2 (x.yaml:11)\n    (document): must be a Kubernetes object with apiVersion, kind and metadata (line 11)\n");
  });

  it("prints a JSON report with -o json", async () => {
    const r = await run(["-f", "exp.yaml", "-o", "json"], { "exp.yaml": EXPERIMENT.replace("candidates: [{name: v2}]", "candidates: []") });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      valid: false,
      documents: [
        {
          file: "exp.yaml",
          index: 0,
          line: 1,
          kind: "Experiment",
          name: "canary-exp",
          status: "invalid",
          errors: [
            {
              path: "spec.versionInfo.candidates",
              message: "must list exactly 1 candidate for a Canary experiment (got 0)",
              code: "candidate_count",
              line: 15,
            },
          ],
        },
      ],
    });
  });

  it("asks for a file when none is given", async () => {
    expect(await run([], {})).toEqual({
      out: "",
      err: "Error: validate needs a file: pass -f FILE (repeatable) or FILE…, or -f - to read standard input\n",
      code: 1,
    });
  });
});

describe("iter8ctl validate on kubectl output", () => {
  it("checks each item of a List", async () => {
    const items = [METRIC, EXPERIMENT.replace("candidates: [{name: v2}]", "candidates: [{name: v1}]")]
      .map((doc) => doc.trimEnd().split("\n").map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`)).join("\n"))
      .join("\n");
    const r = await run(["-f", "-"], {}, `apiVersion: v1\nkind: List\nitems:\n${items}\n`);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      "✓ Metric iter8-knative/request-count (standard input:4)\n" +
        "✗ Experiment canary-exp (standard input:13)\n" +
        '    spec.versionInfo.candidates[0].name: "v1" is also the name of another version; version names must be unique (line 27)\n' +
        "1 valid, 1 invalid, 0 skipped\n",
    );
  });
});
