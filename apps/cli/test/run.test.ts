// The built `iter8ctl run` as a user runs it: a short experiment for real against a metrics
// backend on 127.0.0.1, killed with SIGKILL half-way and started again with the same command;
// Ctrl-C; a failing action; a dry run of a cluster quickstart.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { experimentYaml, ROUTING_SHAPES } from "@iter8ts/local/testing";
import { cliPath, repoRoot, runCli } from "./run-cli";

/** A Prometheus-shaped backend: `conversion` is 2 for cart-v1 and 6 for cart-v2, `latency` 20. */
let backend: Server;
let backendUrl: string;
const queries: string[] = [];
const canaryQueries = new Map<string, number>();
const work: string[] = [];

beforeAll(async () => {
  backend = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const metric = url.searchParams.get("metric") ?? "";
    const version = url.searchParams.get("version") ?? "";
    queries.push(`${metric}/${version}`);
    let value = metric === "latency" ? 20 : version === "cart-v2" ? 6 : 2;
    if (metric === "canary-latency") {
      // The canary meets a 50 ms objective in its first two iterations and breaks it in the third.
      const asked = (canaryQueries.get(version) ?? 0) + 1;
      canaryQueries.set(version, asked);
      value = version === "cart-v2" ? (asked >= 3 ? 80 : 30) : 45;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] } }));
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => backend.close(resolve));
  await Promise.all(work.map((dir) => rm(dir, { recursive: true, force: true })));
});

function metricsYaml(): string {
  const metric = (name: string, units: string) => `apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: ${name}
  namespace: shop
spec:
  units: ${units}
  params:
  - name: metric
    value: ${name}
  - name: version
    value: $name
  jqExpression: .data.result[0].value[1] | tonumber
  urlTemplate: ${backendUrl}/api/v1/query
`;
  return `${metric("conversion", "percent")}---\n${metric("latency", "milliseconds")}`;
}

/** start, a loop action after each loop, and finish: each appends one line to actions.log. */
const ACTIONS = `      start:
      - run: echo start >> "$ACTIONS_LOG"
      loop:
      - run: echo "loop @< .Status.CompletedIterations >@" >> "$ACTIONS_LOG"
      finish:
      - task: common/exec
        with:
          cmd: /bin/sh
          args: ["-c", "echo finish {{ .name }} >> \\"$ACTIONS_LOG\\""]
`;

async function workdir(options: Parameters<typeof experimentYaml>[0]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "iter8ctl-run-e2e-"));
  work.push(dir);
  await writeFile(join(dir, "experiment.yaml"), experimentYaml(options));
  await writeFile(join(dir, "metrics.yaml"), metricsYaml());
  await writeFile(join(dir, "routing.yaml"), ROUTING_SHAPES.VirtualService.text);
  return dir;
}

