import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ActionRequest } from "@iter8ts/engine";
import { createTaskRunner } from "@iter8ts/tasks";
import { ExperimentSchema } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { experimentYaml, folderWith } from "./__fixtures__/local-files";
import { diskDocumentFiles, MemoryDocumentFiles } from "./document-files";
import { LocalActionRunner } from "./local-action-runner";

const experiment = ExperimentSchema.parse(parse(experimentYaml()));

function request(runId: string, script: string): ActionRequest {
  return {
    runId,
    handlerName: "shop-cart-ab-finish",
    experiment: { namespace: "shop", name: "cart-ab" },
    action: "finish",
    handler: "Finish",
    tasks: [{ run: script }],
  };
}

/** A runner over `dir`'s state file; `finished` resolves when the next action ends and is saved. */
async function open(dir: string) {
  let settle: () => void = () => undefined;
  const runner = await LocalActionRunner.open({
    files: diskDocumentFiles,
    statePath: join(dir, "actions.json"),
    taskRunner: () => createTaskRunner({ allowExec: true }),
    onFinished: () => settle(),
  });
  const finished = () => new Promise<void>((resolve) => (settle = resolve));
  return { runner, finished };
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, "utf8").catch(() => "")).split("\n").filter(Boolean);
}

describe("LocalActionRunner", () => {
  it("runs an action once however often it is started, and saves how it ended", async () => {
    const dir = await folderWith({});
    const log = join(dir, "ran.log");
    const { runner, finished } = await open(dir);
    const run = request("r1-finish", `echo ran >> ${log}`);
    expect(await runner.state(run)).toEqual({ state: "Unknown" });
    const done = finished();
    await runner.start(run, experiment);
    await runner.start(run, experiment);
    await done;
    expect(await runner.state(run)).toEqual({ state: "Succeeded" });
    expect(await lines(log)).toEqual(["ran"]);
    const state = JSON.parse(await readFile(join(dir, "actions.json"), "utf8")) as { runs: Record<string, { state: string; starts: number }> };
    expect(state.runs["r1-finish"]).toMatchObject({ state: "Succeeded", starts: 1, experiment: "shop/cart-ab", action: "finish" });
  });

  it("never runs a finished action again after a restart, and reports its outcome from the state file", async () => {
    const dir = await folderWith({});
    const log = join(dir, "ran.log");
    const first = await open(dir);
    const ok = request("r1-finish", `echo ok >> ${log}`);
    const bad = request("r1-loop", `echo bad >> ${log}; echo "no promotion" >&2; exit 3`);
    const done = first.finished();
    await first.runner.start(ok, experiment);
    await done;
    const failed = first.finished();
    await first.runner.start(bad, experiment);
    await failed;

    const restarted = await open(dir);
    expect(await restarted.runner.state(ok)).toEqual({ state: "Succeeded" });
    expect(await restarted.runner.state(bad)).toMatchObject({ state: "Failed", message: expect.stringContaining("exit") });
    await restarted.runner.start(ok, experiment);
    await restarted.runner.start(bad, experiment);
    expect(await lines(log)).toEqual(["ok", "bad"]);
  });

  it("reports an action interrupted by a shutdown as Unknown to the next process, which runs it again", async () => {
    const dir = await folderWith({});
    const log = join(dir, "ran.log");
    const first = await open(dir);
    const slow = request("r1-start", `echo begin >> ${log}; sleep 30; echo end >> ${log}`);
    await first.runner.start(slow, experiment);
    while ((await lines(log)).length === 0) await new Promise((r) => setTimeout(r, 20));
    await first.runner.stopAll();
    const saved = JSON.parse(await readFile(join(dir, "actions.json"), "utf8")) as { runs: Record<string, { state: string }> };
    expect(saved.runs["r1-start"]?.state).toBe("Running");

    const second = await open(dir);
    const quick = { ...slow, tasks: [{ run: `echo again >> ${log}` }] };
    expect(await second.runner.state(quick)).toEqual({ state: "Unknown" });
    const done = second.finished();
    await second.runner.start(quick, experiment);
    await done;
    expect(await second.runner.state(quick)).toEqual({ state: "Succeeded" });
    expect(second.runner.records["r1-start"]).toMatchObject({ state: "Succeeded", starts: 2 });
    expect(await lines(log)).toEqual(["begin", "again"]);
  });

  it("forgets the runs of an experiment that starts over", async () => {
    const dir = await folderWith({});
    const { runner, finished } = await open(dir);
    const done = finished();
    await runner.start(request("r1-finish", "true"), experiment);
    await done;
    await runner.forget(["shop/cart-ab"]);
    expect(runner.records).toEqual({});
    expect((await open(dir)).runner.records).toEqual({});
  });

  it("on a simulated clock, answers for a running action once it has ended (settleWithinMs), so the clock cannot outrun it", async () => {
    const finished: string[] = [];
    const runner = await LocalActionRunner.open({
      files: new MemoryDocumentFiles(),
      statePath: "actions.json",
      taskRunner: () => createTaskRunner({ allowExec: true }),
      onFinished: (r, result) => finished.push(`${r.runId} ${result.ok ? "ok" : "failed"}`),
      settleWithinMs: 10_000,
    });
    const run = request("r1-finish", "sleep 0.3");
    await runner.start(run, experiment);
    expect(await runner.state(run)).toEqual({ state: "Succeeded" });
    expect(finished).toEqual(["r1-finish ok"]);
  });

  it("refuses a state file it cannot understand, saying how to reset it", async () => {
    const dir = await folderWith({});
    await writeFile(join(dir, "actions.json"), "[1, 2]");
    await expect(open(dir)).rejects.toThrow(/actions\.json is not a state file of iter8ctl run .*; delete it to forget every action run/);
  });
});
