// The example provider package as an outside user gets it: its tarball (and its peer
// @iter8ts/metrics) installed by npm into a fresh project, loaded by name with --provider into
// iter8ctl installed globally from the tarballs and into the controller started in that project
// (the derived image's layout: the provider and its own copy of @iter8ts/metrics in the working
// directory, the controller elsewhere), each running an experiment whose Metric says
// `provider: jsonfile` on values served from loopback.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startControlPlane, waitForCrdsEstablished, type ControlPlane } from "@iter8ts/kube-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, freshProject, mustRun, packAll, WORKSPACE_ROOT, type FreshProject, type PackedSet } from "../src/index";

const PACKAGE = "@iter8ts/metrics-provider-jsonfile";
const CONTROLLER = join(WORKSPACE_ROOT, "apps", "controller", "dist", "controller.js");

let packed: PackedSet;
let project: FreshProject;
let server: Server;
let base = "";
let served = 0;

const experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "model-ab", namespace: "ml" },
  spec: {
    target: "ml/model",
    strategy: { testingPattern: "A/B", deploymentPattern: "FixedSplit" },
    criteria: { rewards: [{ metric: "ml/accuracy", preferredDirection: "High" }], objectives: [{ metric: "ml/accuracy", lowerLimit: "0.9" }] },
    duration: { intervalSeconds: 1, iterationsPerLoop: 2 },
    versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
  },
};
const metric = () => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Metric",
  metadata: { name: "accuracy", namespace: "ml" },
  spec: { provider: "jsonfile", type: "Gauge", urlTemplate: `${base}/eval/latest.json` },
});
const EXPECTED_VALUES = { v1: { value: "0.91" }, v2: { value: "0.95", sampleSize: 800 } };

