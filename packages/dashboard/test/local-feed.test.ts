// The local feed on a real folder: it reads the experiments and the run's action log, sees
// changes through fs.watch (the state folder too, created after it started), and names a
// document it cannot read while keeping the last good state.
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { experimentFolder } from "@iter8ts/local/testing";
import { afterEach, describe, expect, it } from "vitest";
import { localFeed } from "../src/local-feed";
import type { ExperimentFeed } from "../src/experiment-feed";

const folders: string[] = [];
const feeds: ExperimentFeed[] = [];
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.stop();
  for (const d of folders.splice(0)) await rm(d, { recursive: true, force: true });
});

function logLine(message: string, priority = 3): string {
  return `${JSON.stringify({ isIter8Log: true, experimentName: "cart-ab", experimentNamespace: "shop", source: "task-runner", priority, message, precedence: 0, action: "start" })}\n`;
}

/** Resolves on the next change the feed reports (or fails after 5 s). */
function nextChange(feed: ExperimentFeed): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no change reported within 5 s")), 5_000);
    const off = feed.onChange(() => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

describe("localFeed", () => {
  it("reads the folder and follows its files and the action log as they change", async () => {
    const dir = await experimentFolder();
    folders.push(dir);
    const feed = localFeed({ paths: [dir], settleMs: 10 });
    feeds.push(feed);
    await feed.start();
    expect(feed.snapshot().experiments.map((e) => e.metadata.name)).toEqual(["cart-ab"]);
    expect(feed.events("shop", "cart-ab")).toEqual([]);

    // The state folder appears after the feed started, as with a first run.
    let changed = nextChange(feed);
    await mkdir(join(dir, ".iter8ctl"));
    await writeFile(join(dir, ".iter8ctl", "action-log.jsonl"), logLine("task 1 started"));
    await changed;
    changed = nextChange(feed);
    await appendFile(join(dir, ".iter8ctl", "action-log.jsonl"), `not json\n${logLine("<b>refused</b>", 1)}`);
    await changed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(feed.events("shop", "cart-ab")).toEqual([
      { time: null, type: "Info", reason: "start action", message: "task 1 started", count: 1 },
      { time: null, type: "Error", reason: "start action", message: "<b>refused</b>", count: 1 },
    ]);

    // A status written into the experiment's file shows up.
    changed = nextChange(feed);
    const file = join(dir, "experiment.yaml");
    await writeFile(file, `${await readFile(file, "utf8")}status:\n  stage: Running\n  completedIterations: 2\n`);
    await changed;
    expect(feed.snapshot().experiments[0]?.status?.completedIterations).toBe(2);

    // A broken document is named; the last good state stays.
    changed = nextChange(feed);
    await writeFile(join(dir, "broken.yaml"), "apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nmetadata: {name: x}\nspec: [\n");
    await changed;
    const snapshot = feed.snapshot();
    expect(snapshot.problems).toHaveLength(1);
    expect(snapshot.problems[0]!.message).toContain("broken.yaml");
    expect(snapshot.experiments.map((e) => e.metadata.name)).toEqual(["cart-ab"]);
  });
});
