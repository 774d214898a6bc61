import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { ExperimentInput } from "@iter8ts/types";
import { abInput } from "@iter8ts/report/testing";
import { HOSTILE, HOSTILE_SHOWN, RAW_CONTROL, withHostileText } from "../__fixtures__/hostile-text";
import { memoryIo, type Printed } from "../__fixtures__/memory-io";
import { describeCommand } from "./describe";

/** Runs `describe` in process against in-memory files; returns what it printed and its exit code. */
async function run(args: string[], files: Record<string, string>, stdin = ""): Promise<Printed> {
  const { io, printed } = memoryIo(files, stdin);
  // No cluster in the environment: these tests read files.
  await describeCommand(io, {}).exitOverride().configureOutput({ writeErr: (t) => void (printed.err += t) }).parseAsync(args, { from: "user" });
  return printed;
}

const yamlOf = (input: ExperimentInput) => stringify(input);

describe("iter8ctl describe", () => {
  it("prints the description followed by a blank line", async () => {
    const r = await run(["-f", "ab.yaml"], { "ab.yaml": yamlOf(abInput()) });
    expect(r.code).toBe(0);
    expect(r.out.startsWith("\n****** Overview ******\nExperiment name: recommender-ab\n")).toBe(true);
    expect(r.out.endsWith("+-------------------------------+---------+---------+\n\n")).toBe(true);
    expect(r.err).toBe("");
  });

  it("reads the experiment from standard input with -f -", async () => {
    const r = await run(["-f", "-"], {}, JSON.stringify(abInput()));
    expect(r.out).toContain("Winning version: model-b");
  });

  it("prints the summary as JSON or YAML with -o", async () => {
    const json = JSON.parse((await run(["-f", "ab.yaml", "-o", "json"], { "ab.yaml": yamlOf(abInput()) })).out);
    expect(json.winner).toEqual({ found: true, version: "model-b" });
    expect(json.rewards[1]).toMatchObject({ metric: "ml/latency-p95", best: ["model-a"] });
    const yaml = parse((await run(["-f", "ab.yaml", "-o", "yaml"], { "ab.yaml": yamlOf(abInput()) })).out);
    expect(yaml).toEqual(json);
  });

  it("rejects an unknown output format", async () => {
    await expect(run(["-f", "ab.yaml", "-o", "table"], { "ab.yaml": yamlOf(abInput()) })).rejects.toThrow(/Allowed choices are text, json, yaml/);
  });

  it("exits 1 with every invalid field path", async () => {
    const input = abInput();
    input.spec.criteria!.objectives![0]!.upperLimit = "five percent";
    const r = await run(["-f", "bad.yaml"], { "bad.yaml": yamlOf(input) });
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^Error: bad\.yaml is not a valid iter8\.tools\/v2alpha2 Experiment:\n {2}spec\.criteria\.objectives\[0\]\.upperLimit: .*quantity.* \(line \d+\)\n$/);
  });

  it("describes despite unknown fields, warning about them on stderr", async () => {
    const input = { ...abInput(), spec: { ...abInput().spec, metrics: [] } };
    const r = await run(["-f", "old.yaml"], { "old.yaml": stringify(input) });
    expect(r.code).toBe(0);
    expect(r.out).toContain("****** Overview ******");
    expect(r.err).toMatch(/^Warning: old\.yaml has fields that were ignored:\n {2}spec\.metrics: .*not a known field.*\n$/);
  });

  it("exits 1 naming a file it cannot read, or when neither a file nor a cluster is given", async () => {
    const missing = await run(["-f", "nope.yaml"], {});
    expect(missing).toMatchObject({ code: 1, out: "" });
    expect(missing.err).toMatch(/^Error: cannot read nope\.yaml: ENOENT/);
    const none = await run([], {});
    expect(none).toMatchObject({ code: 1, out: "" });
    expect(none.err).toMatch(/^Error: no cluster is configured: KUBECONFIG is not set, .*pass --kubeconfig FILE, or -f FILE/);
  });

  it("shows control characters in version names, metric names and messages escaped, in every format", async () => {
    const hostile = yamlOf(withHostileText(abInput(), ["model-b", "ml/revenue"]));
    const text = await run(["-f", "h.yaml"], { "h.yaml": hostile });
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(RAW_CONTROL);
    expect(text.out).toContain(`Winning version: model-b${HOSTILE_SHOWN}\n`);
    expect(text.out).toContain(`| ml/revenue${HOSTILE_SHOWN}`);
    for (const format of ["json", "yaml"]) {
      const data = await run(["-f", "h.yaml", "-o", format], { "h.yaml": hostile });
      expect(data.out, format).not.toMatch(RAW_CONTROL);
      // The data itself is unchanged: a script reading it gets the names as they are.
      expect((format === "json" ? JSON.parse(data.out) : parse(data.out)).winner.version).toBe(`model-b${HOSTILE}`);
    }
  });

  it("shows a control character in a field name of an invalid document escaped", async () => {
    const input = { ...abInput(), spec: { ...abInput().spec, "\x1b[2Jmetrics\u009b": [] } };
    const r = await run(["-f", "h.yaml"], { "h.yaml": stringify(input) });
    expect(r.err).toContain("spec.\\u001b[2Jmetrics\\u009b");
    expect(r.err).not.toMatch(RAW_CONTROL);
  });
});
