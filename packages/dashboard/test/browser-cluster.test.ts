// The dashboard of a cluster in headless Chromium: a real kube-apiserver (etcd, kube-controller-
// manager) from @iter8ts/kube-harness with the iter8 CRDs, the built controller running two
// Canary experiments on mock metrics in two namespaces — one whose candidate (a hostile version
// name) wins and gains traffic, one that rolls back — and `iter8ctl dashboard -A` (built CLI)
// connected as a ServiceAccount that may only get, list and watch Experiments and Events. The
// list and an experiment's page, open before the experiments exist, must follow them live,
// show the rollback and the Events, show hostile names as text, and keep every request on the
// dashboard's origin. ITER8TS_DASHBOARD_SCREENSHOTS=<folder> keeps screenshots of both pages.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serviceAccountKubeconfig, startControlPlane, waitForCrdsEstablished, type ControlPlane } from "@iter8ts/kube-harness";
import { defaultCustomResourceDefinitions } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { launchBrowser, offOrigin, readDetail, readRows, watchUntil, type RecordingBrowser } from "./browser";
import { CLI_PATH, CONTROLLER_PATH, REPO_ROOT, requireBuilt, spawnNode, startDashboardProcess, type Spawned } from "./iter8ctl-process";

const HOSTILE_VERSION = `web-v2<img src=x onerror="document.title='pwned'">`;
const HOSTILE_TARGET = `team-a/web"><script>document.title='pwned'</script>`;
const ITERATIONS = 6;
const shots = process.env.ITER8TS_DASHBOARD_SCREENSHOTS;

let plane: ControlPlane;
let work: string;
let controller: Spawned;
let dashboard: Spawned & { url: string };
let browser: RecordingBrowser;

function virtualService(namespace: string, name: string) {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name, namespace },
    spec: { hosts: [name], http: [{ route: [{ destination: { host: `${name}-v1` }, weight: 100 }, { destination: { host: `${name}-v2` }, weight: 0 }] }] },
  };
}

function latency(namespace: string, levels: Record<string, string>) {
  return { apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name: "latency", namespace }, spec: { type: "Gauge", units: "ms", mock: Object.entries(levels).map(([name, level]) => ({ name, level })) } };
}

function canary(namespace: string, name: string, target: string, candidate: string, objective: Record<string, unknown>) {
  const ref = (route: number) => ({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace, name: "web", fieldPath: `.spec.http[0].route[${route}].weight` });
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace },
    spec: {
      target,
      strategy: { testingPattern: "Canary", deploymentPattern: "Progressive" },
      criteria: { objectives: [{ metric: `${namespace}/latency`, ...objective }] },
      duration: { intervalSeconds: 1, iterationsPerLoop: ITERATIONS },
      versionInfo: { baseline: { name: "web-v1", weightObjRef: ref(0) }, candidates: [{ name: candidate, weightObjRef: ref(1) }] },
    },
  };
}

