/** What the kube package's tests share: a test server per file, clients for it, sample objects. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { EngineStatusSchema } from "@iter8ts/engine";
import { startControlPlane, type ControlPlane } from "@iter8ts/kube-harness";
import { KubeTestServer, makeKubeConfig, type KubeTestServerOptions } from "@iter8ts/testkit";
import { crdYaml } from "@iter8ts/types";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, expect } from "vitest";
import { createKubeClients, type KubeClients } from "../src/index";

/** Options for `vi.waitFor`: generous, because a loaded machine may be slow to deliver watch events. */
export const eventually = { timeout: 10_000, interval: 20 } as const;

/** Starts a test server on 127.0.0.1 and builds clients for it. */
export async function startCluster(options: KubeTestServerOptions = {}): Promise<{ server: KubeTestServer; clients: KubeClients }> {
  const server = await KubeTestServer.start({ jobs: false, ...options });
  return { server, clients: createKubeClients({ kubeConfig: makeKubeConfig(server), requestTimeoutMs: 5_000 }) };
}

/** Clients for the same server that fail fast, for tests where the server is down. */
export function impatientClients(server: KubeTestServer): KubeClients {
  return createKubeClients({ kubeConfig: makeKubeConfig(server), requestTimeoutMs: 1_000 });
}

/** An Istio VirtualService splitting traffic between two subsets. */
export function virtualService(name: string, weights: [number, number] = [100, 0], namespace = "default") {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name, namespace, labels: { app: "productpage" } },
    spec: {
      hosts: ["productpage"],
      http: [
        {
          route: [
            { destination: { host: "productpage", subset: "v1" }, weight: weights[0] },
            { destination: { host: "productpage", subset: "v2" }, weight: weights[1] },
          ],
        },
      ],
    },
  };
}

/** A Canary experiment on `target` whose versions' weights live in VirtualService `routing`. */
export function canaryExperiment(name: string, options: { namespace?: string; target?: string; spec?: Record<string, unknown> } = {}) {
  const namespace = options.namespace ?? "default";
  const ref = (i: number) => ({
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    namespace,
    name: "routing",
    fieldPath: `.spec.http[0].route[${i}].weight`,
  });
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace },
    spec: {
      target: options.target ?? `${namespace}/productpage`,
      strategy: { testingPattern: "Canary", deploymentPattern: "Progressive" },
      criteria: { objectives: [{ metric: "mean-latency", upperLimit: 100 }] },
      duration: { intervalSeconds: 1, iterationsPerLoop: 3, maxLoops: 1 },
      versionInfo: {
        baseline: { name: "productpage-v1", weightObjRef: ref(0) },
        candidates: [{ name: "productpage-v2", weightObjRef: ref(1) }],
      },
      ...options.spec,
    },
  };
}

/** A Metric whose values are mocked per version (no backend is queried). */
export function mockMetric(name: string, levels: Record<string, number>, namespace = "default") {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name, namespace },
    spec: {
      description: `${name} (mocked)`,
      type: "Gauge",
      provider: "mock",
      mock: Object.entries(levels).map(([version, level]) => ({ name: version, level: String(level) })),
    },
  };
}

/** A real control plane for a test file, with a namespace of its own and clients for it. */
export interface RealCluster {
  plane: ControlPlane;
  clients: KubeClients;
  namespace: string;
  /** Deletes the namespace on a shared cluster (ITER8TS_KUBECONFIG) and stops what was started. */
  stop(): Promise<void>;
}

/**
 * Starts a real kube-apiserver with @iter8ts/kube-harness (or uses the cluster ITER8TS_KUBECONFIG
 * names), runs `setup` through kubectl (each a list of arguments; `{namespace}` stands for the
 * file's namespace), and creates the namespace, named `<prefix>-<random>`.
 */
export async function startRealCluster(prefix: string, setup: readonly (readonly string[])[] = []): Promise<RealCluster> {
  const plane = await startControlPlane();
  const namespace = `${prefix}-${randomBytes(3).toString("hex")}`;
  for (const args of [...setup, ["create", "namespace", namespace]]) {
    const result = await plane.kubectl(args.map((a) => a.replaceAll("{namespace}", namespace)));
    expect(result.exitCode, result.stderr).toBe(0);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  return {
    plane,
    clients: createKubeClients({ kubeConfig, requestTimeoutMs: 10_000 }),
    namespace,
    stop: async () => {
      if (plane.external) await plane.kubectl(["delete", "namespace", namespace, "--wait=false"]);
      await plane.stop();
    },
  };
}

/**
 * A file with the CRDs as the controller installs them (the Experiment's status with the engine's
 * fields), for `kubectl apply -f`: the real API server then checks and prunes what the engine writes.
 * Call it while the test file is collected; the file is removed after the file's tests.
 */
export function engineCrdsFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "iter8ts-crds-")), "crds.yaml");
  writeFileSync(file, crdYaml({ experimentStatus: EngineStatusSchema }));
  afterAll(() => rmSync(dirname(file), { recursive: true, force: true }));
  return file;
}
