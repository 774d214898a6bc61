import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { conditionOf, parseDocuments, type Experiment } from "@iter8ts/types";
import { experimentFolder, experimentYaml, folderWith, METRICS_YAML, ROUTING_SHAPES, type RoutingShape } from "./__fixtures__/local-files";
import { LocalRunErrorCode } from "./local-run-error";
import { LocalRunOutcome, runLocal, type LocalRunOptions, type LocalRunProgress } from "./run-local";

const repoRoot = join(import.meta.dirname, "..", "..", "..");
const retry = { retry: { maxAttempts: 2, initialDelayMs: 10 } };

/** Records the run's log lines and events as text, one per line; `onLine` sees each line as it comes. */
function output(onLine: (line: string) => void = () => undefined) {
  let text = "";
  let shown: readonly Experiment[] = [];
  const line = (l: string) => {
    text += `${l}\n`;
    onLine(l);
  };
  const progress: LocalRunProgress = {
    log: line,
    event: (e) => line(`${e.experiment.namespace}/${e.experiment.name} ${e.reason}${e.message ? `: ${e.message}` : ""}`),
    update: (experiments) => void (shown = experiments),
    finish: () => undefined,
  };
  return { text: () => text, shown: () => shown, progress };
}

function run(paths: string[], extra: Partial<LocalRunOptions> = {}) {
  const out = output();
  // The commands of actions run: the consent they need is tested in commands/run.test.ts.
  const result = runLocal({ paths, progress: out.progress, engine: retry, confirmExec: () => true, ...extra });
  return { result, out };
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(n, "utf8")] as const)));
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, "utf8").catch(() => "")).split("\n").filter(Boolean);
}

function routingWeights(text: string): number[] {
  return (parse(text) as { spec: { http: { route: { weight: number }[] }[] } }).spec.http[0]!.route.map((r) => r.weight);
}

const quickstarts = (await readdir(join(repoRoot, "samples"), { recursive: true }))
  .filter((p) => p.endsWith("experiment.yaml"))
  .map((p) => join("samples", p, ".."))
  .sort();