interface Stored {
  status?: { stage?: string; analysis?: { aggregatedMetrics?: { data?: Record<string, { data?: unknown }> }; winnerAssessment?: { data?: unknown } } };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    served += 1;
    if (req.url === "/eval/latest.json") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ "ml/accuracy": { v1: 0.91, v2: { value: 0.95, sampleSize: 800 } } }));
    else res.writeHead(500).end("42");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  packed = await packAll();
  project = await freshProject({ packed, install: [PACKAGE], label: "provider-jsonfile" });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe(`${PACKAGE} from its tarball`, () => {
  it("is a publishable provider package with @iter8ts/metrics as a peer, which npm installs next to it", () => {
    const { manifest } = packed.get(PACKAGE);
    const m = manifest as typeof manifest & { private?: boolean; peerDependencies?: Record<string, string> };
    expect(m.private).toBeUndefined();
    expect(m.peerDependencies?.["@iter8ts/metrics"]).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(Object.keys(m.dependencies ?? {})).not.toContain("@iter8ts/metrics");
    expect(readFileSync(join(project.dir, "node_modules", PACKAGE, "README.md"), "utf8")).toContain(`npm install ${PACKAGE} @iter8ts/metrics`);
    expect(project.lockedPackages()["node_modules/@iter8ts/metrics"]?.resolved).toMatch(/^file:/);
  });

  it("loads with loadProviderModules of the installed @iter8ts/metrics, and its contract reads the same from require", async () => {
    const dir = project.subproject("provider-module", { type: "module" });
    writeFileSync(
      join(dir, "load.js"),
      `import { createDefaultRegistry, loadProviderModules } from "@iter8ts/metrics";
const loaded = await loadProviderModules(createDefaultRegistry(), [${JSON.stringify(PACKAGE)}], { cwd: process.cwd() });
console.log(JSON.stringify(loaded.map((l) => [l.module, l.providers])));
`,
    );
    const loaded = await project.node(["load.js"], dir);
    expect(loaded.stderr).toBe("");
    expect(JSON.parse(loaded.stdout)).toEqual([[PACKAGE, ["jsonfile"]]]);
    const required = await project.node(["-e", `const m = require(${JSON.stringify(PACKAGE)}); console.log(m.iter8tsProviderApi, m.providers.map((p) => p.name).join())`]);
    expect(required.stdout.trim()).toBe("1 jsonfile");
  });

  it("runs an experiment with iter8ctl run --provider, iter8ctl installed globally from the tarballs", async () => {
    const cli = packed.packages.find((p) => p.name === "@iter8ts/cli");
    expect(cli, "apps/cli is not packed: iter8ctl must be a public package (not private) to be installed from its tarball").toBeDefined();
    const prefix = project.subproject("global", {});
    await mustRun("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...packed.closure(["@iter8ts/cli"]).map((p) => p.tarball)], {
      cwd: project.dir,
      env: cleanEnv({ npm_config_update_notifier: "false" }),
      timeoutMs: 600_000,
    });
    const folder = project.subproject("experiment", {});
    writeFileSync(join(folder, "experiment.json"), JSON.stringify(experiment));
    writeFileSync(join(folder, "metrics.json"), JSON.stringify(metric()));
    served = 0;
    // From the project folder: the provider is found in its node_modules, not in the global prefix.
    const run = await project.run(join(prefix, "bin", "iter8ctl"), ["run", "--provider", PACKAGE, "--plain", join(folder, "experiment.json"), join(folder, "metrics.json")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const stored = JSON.parse(readFileSync(join(folder, "experiment.json"), "utf8")) as Stored;
    expect(stored.status?.stage).toBe("Completed");
    expect(stored.status?.analysis?.aggregatedMetrics?.data?.["ml/accuracy"]?.data).toEqual(EXPECTED_VALUES);
    expect(stored.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v2" });
    expect(served).toBeGreaterThanOrEqual(4);
  });

  describe("in the controller started in the project folder, on kube-apiserver", () => {
    let cluster: ControlPlane;
    beforeAll(async () => {
      if (!existsSync(CONTROLLER)) throw new Error(`${CONTROLLER} does not exist: build it with \`pnpm turbo run build --filter=@iter8ts/controller\``);
      cluster = await startControlPlane();
      const crds = join(WORKSPACE_ROOT, "apps", "controller", "deploy", "base", "crds");
      const applied = await cluster.kubectl(["apply", "-f", crds]);
      expect(applied.exitCode, applied.stderr).toBe(0);
      await waitForCrdsEstablished(cluster);
      const namespace = await cluster.kubectl(["create", "namespace", "ml"]);
      expect(namespace.exitCode, namespace.stderr).toBe(0);
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it("loads it with --provider and runs the experiment to the end on its values", async () => {
      const objects = await cluster.kubectl(["apply", "-f", "-"], { input: [metric(), experiment].map((o) => JSON.stringify(o)).join("\n") });
      expect(objects.exitCode, objects.stderr).toBe(0);
      served = 0;
      const child = spawn(
        process.execPath,
        [CONTROLLER, `--kubeconfig=${cluster.kubeconfigPath}`, "--metrics-addr=0", "--health-addr=0", "--leader-elect=false", "--egress-allow=loopback,apiserver", "--provider", PACKAGE],
        { cwd: project.dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", POD_NAME: "pack-check" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      const logs: string[] = [];
      createInterface({ input: child.stdout }).on("line", (line) => logs.push(line));
      child.stderr.resume();
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      let stored: Stored | undefined;
      try {
        const deadline = Date.now() + 90_000;
        while (Date.now() < deadline && child.exitCode === null) {
          const got = await cluster.kubectl(["get", "experiment", "model-ab", "-n", "ml", "-o", "json"]);
          stored = got.exitCode === 0 ? (JSON.parse(got.stdout) as Stored) : undefined;
          if (stored?.status?.stage === "Completed") break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      } finally {
        child.kill("SIGTERM");
        await exited;
      }
      const loaded = logs.map((l) => JSON.parse(l) as { msg?: string; file?: string }).find((l) => l.msg === `loaded metric providers jsonfile from ${PACKAGE}`);
      expect(loaded?.file, logs.join("\n")).toBe(join(project.dir, "node_modules", PACKAGE, "dist", "index.js"));
      expect(stored?.status?.stage).toBe("Completed");
      expect(stored?.status?.analysis?.aggregatedMetrics?.data?.["ml/accuracy"]?.data).toEqual(EXPECTED_VALUES);
      expect(stored?.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v2" });
      expect(served).toBeGreaterThanOrEqual(4);
    });
  });
});