interface Child {
  process: ChildProcess;
  output: () => string;
  /** Resolves once the output matches `pattern`; rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: Record<string, string> = {}): Child {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist: build it first with \`pnpm turbo run build --filter=@iter8ts/cli...\``);
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const l of [...listeners]) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  // No child outlives its test.
  const guard = setTimeout(() => child.kill("SIGKILL"), 25_000);
  void exit.then(() => clearTimeout(guard));
  return {
    process: child,
    output: () => text,
    exit,
    waitFor: (pattern, ms = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${ms} ms in:\n${text}`));
        }, ms);
        listeners.add(check);
        void exit.then(() => setTimeout(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`exited before ${pattern} appeared:\n${text}`));
          }
        }, 0));
        check();
      }),
  };
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, "utf8").catch(() => "")).split("\n").filter(Boolean);
}

describe("iter8ctl run (built)", () => {
  it("survives SIGKILL half-way: the same command resumes from the files and no action runs twice", async () => {
    const dir = await workdir({ iterations: 2, actions: ACTIONS });
    // Two loops of two iterations: the loop action runs after iterations 2 and 4.
    await writeFile(join(dir, "experiment.yaml"), experimentYaml({ iterations: 2, actions: ACTIONS }).replace("iterationsPerLoop: 2", "iterationsPerLoop: 2\n    maxLoops: 2"));
    const env = { ACTIONS_LOG: join(dir, "actions.log") };

    const first = start(["run", dir, "--plain", "--allow-exec", "--env", "ACTIONS_LOG"], env);
    await first.waitFor(/Completed Iteration 3\n/);
    first.process.kill("SIGKILL");
    expect((await first.exit).signal).toBe("SIGKILL");
    const saved = parse(await readFile(join(dir, "experiment.yaml"), "utf8")) as { status: { completedIterations: number; stage: string } };
    expect(saved.status.stage).toBe("Running");
    expect(saved.status.completedIterations).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(dir, ".iter8ctl", "lock"))).toBe(true);

    const second = start(["run", dir, "--plain", "--allow-exec", "--env", "ACTIONS_LOG"], env);
    const ended = await second.exit;
    const output = second.output();
    expect(ended.code, `${first.output()}\n---\n${output}`).toBe(0);
    expect(output).toMatch(/shop\/cart-ab resumes at stage Running, after [34] completed iteration\(s\)/);
    expect(output).toContain("ExperimentCompleted: Experiment Completed");
    expect(await lines(join(dir, "actions.log"))).toEqual(["start", "loop 2", "loop 4", "finish cart-v2"]);
    expect(queries).toEqual(expect.arrayContaining(["conversion/cart-v1", "conversion/cart-v2", "latency/cart-v2"]));

    const routing = parse(await readFile(join(dir, "routing.yaml"), "utf8")) as { spec: { http: { route: { weight: number }[] }[] } };
    expect(routing.spec.http[0]!.route.map((r) => r.weight)).toEqual([60, 40]);
    // The describe layout follows the progress.
    expect(output).toContain("****** Progress Summary ******\nExperiment stage: Completed\nNumber of completed iterations: 4\n");
    expect(existsSync(join(dir, ".iter8ctl", "lock"))).toBe(false);
  });

  it("stops on Ctrl-C with exit code 130 after saving, and says how to resume", async () => {
    const dir = await workdir({ iterations: 20 });
    const child = start(["run", dir, "--plain"]);
    await child.waitFor(/Completed Iteration 1\n/);
    child.process.kill("SIGINT");
    const ended = await child.exit;
    expect(ended.code, child.output()).toBe(130);
    expect(child.output()).toContain(`Interrupted. Progress is saved in ${join(dir, "experiment.yaml")}`);
    expect(child.output()).toContain("run the same command to resume.");
    const saved = parse(await readFile(join(dir, "experiment.yaml"), "utf8")) as { status: { completedIterations: number } };
    expect(saved.status.completedIterations).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(dir, ".iter8ctl", "lock"))).toBe(false);
  });

  it("exits 1 and prints why when the experiment fails", async () => {
    const dir = await workdir({ iterations: 1, actions: `      finish:\n      - run: echo "the registry refused the image" >&2; exit 7\n` });
    const child = start(["run", dir, "--plain", "--allow-exec"]);
    const ended = await child.exit;
    expect(ended.code, child.output()).toBe(1);
    expect(child.output()).toContain("Experiment shop/cart-ab failed: HandlerFailed: Finish actions failed\n");
    expect(child.output()).toMatch(/ {2}the finish action \(Finish\) failed: .*7/);
    expect(child.output()).toContain("stderr: the registry refused the image");
  });

  it("a rollback promotes the baseline: the finish action's {{ .promote }} is the version that served before", async () => {
    const dir = await mkdtemp(join(tmpdir(), "iter8ctl-run-e2e-"));
    work.push(dir);
    const version = (name: string, route: number) => `      name: ${name}
      variables:
      - name: promote
        value: ${name === "cart-v1" ? "v1" : "v2"}.yaml
      weightObjRef:
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        namespace: shop
        name: cart
        fieldPath: .spec.http[0].route[${route}].weight`;
    await writeFile(
      join(dir, "experiment.yaml"),
      `apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: cart-canary
  namespace: shop
spec:
  target: shop/cart
  strategy:
    testingPattern: Canary
    deploymentPattern: FixedSplit
    actions:
      finish:
      - task: common/exec
        with:
          cmd: /bin/sh
          args: ["-c", "echo PROMOTING {{ .promote }} >> \\"$ACTIONS_LOG\\""]
  criteria:
    objectives:
    - metric: shop/canary-latency
      upperLimit: 50
      rollback_on_failure: true
  duration:
    intervalSeconds: 1
    iterationsPerLoop: 5
  versionInfo:
    baseline:
${version("cart-v1", 0)}
    candidates:
    -
${version("cart-v2", 1)}
`,
    );
    await writeFile(join(dir, "metrics.yaml"), metricsYaml().replace(/conversion/g, "canary-latency"));
    await writeFile(join(dir, "routing.yaml"), ROUTING_SHAPES.VirtualService.text);
    const child = start(["run", dir, "--plain", "--allow-exec", "--env", "ACTIONS_LOG"], { ACTIONS_LOG: join(dir, "actions.log") });
    const ended = await child.exit;
    expect(ended.code, child.output()).toBe(0);
    expect(await lines(join(dir, "actions.log"))).toEqual(["PROMOTING v1.yaml"]);
    const saved = parse(await readFile(join(dir, "experiment.yaml"), "utf8")) as {
      status: { versionRecommendedForPromotion: string; conclusion: { outcome: string }; analysis: { winnerAssessment: { data: { winner: string } } } };
    };
    expect(saved.status.versionRecommendedForPromotion).toBe("cart-v1");
    expect(saved.status.conclusion.outcome).toBe("RolledBack");
    expect(saved.status.analysis.winnerAssessment.data.winner).toBe("cart-v1");
    expect(child.output()).toContain("HandlerLaunched: Rollback handler 'finish' launched");
    expect(child.output()).toContain(
      "Version recommended for promotion: cart-v1\nConclusion: Rolled back: objective 1 (shop/canary-latency) is not met by cart-v2; " +
        "the objective is marked rollback_on_failure. The baseline cart-v1, which served before the experiment, is recommended for promotion.\n",
    );
  });

  it("dry-runs a cluster quickstart without a cluster and ends with its description", () => {
    const run = runCli(["run", "--dry-run", "samples/knative"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("****** Overview ******\nExperiment name: quickstart-exp\n");
    expect(run.stdout).toMatch(/Experiment stage: Completed\nNumber of completed iterations: 10\n/);
    expect(existsSync(join(repoRoot, "samples/knative/.iter8ctl"))).toBe(false);
  });

  it("explains local mode, exec included, in its help", () => {
    const run = runCli(["run", "--help"]);
    expect(run.stdout).toContain("Usage: iter8ctl run [options] <paths...>");
    expect(run.stdout).toContain("runs them only with --allow-exec");
    expect(run.stdout).toContain("130 interrupted by Ctrl-C");
  });

  describe("commands of a folder's actions", () => {
    /** The start action writes the task's environment to env.txt; finish is a common/exec. */
    const ENV_ACTIONS = (out: string) => `      start:
      - run: env > "${out}"
      finish:
      - task: common/exec
        with:
          cmd: /bin/sh
          args: ["-c", "echo finish {{ .name }}"]
`;
    const LISTED = (out: string) =>
      `  shop/cart-ab spec.strategy.actions.start[0] (run): env > "${out}"\n` +
      "  shop/cart-ab spec.strategy.actions.finish[0] (common/exec): /bin/sh -c 'echo finish {{ .name }}'\n";