describe("runLocal --dry-run", () => {
  it("finds the quickstart samples", () => {
    expect(quickstarts).toEqual(expect.arrayContaining(["samples/istio", "samples/knative", "samples/kfserving", "samples/seldon", "samples/seldon-single"]));
  });

  it.each(quickstarts)("runs %s to completion with mock metrics and simulated time, changing no file", async (sample) => {
    const dir = join(repoRoot, sample);
    const before = await snapshot(dir);
    const { result, out } = run([dir], { dryRun: true });
    const ended = await result;
    expect(ended.outcome, out.text()).toBe(LocalRunOutcome.Completed);
    const experiment = ended.experiments[0]!;
    expect(experiment.status?.stage).toBe("Completed");
    expect(experiment.status?.completedIterations).toBeGreaterThan(0);
    expect(out.text()).toMatch(/dry run: would run the finish action \(Finish handler\)/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("makes up the routing objects that the documents lack, with all traffic on the baseline at first", async () => {
    for (const shape of Object.keys(ROUTING_SHAPES) as RoutingShape[]) {
      const dir = await folderWith({ "experiment.yaml": experimentYaml({ shape, iterations: 2, actions: "      finish:\n      - task: common/exec\n        with:\n          cmd: promote\n          args: [\"{{ .label }}\"]\n" }), "metrics.yaml": METRICS_YAML });
      const { result, out } = run([dir], { dryRun: true });
      const ended = await result;
      const kind = ROUTING_SHAPES[shape].kind;
      expect(out.text()).toContain(`dry run: ${kind} shop/cart (weights of shop/cart-ab) is not among the documents; using a stand-in with all traffic on the baseline`);
      // From 100/0, the winning candidate gains the default 10 points per iteration.
      expect(ended.experiments[0]?.status?.currentWeightDistribution).toEqual([
        { name: "cart-v1", value: 80 },
        { name: "cart-v2", value: 20 },
      ]);
      // The finish action's command is shown with the recommended version's variables filled in.
      expect(out.text()).toContain("  1. common/exec: promote candidate\n");
    }
  });
});

describe("runLocal", () => {
  const actions = `      start:
      - run: echo start >> "$LOG"
      finish:
      - task: common/exec
        with:
          cmd: /bin/sh
          args: ["-c", "echo finish {{ .name }} {{ .label }} >> \\"$LOG\\""]
`;

  it("runs an experiment for real: status in its file, weights in the routing file, each action once", async () => {
    const dir = await experimentFolder({ iterations: 2, actions });
    const log = join(dir, "actions.log");
    const { result, out } = run([dir], { taskEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", LOG: log } });
    const ended = await result;
    expect(ended.outcome, out.text()).toBe(LocalRunOutcome.Completed);
    expect(await lines(log)).toEqual(["start", "finish cart-v2 candidate"]);
    const saved = parse(await readFile(join(dir, "experiment.yaml"), "utf8")) as { status: { stage: string; completedIterations: number; versionRecommendedForPromotion: string } };
    expect(saved.status).toMatchObject({ stage: "Completed", completedIterations: 2, versionRecommendedForPromotion: "cart-v2" });
    // Two iterations of a winning candidate: +10 points each (the default increment).
    expect(routingWeights(await readFile(join(dir, "routing.yaml"), "utf8"))).toEqual([80, 20]);
    // The progress saw the last step (the CLI's view of it is tested in apps/cli).
    expect(out.shown()[0]?.status).toMatchObject({ completedIterations: 2, currentWeightDistribution: [{ name: "cart-v1", value: 80 }, { name: "cart-v2", value: 20 }] });
    expect(ended.stateDir).toBe(join(dir, ".iter8ctl"));
    expect(existsSync(join(dir, ".iter8ctl", "lock"))).toBe(false);
  });

  it("keeps an experiment and a routing file written as JSON valid JSON, in their own indentation, through a whole run", async () => {
    const experiment = parse(experimentYaml({ iterations: 2 })) as Record<string, unknown>;
    const dir = await folderWith({
      "experiment.json": `${JSON.stringify(experiment, null, 2)}\n`,
      "metrics.yaml": METRICS_YAML,
      "routing.json": `${JSON.stringify(parse(ROUTING_SHAPES.VirtualService.text), null, 4)}\n`,
    });
    const { result, out } = run([dir]);
    expect((await result).outcome, out.text()).toBe(LocalRunOutcome.Completed);

    const saved = await readFile(join(dir, "experiment.json"), "utf8");
    const { status, ...rest } = JSON.parse(saved) as Record<string, unknown>;
    expect(rest).toEqual(experiment);
    expect(saved).toBe(`${JSON.stringify({ ...rest, status }, null, 2)}\n`);
    const [document] = parseDocuments(saved);
    expect(document).toMatchObject({ type: "experiment", result: { ok: true, value: { status: { stage: "Completed", completedIterations: 2 } } } });

    const routing = await readFile(join(dir, "routing.json"), "utf8");
    expect(routing).toBe(`${JSON.stringify(JSON.parse(routing), null, 4)}\n`);
    expect(routingWeights(routing)).toEqual([80, 20]);
  });

  it("queries metric backends with the credentials of Secret documents given among the paths", async () => {
    const { createServer } = await import("node:http");
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? "(none)");
      if (req.headers.authorization !== "Bearer s3cret") {
        res.writeHead(401).end();
        return;
      }
      const version = new URL(req.url ?? "/", "http://x").searchParams.get("version");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: version === "cart-v2" ? 9 : 3 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const metric = (name: string) => `apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: ${name}
  namespace: shop
spec:
  authType: Bearer
  secret: backend
  params:
  - name: version
    value: $name
  jqExpression: .value
  urlTemplate: http://127.0.0.1:${port}/query
`;
      const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: backend\n  namespace: shop\nstringData:\n  token: s3cret\n";
      const dir = await experimentFolder({ iterations: 1 }, { "metrics.yaml": `${metric("conversion")}---\n${metric("latency")}`, "secret.yaml": secret });
      const { result, out } = run([dir]);
      const ended = await result;
      expect(ended.outcome, out.text()).toBe(LocalRunOutcome.Completed);
      expect(new Set(seen)).toEqual(new Set(["Bearer s3cret"]));
      expect(ended.experiments[0]?.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "cart-v2" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("stops between steps when interrupted, and the same call resumes without running an action twice", async () => {
    const dir = await experimentFolder({ iterations: 2, actions });
    const log = join(dir, "actions.log");
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LOG: log };
    const stop = new AbortController();
    const first = output((line) => {
      if (line.includes("Completed Iteration 1")) stop.abort(new Error("interrupted"));
    });
    const interrupted = await runLocal({
      paths: [dir],
      engine: retry,
      taskEnv: env,
      confirmExec: () => true,
      signal: stop.signal,
      progress: first.progress,
    });
    expect(interrupted.outcome).toBe(LocalRunOutcome.Interrupted);
    expect(interrupted.experiments[0]?.status?.completedIterations).toBe(1);
    expect(await lines(log)).toEqual(["start"]);

    const { result, out } = run([dir], { taskEnv: env });
    const resumed = await result;
    expect(resumed.outcome, out.text()).toBe(LocalRunOutcome.Completed);
    expect(out.text()).toContain("shop/cart-ab resumes at stage Running, after 1 completed iteration(s)");
    expect(out.text()).not.toContain("Completed Iteration 1\n");
    expect(await lines(log)).toEqual(["start", "finish cart-v2 candidate"]);
  });

  it("reports a completed experiment as it is on a second run, and starts over with restart", async () => {
    const dir = await experimentFolder({ iterations: 1 });
    expect((await run([dir]).result).outcome).toBe(LocalRunOutcome.Completed);
    const again = run([dir]);
    expect((await again.result).experiments[0]?.status?.stage).toBe("Completed");
    expect(again.out.text()).toContain("shop/cart-ab has already completed; showing its result (run with --restart to run it again)");
    const restarted = run([dir], { restart: true });
    expect((await restarted.result).outcome).toBe(LocalRunOutcome.Completed);
    expect(restarted.out.text()).toContain("ExperimentInitialized");
  });

  it("ends as failed when an action fails, with the reason in the status", async () => {
    const failing = `      finish:\n      - run: echo "cannot promote" >&2; exit 4\n`;
    const dir = await experimentFolder({ iterations: 1, actions: failing });
    const { result, out } = run([dir]);
    const ended = await result;
    expect(ended.outcome).toBe(LocalRunOutcome.Failed);
    const failed = conditionOf(ended.experiments[0]?.status, "Failed");
    expect(failed).toMatchObject({ status: "True", reason: "HandlerFailed", message: "Finish actions failed" });
    expect(out.text()).toContain("finish: task 1 (run) stderr: cannot promote");
  });

  it("refuses to start when a weightObjRef names an object the files do not hold, saying what to add", async () => {
    const dir = await folderWith({ "experiment.yaml": experimentYaml({ iterations: 1 }), "metrics.yaml": METRICS_YAML });
    await expect(run([dir]).result).rejects.toMatchObject({
      code: LocalRunErrorCode.MissingObject,
      message:
        "VirtualService shop/cart, where shop/cart-ab keeps its version weights, is not among the documents; add the file that defines it (the routing document) to the paths, or try the experiment with --dry-run",
    });
  });

  it("fails the experiment, naming the object, when its routing document disappears during the run", async () => {
    const dir = await experimentFolder({ iterations: 2 });
    const out = output((line) => {
      // The routing object is renamed by someone else right after the first iteration.
      if (line.includes("Completed Iteration 1")) void writeFile(join(dir, "routing.yaml"), ROUTING_SHAPES.VirtualService.text.replace("name: cart", "name: basket"));
    });
    const ended = await runLocal({ paths: [dir], engine: retry, progress: out.progress });
    expect(ended.outcome, out.text()).toBe(LocalRunOutcome.Failed);
    const failed = conditionOf(ended.experiments[0]?.status, "Failed");
    expect(failed).toMatchObject({ reason: "WeightRedistributionFailed", message: expect.stringMatching(/^Failure redistributing weights: .*VirtualService shop\/cart/) });
  });

  it("refuses to start on invalid documents, an unknown task, or no experiment, listing every problem", async () => {
    const invalid = await folderWith({ "a.yaml": "apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nmetadata:\n  name: x\nspec:\n  strategy: {}\n" });
    await expect(run([invalid]).result).rejects.toMatchObject({ code: LocalRunErrorCode.InvalidDocument, problems: expect.arrayContaining([expect.stringMatching(/a\.yaml:\d+: Experiment x: spec\.target: /)]) });

    const unknownTask = await experimentFolder({ actions: "      finish:\n      - task: common/teleport\n" });
    await expect(run([unknownTask]).result).rejects.toMatchObject({
      code: LocalRunErrorCode.InvalidTasks,
      problems: [expect.stringMatching(/^Experiment shop\/cart-ab: spec\.strategy\.actions\.finish\[0\]\.task: unknown task "common\/teleport"/)],
    });

    const empty = await folderWith({ "metrics.yaml": METRICS_YAML });
    await expect(run([empty]).result).rejects.toMatchObject({ code: LocalRunErrorCode.NoExperiment });
    await expect(run([join(empty, "nothing-here")]).result).rejects.toMatchObject({ code: LocalRunErrorCode.ReadFailed });
  });

  it("refuses to run while another live process holds the folder's lock, and takes over a dead one's", async () => {
    const dir = await experimentFolder({ iterations: 1 });
    await writeFile(join(dir, "metrics.yaml"), METRICS_YAML);
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(dir, ".iter8ctl"));
    await writeFile(join(dir, ".iter8ctl", "lock"), `${process.ppid}\n`);
    await expect(run([dir]).result).rejects.toMatchObject({ code: LocalRunErrorCode.Locked, message: expect.stringContaining(`process ${process.ppid}`) });
    // No process has this id (above the kernel's pid limit).
    await writeFile(join(dir, ".iter8ctl", "lock"), "4194305\n");
    expect((await run([dir]).result).outcome).toBe(LocalRunOutcome.Completed);
  });
});