async function apply(documents: unknown[]): Promise<void> {
  const result = await plane.kubectl(["apply", "-f", "-"], { input: documents.map((d) => stringify(d)).join("---\n") });
  if (result.exitCode !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
}

async function kubectl(args: string[]): Promise<void> {
  const result = await plane.kubectl(args);
  if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr}`);
}

beforeAll(async () => {
  requireBuilt(CLI_PATH, "@iter8ts/cli");
  requireBuilt(CONTROLLER_PATH, "@iter8ts/controller");
  work = mkdtempSync(join(tmpdir(), "iter8ts-dashboard-cluster-"));
  plane = await startControlPlane();
  const crds = join(work, "routing-crds.yaml");
  writeFileSync(crds, defaultCustomResourceDefinitions().filter((c) => (c.metadata as { name: string }).name === "virtualservices.networking.istio.io").map((c) => stringify(c)).join("---\n"));
  await kubectl(["apply", "-f", join(REPO_ROOT, "apps", "controller", "deploy", "base", "crds"), "-f", crds]);
  await waitForCrdsEstablished(plane);
  for (const ns of ["team-a", "team-b", "viewers"]) await kubectl(["create", "namespace", ns]);
  // The dashboard's identity: it may read Experiments and Events, and nothing else.
  await kubectl(["create", "serviceaccount", "dashboard", "-n", "viewers"]);
  await kubectl(["create", "clusterrole", "iter8-dashboard-viewer", "--verb=get,list,watch", "--resource=experiments.iter8.tools,events"]);
  await kubectl(["create", "clusterrolebinding", "iter8-dashboard-viewer", "--clusterrole=iter8-dashboard-viewer", "--serviceaccount=viewers:dashboard"]);
  const viewer = await serviceAccountKubeconfig(plane, { namespace: "viewers", serviceAccount: "dashboard" });
  await apply([
    virtualService("team-a", "web"),
    virtualService("team-b", "web"),
    latency("team-a", { "web-v1": "200", [HOSTILE_VERSION]: "150" }),
    latency("team-b", { "web-v1": "200", "web-v2": "150" }),
  ]);
  controller = spawnNode(CONTROLLER_PATH, [`--kubeconfig=${plane.kubeconfigPath}`, "--metrics-addr=127.0.0.1:0", "--health-addr=127.0.0.1:0", "--leader-elect=false"], { POD_NAME: "dashboard-test" });
  dashboard = await startDashboardProcess(["-A", "--kubeconfig", viewer.path]);
  browser = await launchBrowser();
}, 10 * 60_000);

afterAll(async () => {
  await dashboard?.stop();
  await controller?.stop();
  await browser?.close();
  await plane?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the dashboard of a cluster, in Chromium", () => {
  it("follows experiments the controller runs, live, with their Events, the rollback marked and hostile names as text", async () => {
    const list = await browser.page();
    await list.goto(dashboard.url);
    const detail = await browser.page();
    await detail.goto(new URL("/experiments/team-a/web-canary", dashboard.url).href);
    for (const page of [list, detail]) {
      await page.waitForFunction(() => document.getElementById("live")?.textContent === "Live");
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    }
    expect(await list.locator("#count").textContent()).toBe("0 of 0 experiments");
    expect((await readDetail(detail)).outcome).toBe("missing");

    await apply([
      canary("team-a", "web-canary", HOSTILE_TARGET, HOSTILE_VERSION, { upperLimit: 500 }),
      canary("team-b", "web-rollback", "team-b/web", "web-v2", { upperLimit: 100, rollback_on_failure: true }),
    ]);
    const [rows, pages] = await Promise.all([
      watchUntil(() => readRows(list), (r) => r["team-a/web-canary"]?.outcome === "Completed" && r["team-b/web-rollback"]?.outcome === "RolledBack", "both experiments ended on the list", 120_000),
      watchUntil(() => readDetail(detail), (d) => d.outcome === "Completed" && d.events > 0, "the experiment's page shows it completed, with Events", 120_000),
    ]).catch(async (error: Error) => {
      throw new Error(`${error.message}\ncontroller:\n${controller.output().slice(-3000)}\ndashboard:\n${dashboard.output().slice(-2000)}`);
    });

    const iterations = new Set(rows.map((r) => r["team-a/web-canary"]?.iteration).filter((i) => i !== undefined));
    expect(iterations.size, [...iterations].join(" | ")).toBeGreaterThanOrEqual(3);
    const last = rows.at(-1)!;
    expect(last["team-a/web-canary"]).toMatchObject({ iteration: `${ITERATIONS} of ${ITERATIONS}`, winner: HOSTILE_VERSION, target: HOSTILE_TARGET });
    expect(new Set(rows.map((r) => r["team-a/web-canary"]?.weight)).size).toBeGreaterThanOrEqual(3);
    expect(last["team-b/web-rollback"]!.status).toContain("rolled back");

    const seenIterations = new Set(pages.map((p) => p.iteration));
    expect(seenIterations.size, [...seenIterations].join(" | ")).toBeGreaterThanOrEqual(3);
    const final = pages.at(-1)!;
    expect(final.winner).toBe(HOSTILE_VERSION);
    expect(final.weightPoints[HOSTILE_VERSION]).toHaveLength(ITERATIONS);
    expect(final.events).toBeGreaterThan(0);
    for (const page of [list, detail]) {
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      expect(await page.title()).not.toContain("pwned");
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("main script").count()).toBe(0);
    }

    const rolledBack = await browser.page();
    await rolledBack.goto(new URL("/experiments/team-b/web-rollback", dashboard.url).href);
    expect((await readDetail(rolledBack)).outcome).toBe("RolledBack");
    expect(await rolledBack.locator("#detail-header .flag").textContent()).toBe("rolled back");
    expect(await rolledBack.locator("#events tbody").textContent()).toMatch(/Rollback|rolled back/i);

    if (shots) {
      mkdirSync(shots, { recursive: true });
      await list.screenshot({ path: join(shots, "list.png"), fullPage: true });
      await detail.screenshot({ path: join(shots, "detail.png"), fullPage: true });
    }
    expect(offOrigin(browser.requests, new URL(dashboard.url).origin)).toEqual([]);
    expect(browser.errors).toEqual([]);
  }, 180_000);
});