    it("refuses before the experiment starts without --allow-exec and a terminal, listing each command and the flag", async () => {
      const dir = await workdir({ iterations: 1 });
      const out = join(dir, "env.txt");
      await writeFile(join(dir, "experiment.yaml"), experimentYaml({ iterations: 1, actions: ENV_ACTIONS(out) }));
      const run = runCli(["run", dir, "--plain"]);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        "Error: the actions of the experiments run 2 command(s) on this machine, and running them was not allowed; nothing was run. " +
          "Read them, then pass --allow-exec to run them (or answer y when iter8ctl run asks on a terminal)\n" +
          LISTED(out),
      );
      expect(run.stdout).toBe("");
      expect(existsSync(out)).toBe(false);
      const saved = parse(await readFile(join(dir, "experiment.yaml"), "utf8")) as { status?: unknown };
      expect(saved.status).toBeUndefined();
    });

    it("runs them with --allow-exec, with a minimal environment plus the variables --env names", async () => {
      const dir = await workdir({ iterations: 1 });
      const out = join(dir, "env.txt");
      await writeFile(join(dir, "experiment.yaml"), experimentYaml({ iterations: 1, actions: ENV_ACTIONS(out) }));
      const child = start(["run", dir, "--plain", "--allow-exec", "--env", "ITER8CTL_NAMED", "--env", "ITER8CTL_GIVEN=given value"], {
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI-not-for-tasks",
        ITER8CTL_UNNAMED: "not for tasks",
        ITER8CTL_NAMED: "named value",
      });
      const ended = await child.exit;
      expect(ended.code, child.output()).toBe(0);
      expect(child.output()).toContain(`Running with --allow-exec: the actions run 2 command(s) on this machine:\n${LISTED(out)}`);
      expect(child.output()).toContain("shop/cart-ab finish: task 1 (common/exec): finish cart-v2");
      const env = await lines(out);
      expect(env).toEqual(expect.arrayContaining(["ITER8CTL_NAMED=named value", "ITER8CTL_GIVEN=given value", `PATH=${process.env.PATH}`]));
      expect(env.filter((l) => l.startsWith("AWS_SECRET_ACCESS_KEY=") || l.startsWith("ITER8CTL_UNNAMED="))).toEqual([]);
      expect(env.map((l) => l.slice(0, l.indexOf("="))).sort()).toEqual(
        expect.arrayContaining(["ITER8CTL_GIVEN", "ITER8CTL_NAMED", "PATH", "SCRATCH_DIR"]),
      );
    });

    const python = spawnSync("python3", ["-c", "import pty"]).status === 0;

    it.skipIf(!python)("asks at a prompt on a terminal: y runs the commands, n runs nothing (through a pseudo-terminal, with python3's pty module only)", async () => {
      for (const answer of ["y", "n"]) {
        const dir = await workdir({ iterations: 1 });
        const out = join(dir, "env.txt");
        await writeFile(join(dir, "experiment.yaml"), experimentYaml({ iterations: 1, actions: ENV_ACTIONS(out) }));
        const run = onTerminal(["run", dir, "--plain"], answer);
        const text = run.output.replaceAll("\r\n", "\n");
        expect(text).toContain(`The actions of these experiments run 2 command(s) on this machine, as you, with PATH, HOME, the locale and what --env names:\n${LISTED(out)}Run them? [y/N] ${answer}\n`);
        if (answer === "y") {
          expect(run.status, text).toBe(0);
          expect(existsSync(out)).toBe(true);
          expect(text).toContain("ExperimentCompleted: Experiment Completed");
        } else {
          expect(run.status, text).toBe(1);
          expect(existsSync(out)).toBe(false);
          expect(text).toContain("Not running them; nothing was run. Pass --allow-exec to run them without asking.\n");
        }
      }
    });

    it("lists the commands in a dry run", () => {
      const run = runCli(["run", "--dry-run", "samples/local/ab-progressive"]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(
        "The actions would run 1 command(s) on this machine (a dry run only prints them):\n" +
          "  demo/ab-progressive spec.strategy.actions.finish[0] (common/exec): cp '{{ .promote }}' '${DEMO_WORKDIR}/routing.yaml'\n",
      );
    });
  });
});

/**
 * Runs the built iter8ctl on a pseudo-terminal (python3's pty module: standard input, output and
 * error are a terminal) and types `answer` and Enter at its `[y/N]` prompt.
 */
function onTerminal(args: readonly string[], answer: string): { status: number | null; output: string } {
  const script = `
import os, pty, select, sys
answer = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
sent = False
while True:
    ready, _, _ = select.select([fd], [], [], 20)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and b"[y/N] " in out:
        os.write(fd, (answer + "\\r").encode())
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;
  const result = spawnSync("python3", ["-c", script, answer, process.execPath, cliPath, ...args], { cwd: repoRoot, encoding: "utf8", timeout: 25_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: result.stdout };
}
