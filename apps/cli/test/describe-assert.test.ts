// The built iter8ctl describing and asserting experiment files, as a user or a CI job runs it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { abInput, canaryInput } from "@iter8ts/report/testing";
import { runCli } from "./run-cli";

const dir = mkdtempSync(join(tmpdir(), "iter8ctl-describe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const running = file("running.yaml", stringify(canaryInput()));
const done = file("done.yaml", stringify(abInput()));

describe("iter8ctl describe (built)", () => {
  it("prints the Iter8 layout, with the star on the best version", () => {
    const run = runCli(["describe", "-f", done]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("\n****** Winner Assessment ******\nApp versions in this experiment: [model-a model-b]\nWinning version: model-b\n");
    expect(run.stdout).toContain("| ml/latency-p95 (lower better) | 120.000 * |  180.000 |\n");
    expect(run.stdout.endsWith("+\n\n")).toBe(true);
  });

  it("reads kubectl output from standard input", () => {
    const run = runCli(["describe", "-f", "-"], { input: stringify(canaryInput()) });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("| iter8-system/mean-latency      |     212.346 |     198.100 |\n");
  });

  it("prints the summary as JSON", () => {
    const run = runCli(["describe", "-f", running, "-o", "json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({ stage: "Running", completedIterations: 4, winner: { found: true, version: "checkout-v2" } });
  });

  it("exits 1 on an invalid experiment, naming the field and its line", () => {
    const bad = file("bad.yaml", stringify(canaryInput()).replace("testingPattern: Canary", "testingPattern: Canery"));
    const run = runCli(["describe", "-f", bad]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/spec\.strategy\.testingPattern: .*\(line \d+\)/);
  });
});

describe("iter8ctl assert (built)", () => {
  it("exits 0 with All conditions satisfied. when the conditions hold", () => {
    expect(runCli(["assert", "-f", done, "-c", "completed,winnerFound", "-c", "candidateWon,noFailure"])).toEqual({
      status: 0,
      stdout: "All conditions satisfied.\n",
      stderr: "",
    });
  });

  it("exits 1 with the failing condition on stdout and the reason on stderr", () => {
    const run = runCli(["assert", "-f", running, "-c", "winnerFound", "-c", "completed"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("experiment has not completed\n");
    expect(run.stderr).toContain('condition "completed" failed: the Completed condition is False');
  });

  it("waits with --timeout until the experiment file shows completion", () => {
    const path = file("later.yaml", stringify(canaryInput()));
    const finished = file("finished.yaml", stringify(abInput()));
    // A separate process replaces the file shortly after assert starts waiting.
    const writer = spawn(process.execPath, [
      "-e",
      `setTimeout(() => require("node:fs").renameSync(${JSON.stringify(finished)}, ${JSON.stringify(path)}), 300)`,
    ]);
    const run = runCli(["assert", "-f", path, "-c", "completed,candidateWon", "--timeout", "10s"]);
    writer.kill();
    expect(run).toEqual({ status: 0, stdout: "All conditions satisfied.\n", stderr: "" });
  });
});
