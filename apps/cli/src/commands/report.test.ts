import type { Experiment } from "@iter8ts/types";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { memoryIo, type Printed } from "../__fixtures__/memory-io";
import { simulatedAbnExperiment } from "@iter8ts/report/testing";
import { reportCommand, type ReportDeps } from "./report";

/** Runs `report` in process against in-memory files; returns what it printed and its exit code. */
async function run(args: string[], files: Record<string, string>, stdin = "", deps: ReportDeps = {}): Promise<Printed> {
  const { io, printed } = memoryIo(files, stdin);
  await reportCommand(io, deps).exitOverride().configureOutput({ writeErr: (t) => void (printed.err += t) }).parseAsync(args, { from: "user" });
  return printed;
}

let yaml: string;
beforeAll(async () => {
  const experiment: Experiment = await simulatedAbnExperiment();
  yaml = stringify(experiment);
});

describe("iter8ctl report", () => {
  it("prints the HTML page by default, keeping the engine's decisions from a YAML file", async () => {
    const r = await run(["-f", "exp.yaml"], { "exp.yaml": yaml });
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(r.out).toContain('data-winner="checkout-v3"');
    expect(r.out).toContain("Drawn by iter8ctl report from status.decisions (12 iterations).");
  });

  it("prints the data the page is drawn from with -o json, reading standard input with -f -", async () => {
    const r = await run(["-f", "-", "-o", "json"], {}, yaml);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out);
    expect(data.source).toBe("decisions");
    expect(data.iterations).toHaveLength(12);
    expect(data.winner.assessment).toEqual({ found: true, version: "checkout-v3" });
  });

  it("writes to --out and says where on stderr", async () => {
    const written: Record<string, string> = {};
    const r = await run(["-f", "exp.yaml", "--out", "report.html"], { "exp.yaml": yaml }, "", {
      writeFile: async (path, text) => void (written[path] = text),
    });
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(r.err).toBe("Wrote the HTML report of shop/checkout-abn to report.html\n");
    expect(written["report.html"]).toContain("<h1>checkout-abn</h1>");
  });

  it("exits 1 naming the file when --out cannot be written", async () => {
    const r = await run(["-f", "exp.yaml", "--out", "/no/such/dir/r.html"], { "exp.yaml": yaml }, "", {
      writeFile: async () => {
        throw new Error("ENOENT: no such file or directory, open '/no/such/dir/r.html'");
      },
    });
    expect(r.code).toBe(1);
    expect(r.err).toBe("Error: cannot write the report to /no/such/dir/r.html given to --out: ENOENT: no such file or directory, open '/no/such/dir/r.html'\n");
  });

  it("stamps the render time only with --timestamp", async () => {
    const now = () => new Date("2024-06-01T12:00:00Z");
    const plain = await run(["-f", "exp.yaml"], { "exp.yaml": yaml }, "", { now });
    const stamped = await run(["-f", "exp.yaml", "--timestamp"], { "exp.yaml": yaml }, "", { now });
    expect(plain.out).not.toContain("Rendered at");
    expect(stamped.out).toContain("Rendered at 2024-06-01T12:00:00.000Z.");
  });

  it("exits 1 without -f, for a file it cannot read, and for an invalid experiment", async () => {
    expect(await run([], {})).toMatchObject({ code: 1, err: "Error: report needs an experiment: pass -f FILE, or -f - to read standard input\n" });
    const missing = await run(["-f", "nope.yaml"], {});
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^Error: cannot read nope\.yaml: ENOENT.*; check the path given to -f\n$/);
    const invalid = await run(["-f", "bad.yaml"], { "bad.yaml": yaml.replace("testingPattern: A/B/N", "testingPattern: AB") });
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/spec\.strategy\.testingPattern: must be one of/);
  });

  it("rejects an unknown output format", async () => {
    await expect(run(["-f", "exp.yaml", "-o", "pdf"], { "exp.yaml": yaml })).rejects.toThrow(/Allowed choices are html, json/);
  });
});
