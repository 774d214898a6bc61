// Documents for the local-mode tests: an A/B experiment of a `shop/cart` service whose weights
// live in a routing document, mock Metrics, and the routing document in the three shapes the
// quickstarts use (Istio VirtualService, Knative Service, SeldonDeployment).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where each routing shape keeps the two weights. */
export const ROUTING_SHAPES = {
  VirtualService: {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    fieldPaths: [".spec.http[0].route[0].weight", ".spec.http[0].route[1].weight"],
    text: `# traffic split of the cart service
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: cart
  namespace: shop
spec:
  hosts:
  - cart
  http:
  - route:
    - destination:
        host: cart-v1 # the current version
      weight: 100
    - destination:
        host: cart-v2
      weight: 0
`,
  },
  KnativeService: {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    fieldPaths: [".spec.traffic[0].percent", ".spec.traffic[1].percent"],
    text: `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  template:
    metadata:
      name: cart-v2
  traffic:
  - tag: current
    revisionName: cart-v1
    percent: 100
  - tag: candidate
    latestRevision: true
    percent: 0
`,
  },
  SeldonDeployment: {
    apiVersion: "machinelearning.seldon.io/v1",
    kind: "SeldonDeployment",
    fieldPaths: [".spec.predictors[0].traffic", ".spec.predictors[1].traffic"],
    text: `apiVersion: machinelearning.seldon.io/v1
kind: SeldonDeployment
metadata:
  name: cart
  namespace: shop
spec:
  predictors:
  - name: cart-v1
    traffic: 100
    graph:
      name: classifier
  - name: cart-v2
    traffic: 0
    graph:
      name: classifier
`,
  },
} as const;
export type RoutingShape = keyof typeof ROUTING_SHAPES;

/** What the test experiment looks like. */
export interface ExperimentOptions {
  name?: string;
  shape?: RoutingShape;
  iterations?: number;
  intervalSeconds?: number;
  /** YAML of `spec.strategy.actions` entries, indented by 6 spaces. */
  actions?: string;
  deploymentPattern?: string;
  /** Objective lines under `objectives:`, indented by 4 spaces. */
  objectives?: string;
}

/** An A/B experiment of cart-v1 and cart-v2 with a reward and a latency objective. */
export function experimentYaml(options: ExperimentOptions = {}): string {
  const shape = ROUTING_SHAPES[options.shape ?? "VirtualService"];
  const ref = (i: 0 | 1) => `      weightObjRef:
        apiVersion: ${shape.apiVersion}
        kind: ${shape.kind}
        namespace: shop
        name: cart
        fieldPath: ${shape.fieldPaths[i]}`;
  return `# The cart A/B test
apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: ${options.name ?? "cart-ab"}
  namespace: shop
spec:
  target: shop/cart
  strategy:
    testingPattern: A/B
    deploymentPattern: ${options.deploymentPattern ?? "Progressive"}
${options.actions ? `    actions:\n${options.actions}` : ""}  criteria:
    rewards:
    - metric: shop/conversion
      preferredDirection: High
    objectives:
${options.objectives ?? "    - metric: shop/latency\n      upperLimit: 100"}
  duration:
    intervalSeconds: ${options.intervalSeconds ?? 1}
    iterationsPerLoop: ${options.iterations ?? 3}
  versionInfo:
    baseline:
      name: cart-v1
      variables:
      - name: label
        value: current
${ref(0)}
    candidates:
    - name: cart-v2
      variables:
      - name: label
        value: candidate
${ref(1)}
`;
}

/** Mock Metrics: cart-v2 converts better, both are fast. */
export const METRICS_YAML = `apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: conversion
  namespace: shop
spec:
  units: percent
  mock:
  - name: cart-v1
    level: "2"
  - name: cart-v2
    level: "6"
---
apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: latency
  namespace: shop
spec:
  units: milliseconds
  mock:
  - name: cart-v1
    level: "20"
  - name: cart-v2
    level: "20"
`;

const PREFIX = "iter8ctl-run-test-";
let parent: string | undefined;

/**
 * The folder, one per process, that holds every {@link folderWith} folder: `iter8ctl-run-test-<pid>-…`
 * in the OS temporary folder. Test workers are killed rather than left to exit, so no exit hook
 * removes it; instead each new one removes those of processes that are gone.
 */
function testFolders(): string {
  if (parent) return parent;
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^iter8ctl-run-test-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  parent = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  return parent;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A fresh folder holding the given files; returns its path. */
export async function folderWith(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(testFolders(), "folder-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** A folder with an experiment, its metrics and its routing document. */
export function experimentFolder(options: ExperimentOptions = {}, extra: Readonly<Record<string, string>> = {}): Promise<string> {
  return folderWith({
    "experiment.yaml": experimentYaml(options),
    "metrics.yaml": METRICS_YAML,
    "routing.yaml": ROUTING_SHAPES[options.shape ?? "VirtualService"].text,
    ...extra,
  });
}
