// References across namespaces on a real kube-apiserver (from @iter8ts/kube-harness, or the
// cluster ITER8TS_KUBECONFIG names), with the CRDs as generated: an experiment of team-a may use
// team-b's VirtualService and Metric only once a ReferenceGrant in team-b says so, and a
// weightObjRef can never read a Secret.
import { createEngine, runToCompletion, systemClock, type ActionRunner } from "@iter8ts/engine";
import { waitForCrdsEstablished } from "@iter8ts/kube-harness";
import { defaultCustomResourceDefinitions } from "@iter8ts/testkit";
import { conditionOf, type ExperimentStatus } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createExperimentInformer,
  createKubePorts,
  createMetricInformer,
  createReferenceGrantInformer,
  type KubeClients,
  type ResourceInformer,
} from "../src/index";
import { canaryExperiment, engineCrdsFile, eventually, mockMetric, startRealCluster, virtualService, type RealCluster } from "./support";

let cluster: RealCluster;
let clients: KubeClients;
let teamA: string;
let teamB: string;
let informers: { experiments: ResourceInformer; metrics: ResourceInformer; grants: ResourceInformer };
const CRDS = engineCrdsFile();
const TOKEN = "team-b-database-password-93f1";

const noActions: ActionRunner = {
  start: () => Promise.reject(new Error("these experiments have no actions")),
  state: () => Promise.reject(new Error("these experiments have no actions")),
};

async function post(path: string, body: unknown): Promise<void> {
  await clients.api.request({ method: "POST", path, body, subject: path });
}

beforeAll(async () => {
  const vsCrd = defaultCustomResourceDefinitions().find((c) => (c.metadata as { name: string }).name === "virtualservices.networking.istio.io");
  cluster = await startRealCluster("grants", [["apply", "-f", CRDS]]);
  const installed = await cluster.plane.kubectl(["apply", "--server-side", "-f", "-"], { input: JSON.stringify(vsCrd) });
  expect(installed.exitCode, installed.stderr).toBe(0);
  await waitForCrdsEstablished(cluster.plane, ["crd/experiments.iter8.tools", "crd/metrics.iter8.tools", "crd/referencegrants.iter8.tools", "crd/virtualservices.networking.istio.io"]);
  ({ clients, namespace: teamA } = cluster);
  teamB = `${teamA}-b`;
  const created = await cluster.plane.kubectl(["create", "namespace", teamB]);
  expect(created.exitCode, created.stderr).toBe(0);
  await post(`/apis/networking.istio.io/v1beta1/namespaces/${teamB}/virtualservices`, virtualService("reviews", [100, 0], teamB));
  await post(`/apis/iter8.tools/v2alpha2/namespaces/${teamB}/metrics`, mockMetric("mean-latency", { "productpage-v1": 40, "productpage-v2": 25 }, teamB));
  await post(`/api/v1/namespaces/${teamB}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "db-creds", namespace: teamB }, stringData: { token: TOKEN } });
  await post(`/api/v1/namespaces/${teamA}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "db-creds", namespace: teamA }, stringData: { token: TOKEN } });
  informers = { experiments: createExperimentInformer(clients), metrics: createMetricInformer(clients), grants: createReferenceGrantInformer(clients) };
  for (const informer of Object.values(informers)) informer.start();
  await Promise.all(Object.values(informers).map((i) => i.waitForSync({ timeoutMs: 60_000 })));
}, 10 * 60_000);

afterAll(async () => {
  await Promise.all(Object.values(informers ?? {}).map((i) => i.stop()));
  if (cluster?.plane.external) await cluster.plane.kubectl(["delete", "namespace", teamB, "--wait=false"]);
  await cluster?.stop();
});

