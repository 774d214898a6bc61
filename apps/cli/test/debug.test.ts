// The built `iter8ctl debug -f` on a folder that `iter8ctl run` ran: the Iter8Log lines local
// mode appended to .iter8ctl/action-log.jsonl.
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { experimentFolder } from "@iter8ts/local/testing";
import { runCli } from "./run-cli";

let dir: string;

beforeAll(async () => {
  dir = await experimentFolder({
    iterations: 1,
    actions: `      start:
      - run: printf 'hello \\033[2J from start\\n'
      finish:
      - run: echo "cannot promote" >&2; exit 4
`,
  });
  const run = runCli(["run", dir, "--plain", "--allow-exec"], { timeoutMs: 30_000 });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(1);
  expect(run.stderr).toContain(`The actions' logs: iter8ctl debug -p 3 -f ${dir}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("iter8ctl debug -f (built)", () => {
  it("keeps the actions' Iter8Log lines in the state folder", async () => {
    const lines = (await readFile(join(dir, ".iter8ctl", "action-log.jsonl"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.isIter8Log === true && l.experimentName === "cart-ab" && l.experimentNamespace === "shop" && l.source === "task-runner")).toBe(true);
  });

  it("prints the errors by default", () => {
    const run = runCli(["debug", "-f", dir]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      "Debugging experiment cart-ab in namespace shop\n" +
        "source: task-runner priority: 1 message: action \"finish\", task 1 (run): the run script exited with status 4; output ended with:\\ncannot promote\n",
    );
  });

  it("prints everything with -p 3, by precedence, control characters escaped", () => {
    const run = runCli(["debug", "cart-ab", "-f", dir, "-p", "3"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      "Debugging experiment cart-ab in namespace shop\n" +
        "source: task-runner priority: 3 message: action start started with 1 task\n" +
        "source: task-runner priority: 3 message: task 1 (run) started\n" +
        "source: task-runner priority: 3 message: task 1 (run) stdout: hello \\u001b[2J from start\n" +
        "source: task-runner priority: 3 message: task 1 (run) succeeded\n" +
        "source: task-runner priority: 3 message: action start succeeded\n" +
        "source: task-runner priority: 3 message: action finish started with 1 task\n" +
        "source: task-runner priority: 3 message: task 1 (run) started\n" +
        "source: task-runner priority: 3 message: task 1 (run) stderr: cannot promote\n" +
        "source: task-runner priority: 1 message: action \"finish\", task 1 (run): the run script exited with status 4; output ended with:\\ncannot promote\n",
    );
  });

  it("says when the folder has no action log yet, and refuses an unknown experiment", async () => {
    const fresh = await experimentFolder({ iterations: 1 });
    const none = runCli(["debug", "-f", fresh]);
    expect(none.status).toBe(0);
    expect(none.stdout).toBe("Debugging experiment cart-ab in namespace shop\n");
    expect(none.stderr).toBe(`Note: ${join(fresh, ".iter8ctl", "action-log.jsonl")} does not exist yet: iter8ctl run has run no action of these documents (or was given another --state-dir)\n`);
    expect(existsSync(join(fresh, ".iter8ctl"))).toBe(false);
    const unknown = runCli(["debug", "basket", "-f", fresh]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(`Error: Experiment basket not found in ${join(fresh, "experiment.yaml")}, ${join(fresh, "metrics.yaml")}, ${join(fresh, "routing.yaml")}; it holds shop/cart-ab\n`);
    await rm(fresh, { recursive: true, force: true });
  });

  it("forgets the old run's lines when iter8ctl run --restart starts the experiment over", async () => {
    const again = await experimentFolder({ iterations: 1, actions: "      start:\n      - run: echo first\n" });
    const starts = () => (runCli(["debug", "-f", again, "-p", "3"]).stdout.match(/action start started/g) ?? []).length;
    expect(runCli(["run", again, "--plain", "--allow-exec"], { timeoutMs: 30_000 }).status).toBe(0);
    expect(starts()).toBe(1);
    expect(runCli(["run", again, "--plain", "--allow-exec", "--restart"], { timeoutMs: 30_000 }).status).toBe(0);
    expect(starts()).toBe(1);
    await rm(again, { recursive: true, force: true });
  });
});