/** team-a's Canary whose weights live in `ref` (team-b's VirtualService by default), judged by team-b's Metric. */
async function runExperiment(name: string, ref: Record<string, string> = { namespace: teamB, name: "reviews" }) {
  const experiment = canaryExperiment(name, { namespace: teamA, spec: { criteria: { objectives: [{ metric: `${teamB}/mean-latency`, upperLimit: 100 }] } } });
  const versions = experiment.spec.versionInfo;
  for (const v of [versions.baseline, ...versions.candidates]) Object.assign(v.weightObjRef, ref);
  experiment.spec.duration = { intervalSeconds: 1, iterationsPerLoop: 2, maxLoops: 1 };
  await post(`/apis/iter8.tools/v2alpha2/namespaces/${teamA}/experiments`, experiment);
  await vi.waitFor(() => expect(informers.experiments.get(teamA, name)).toBeDefined(), eventually);
  const ports = createKubePorts(clients, { experiments: informers.experiments, metrics: informers.metrics, referenceGrants: informers.grants, actions: noActions, events: false });
  const engine = createEngine({ ...ports, clock: systemClock }, { storeRetryMs: 100, retry: { initialDelayMs: 100, maxDelayMs: 400 } });
  await runToCompletion(engine, [{ namespace: teamA, name }], { clock: systemClock, maxSteps: 400 });
  const stored = await clients.api.request<{ status: ExperimentStatus }>({ method: "GET", path: `/apis/iter8.tools/v2alpha2/namespaces/${teamA}/experiments/${name}`, subject: name });
  const vs = await clients.api.request<{ spec: { http: Array<{ route: Array<{ weight: number }> }> } }>({
    method: "GET",
    path: `/apis/networking.istio.io/v1beta1/namespaces/${teamB}/virtualservices/reviews`,
    subject: "reviews",
  });
  return { status: stored.status, failed: conditionOf(stored.status, "Failed"), weights: vs.spec.http[0]!.route.map((r) => r.weight) };
}

async function grant(name: string, to: Record<string, string>): Promise<void> {
  await post(`/apis/iter8.tools/v2alpha2/namespaces/${teamB}/referencegrants`, {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "ReferenceGrant",
    metadata: { name, namespace: teamB },
    spec: { from: [{ namespace: teamA }], to: [to] },
  });
  await vi.waitFor(() => expect(informers.grants.get(teamB, name)).toBeDefined(), eventually);
}

describe("an experiment of team-a referring to team-b's objects", () => {
  it("without a grant, fails ReferenceNotGranted naming team-b's Metric, reading nothing of team-b's", async () => {
    const { failed, status, weights } = await runExperiment("no-grant");
    expect(failed).toMatchObject({
      status: "True",
      reason: "ReferenceNotGranted",
      message:
        `spec.criteria.objectives[0].metric refers to Metric ${teamB}/mean-latency (iter8.tools), but no ReferenceGrant in namespace ${teamB} lets experiments in namespace ${teamA} refer to it; ` +
        `ask the owners of ${teamB} to create one, or use an object of namespace ${teamA} (see docs/security-model.md)`,
    });
    expect(status.stage).toBe("Completed");
    expect(status.metrics).toBeUndefined();
    expect(status.currentWeightDistribution).toBeUndefined();
    expect(weights).toEqual([100, 0]);
  }, 60_000);

  it("with a grant for the Metric only, fails naming team-b's VirtualService, and team-b's traffic is untouched", async () => {
    await grant("metrics-for-team-a", { group: "iter8.tools", kind: "Metric" });
    const { failed, weights } = await runExperiment("metric-grant-only");
    expect(failed).toMatchObject({
      status: "True",
      reason: "ReferenceNotGranted",
      message:
        `spec.versionInfo.baseline.weightObjRef refers to VirtualService ${teamB}/reviews (networking.istio.io), but no ReferenceGrant in namespace ${teamB} lets experiments in namespace ${teamA} refer to it; ` +
        `ask the owners of ${teamB} to create one, or use an object of namespace ${teamA} (see docs/security-model.md)`,
    });
    expect(weights).toEqual([100, 0]);
  }, 60_000);

  it("with grants for both, runs to completion and moves team-b's traffic", async () => {
    await grant("reviews-for-team-a", { group: "networking.istio.io", kind: "VirtualService", name: "reviews" });
    const { failed, status, weights } = await runExperiment("granted");
    expect(failed?.status).toBe("False");
    expect(status.completedIterations).toBe(2);
    expect(weights).not.toEqual([100, 0]);
    expect(weights[0]! + weights[1]!).toBe(100);
  }, 60_000);

  it("never reads a Secret through a weightObjRef, in its own namespace or another, and never shows its value", async () => {
    const own = await runExperiment("secret-own", { apiVersion: "v1", kind: "Secret", namespace: teamA, name: "db-creds", fieldPath: ".data.token" });
    expect(own.failed).toMatchObject({ status: "True", reason: "InvalidExperiment" });
    expect(own.failed?.message).toContain("spec.versionInfo.baseline.weightObjRef names Secret");
    expect(own.failed?.message).toContain("which is not a routing kind");
    const other = await runExperiment("secret-other", { apiVersion: "v1", kind: "Secret", namespace: teamB, name: "db-creds", fieldPath: ".data.token" });
    expect(other.failed?.reason).toBe("ReferenceNotGranted");
    for (const status of [own.status, other.status]) {
      const text = JSON.stringify(status);
      for (const form of [TOKEN, Buffer.from(TOKEN).toString("base64")]) expect(text).not.toContain(form);
    }
  }, 60_000);
});
