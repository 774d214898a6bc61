/**
 * One quickstart end to end on a fresh cluster (testkit's loopback API server or a real
 * kube-apiserver, see ../cluster/test-cluster.ts), as a user runs it: the stack's install overlay,
 * the sample's objects and Metrics applied with `kubectl apply -f` (the real kubectl on
 * kube-apiserver; on testkit, which serves no OpenAPI documents, kubectl's three-way merge through
 * client-node), the controller started with its real wiring (informers, status subresource,
 * weight patches, action Jobs) and its own service account, then the Experiment applied. Action
 * Jobs run the built `iter8ctl action run` with a token of `default`'s iter8-action, and the `kubectl` their
 * finish task calls is the real one on kube-apiserver (the stand-in on testkit). Every write of
 * the routing object and every status of the Experiment is recorded by watches.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { isConditionTrue, type Condition } from "@iter8ts/types";
import { QUICKSTART_EXPECTATIONS, servedVersion } from "@iter8ts/e2e";
import type { KubeObject } from "@iter8ts/resources";
import { findResource, kubectlApply, readManifests, type JsonObject, type ManifestObject, type RequestRecord } from "@iter8ts/testkit";
import pino from "pino";
import { parseControllerConfig } from "../../src/controller-config";
import { startController, type RunningController } from "../../src/start-controller";
import { ClusterKind, REPO_ROOT, startTestCluster, type ClusterObject, type TestCluster } from "../cluster/test-cluster";
import { expectedQueries, type ExperimentDocument, type MetricDocument } from "./expected-queries";
import { LoopbackMetricsBackend } from "./metrics-backend";
import { METRIC_LEVELS, type QuickstartSpec } from "./quickstart-stacks";

/** The durations the tests run with instead of the samples' 10 s × 10 to 25 iterations. */
export const SHORT_DURATION = { intervalSeconds: 1, iterationsPerLoop: 5 };

/** Where a version's weight lives. */
export interface WeightField {
  version: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  fieldPath: string;
}

/** The Experiment's status as one watch event showed it. */
export interface StatusSnapshot {
  stage?: string;
  message?: string;
  completedIterations?: number;
  currentWeightDistribution?: Array<{ name: string; value: number }>;
  versionRecommendedForPromotion?: string;
}

/** The routing object as one watch event showed it: each version's weight field (undefined when gone). */
export interface RoutingWrite {
  type: string;
  resourceVersion: string;
  weights: Record<string, number | undefined>;
}

/** The Experiment as the API server stores it, the parts the tests read. */
export interface StoredExperiment {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { duration?: { intervalSeconds?: number; iterationsPerLoop?: number } };
  status?: StatusSnapshot & {
    conditions?: Condition[];
    analysis?: {
      aggregatedMetrics?: { data: Record<string, { data: Record<string, { value?: number | string | null }> }> };
      winnerAssessment?: { data: { winnerFound: boolean; winner?: string } };
    };
  };
}

/** What a quickstart run left behind; the cluster is gone by then. */
export interface QuickstartClusterRun {
  kind: ClusterKind;
  spec: QuickstartSpec;
  /** The Experiment as applied (promotion pointed at samples/<stack>/promote, short durations). */
  applied: ExperimentDocument & { spec: Record<string, unknown> };
  /** The Experiment at the end. */
  experiment: StoredExperiment;
  weightFields: WeightField[];
  /** Every status of the Experiment seen, in order. */
  statuses: StatusSnapshot[];
  /** Every state of the routing object seen, in order (the first is the one applied at setup). */
  routingWrites: RoutingWrite[];
  /** The queries the loopback backends received. */
  backend: Pick<LoopbackMetricsBackend, "received" | "unmatched">;
  /** kubectl's output while setting up. */
  setupOutput: string[];
  /** The output of the finish action's Job. */
  finishLog: string;
  /** The objects of the winner's promotion manifest, each with what the cluster held at the end. */
  promoted: Array<{ manifest: ManifestObject; stored: ClusterObject | undefined }>;
  /** The version that serves all traffic at the end, by the stack's objects. */
  servedVersion: string | undefined;
  /** The API requests made once the Experiment was applied: by the controller and its action Jobs. */
  requests: readonly RequestRecord[];
  /** Those of them the install's RBAC does not allow (see TestCluster.refusedRequests). */
  refusedRequests: string[];
  /** Controller log lines at warn or above. */
  warnings: Array<Record<string, unknown>>;
}

/** Settings of {@link runQuickstartInCluster}. */
export interface QuickstartRunOptions {
  /** On testkit: a folder holding the kubectl stand-in, for the action Jobs' PATH (installKubectl of @iter8ts/testkit). */
  standInKubectlFolder?: string;
}

// The quickstarts run in `default`, and so do their action Jobs.
const EXPERIMENT_NAMESPACE = "default";
const EXPERIMENT_PATH = `/apis/iter8.tools/v2alpha2/namespaces/${EXPERIMENT_NAMESPACE}/experiments`;
// samples/README.md's `sed` pointing the finish actions at other copies of the manifests.
const PROMOTE_URL = /https?:\/\/[^ "']*\/([^/"']*\.ya?ml)/g;
// Generous: five real control planes share two loaded cores.
const COMPLETION_TIMEOUT_MS = 120_000;
const KUBECTL_TIMEOUT_MS = 60_000;

/** The README's sed: every manifest URL becomes `<base>/<file name>`. */
export function pointPromotionAt(text: string, base: string): string {
  return text.replace(PROMOTE_URL, (_url, file: string) => `${base}/${file}`);
}

function sampleFile(spec: QuickstartSpec, ...parts: string[]): string {
  return join(REPO_ROOT, "samples", spec.stack, ...parts);
}

function readSample(spec: QuickstartSpec, file: string): ManifestObject[] {
  return readManifests(readFileSync(sampleFile(spec, file), "utf8"), file);
}

function readValue(object: unknown, fieldPath: string): number | undefined {
  let current = object;
  for (const key of fieldPath.split(/[.[\]]+/).filter(Boolean)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === "number" ? current : undefined;
}

function weightFieldsOf(experiment: ExperimentDocument): WeightField[] {
  const raw = experiment as unknown as {
    spec: { versionInfo: { baseline: { name: string; weightObjRef: Omit<WeightField, "version"> }; candidates: Array<{ name: string; weightObjRef: Omit<WeightField, "version"> }> } };
  };
  const { baseline, candidates } = raw.spec.versionInfo;
  return [baseline, ...candidates].map((v) => ({ ...v.weightObjRef, namespace: v.weightObjRef.namespace ?? "default", version: v.name }));
}

/** A CRD for a kind the stack adds, accepting any fields. */
function customResourceDefinition(r: QuickstartSpec["customResources"][number]): JsonObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${r.plural}.${r.group}` },
    spec: {
      group: r.group,
      names: { kind: r.kind, plural: r.plural, singular: r.kind.toLowerCase(), listKind: `${r.kind}List` },
      scope: "Namespaced",
      versions: [{ name: r.version, served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  };
}

/** `kubectl apply -f` and `kubectl wait` as samples/README.md runs them while setting up. */
interface SetupKubectl {
  applyFiles(paths: readonly string[]): Promise<string[]>;
  /** `… | kubectl apply -f -`: objects the test edited, as the README's sed does. */
  applyObjects(objects: readonly ManifestObject[]): Promise<string[]>;
  /** `kubectl wait …` while `meanwhile` makes it true. */
  wait(args: readonly string[], meanwhile: () => Promise<void>): Promise<void>;
}

function setupKubectl(cluster: TestCluster, admin: KubeConfig): SetupKubectl {
  const { kubectl } = cluster;
  if (kubectl) {
    const run = async (args: string[], input?: string) => {
      const result = await kubectl(args, { ...(input === undefined ? {} : { input }), timeoutMs: KUBECTL_TIMEOUT_MS });
      if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${result.exitCode}): ${result.stderr.trim()}`);
      return result.stdout.split("\n").filter(Boolean);
    };
    return {
      applyFiles: (paths) => run(["apply", ...paths.flatMap((path) => ["-f", path])]),
      applyObjects: (objects) => run(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects })),
      async wait(args, meanwhile) {
        await Promise.all([run([...args, `--timeout=${KUBECTL_TIMEOUT_MS / 1000}s`]), meanwhile()]);
      },
    };
  }
  // testkit: the same three-way merge through client-node; the stand-in has no `wait`, and the
  // status written meanwhile is what the wait would see.
  return {
    applyFiles: (paths) => kubectlApply(admin, paths.flatMap((path) => readManifests(readFileSync(path, "utf8"), path))),
    applyObjects: (objects) => kubectlApply(admin, objects),
    wait: (_args, meanwhile) => meanwhile(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WATCH_ATTEMPTS = 100;

/**
 * Records each state of one object with a watch until stopped, resuming from the last
 * resourceVersion when the watch ends, as an informer does. Resolves once a watch is open:
 * kube-apiserver answers 429 while it fills the watch cache of a kind nobody has asked for yet
 * (the Experiments', before the controller starts), and may end a watch at any time.
 */
async function record(kubeConfig: KubeConfig, path: string, name: string, onObject: (type: string, object: JsonObject) => void, failures: string[]): Promise<() => void> {
  const watch = new Watch(kubeConfig);
  let stopped = false;
  let current: AbortController | undefined;
  let resourceVersion: string | undefined;
  const stop = () => {
    stopped = true;
    current?.abort();
  };
  const onEvent = (type: string, object: JsonObject) => {
    if (type === "BOOKMARK") return;
    if (type === "ERROR") {
      // 410 Gone: the states in between are lost, and so is what this records.
      failures.push(`watch of ${path} failed: ${String((object as { message?: unknown }).message)}`);
      stop();
      return;
    }
    resourceVersion = resourceVersionOf(object);
    onObject(type, object);
  };
  /** Opens a watch; false when the server refused it. `onEnd` runs when an open one ends. */
  const open = async (onEnd: () => void): Promise<boolean> => {
    let opened = false;
    let refused = false;
    const query = { fieldSelector: `metadata.name=${name}`, ...(resourceVersion === undefined ? {} : { resourceVersion }) };
    current = await watch.watch(path, query, onEvent, () => (opened ? onEnd() : (refused = true)));
    opened = !refused;
    return opened;
  };
  const reopen = (): void =>
    void (async () => {
      for (let attempt = 1; !stopped; attempt++) {
        await sleep(200);
        if (stopped || (await open(reopen))) return;
        if (attempt === WATCH_ATTEMPTS) return void failures.push(`the API server refused to reopen a watch of ${path} ${attempt} times`);
      }
    })();
  for (let attempt = 1; !(await open(reopen)); attempt++) {
    if (attempt === WATCH_ATTEMPTS) throw new Error(`the API server refused a watch of ${path} ${attempt} times`);
    await sleep(200);
  }
  return stop;
}

async function until(check: () => Promise<boolean>, what: () => Promise<string> | string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${await what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function resourceVersionOf(object: unknown): string {
  return String((object as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion ?? "");
}

/** Runs one quickstart to completion on a fresh cluster of `kind`, reads what the tests check, and tears it all down. */
export async function runQuickstartInCluster(kind: ClusterKind, spec: QuickstartSpec, options: QuickstartRunOptions = {}): Promise<QuickstartClusterRun> {
  if (kind === ClusterKind.Testkit && options.standInKubectlFolder === undefined) throw new Error("on testkit the action Jobs need the kubectl stand-in's folder");
  const backend = await LoopbackMetricsBackend.start();
  const stops: Array<() => void> = [];
  const logLines: Array<Record<string, unknown>> = [];
  let cluster: TestCluster | undefined;
  let running: RunningController | undefined;
  const close = async () => {
    for (const stop of stops.splice(0)) stop();
    await running?.stop();
    running = undefined;
    await cluster?.close();
    await backend.close();
  };

  try {
    cluster = await startTestCluster(kind, {
      overlay: spec.overlay,
      customResourceDefinitions: spec.customResources.map(customResourceDefinition),
      kubectlInJobs: true,
      ...(options.standInKubectlFolder === undefined
        ? {}
        : { baseEnv: { PATH: `${options.standInKubectlFolder}:/usr/local/bin:/usr/bin:/bin`, HOME: process.env.HOME ?? "/tmp" } }),
    });
    const admin = cluster.adminKubeConfig();
    const kubectl = setupKubectl(cluster, admin);
    const setupOutput: string[] = [];
    for (const [step, files] of spec.setup.entries()) {
      setupOutput.push(...(await kubectl.applyFiles(files.map((file) => sampleFile(spec, file)))));
      const wait = spec.waitAfterStep;
      const settled = cluster;
      if (wait?.step === step) await kubectl.wait(wait.kubectlArgs, () => wait.becomeReady(settled));
    }

    // The samples' Metrics name in-cluster services (prometheus-operated.iter8-system, the mock
    // New Relic); they query the loopback backends here instead, with everything else unchanged.
    const metrics = readSample(spec, "metrics.yaml").map((object) => {
      if (object.kind !== "Metric") return object;
      const metricSpec = object.spec as { urlTemplate: string };
      const url = new URL(metricSpec.urlTemplate);
      return { ...object, spec: { ...metricSpec, urlTemplate: `${backend.url}${url.pathname}${url.search}` } };
    });
    setupOutput.push(...(await kubectl.applyObjects(metrics)));

    const promoteDir = sampleFile(spec, "promote");
    const [document] = readManifests(pointPromotionAt(readFileSync(sampleFile(spec, "experiment.yaml"), "utf8"), promoteDir), "experiment.yaml");
    const applied = document as unknown as ExperimentDocument & ManifestObject & { spec: Record<string, unknown> };
    applied.spec.duration = { ...(applied.spec.duration as object), ...SHORT_DURATION };
    applied.metadata.namespace ??= "default";
    backend.expect(expectedQueries(applied, metrics.filter((m) => m.kind === "Metric") as unknown as MetricDocument[], METRIC_LEVELS));

    const failures: string[] = [];
    const weightFields = weightFieldsOf(applied);
    const routing = weightFields[0]!;
    if (weightFields.some((f) => f.apiVersion !== routing.apiVersion || f.kind !== routing.kind || f.namespace !== routing.namespace || f.name !== routing.name)) {
      throw new Error("the versions' weights live in different objects, which this test does not record");
    }
    const resource = await findResource(admin, routing.apiVersion, routing.kind);
    const routingPath = `${resource.path}/namespaces/${routing.namespace}/${resource.plural}`;
    const routingWrites: RoutingWrite[] = [];
    stops.push(
      await record(admin, routingPath, routing.name, (type, object) => {
        routingWrites.push({ type, resourceVersion: resourceVersionOf(object), weights: Object.fromEntries(weightFields.map((f) => [f.version, readValue(object, f.fieldPath)])) });
      }, failures),
    );
    const statuses: StatusSnapshot[] = [];
    let experimentSeen = "";
    stops.push(
      await record(admin, EXPERIMENT_PATH, applied.metadata.name, (_type, object) => {
        experimentSeen = resourceVersionOf(object);
        const status = (object as unknown as StoredExperiment).status;
        if (status) statuses.push(structuredClone(status));
      }, failures),
    );

    // As the Deployment does: ITER8_ALLOW_EXEC from the install's ConfigMap (the overlays allow
    // exec-type tasks in `default`, where the quickstarts' finish actions run kubectl apply).
    const installed = cluster.install.find((m) => m.kind === "ConfigMap" && m.metadata.name === "iter8-controller") as { data?: Record<string, string> } | undefined;
    const allowExec = installed?.data?.["allow-exec"];
    // The metrics backend stands in for Prometheus on loopback (next to this test's API server),
    // which the egress policy refuses unless the install allows it.
    const settings = parseControllerConfig(["--metrics-addr=0", "--health-addr=0", "--workers=2", "--log-level=info", "--action-image=iter8ts/controller:test", "--egress-allow=loopback,apiserver"], {
      POD_NAME: `iter8-controller-${spec.stack}`,
      ...(allowExec === undefined ? {} : { ITER8_ALLOW_EXEC: allowExec }),
    });
    if (settings.kind !== "run") throw new Error("the controller settings did not parse");
    running = await startController(settings.config, {
      logger: pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }),
      kubeConfig: cluster.controllerKubeConfig(),
      processMetrics: false,
      engine: { retry: { initialDelayMs: 250, maxDelayMs: 2_000 } },
    });
    await running.controller.waitForSync({ timeoutMs: 30_000 });
    setupOutput.push(...(await kubectl.applyObjects([applied])));
    cluster.markRequests();

    const reader = cluster;
    const stored = async () => (await reader.get("iter8.tools/v2alpha2", "Experiment", applied.metadata.name, "default")) as unknown as StoredExperiment;
    const completed = async () => isConditionTrue((await stored()).status, "Completed");
    await until(completed, async () => `it completed; its status says: ${(await stored()).status?.message ?? "(nothing)"}`, COMPLETION_TIMEOUT_MS);
    // Both watches have seen the last write once they show the stored resourceVersions.
    await until(
      async () =>
        routingWrites.at(-1)?.resourceVersion === resourceVersionOf(await reader.get(routing.apiVersion, routing.kind, routing.name, routing.namespace)) &&
        experimentSeen === resourceVersionOf(await stored()),
      () => `the watches caught up (${failures.join("; ") || "no watch failed"})`,
      10_000,
    );
    if (failures.length > 0) throw new Error(failures.join("; "));
    await running.stop();
    running = undefined;
    for (const stop of stops.splice(0)) stop();

    const jobs = (await cluster.list("batch/v1", "Job", EXPERIMENT_NAMESPACE)) as Array<ClusterObject & { metadata: { annotations?: Record<string, string> } }>;
    const finishJob = jobs.find((j) => j.metadata.annotations?.["iter8/experimentName"] === applied.metadata.name && j.metadata.annotations["iter8/action"] === "finish");
    const promotion = readSample(spec, join("promote", QUICKSTART_EXPECTATIONS[spec.stack].candidateManifest));
    const run: QuickstartClusterRun = {
      kind,
      spec,
      applied,
      experiment: await stored(),
      weightFields,
      statuses,
      routingWrites,
      backend: { received: backend.received, unmatched: backend.unmatched },
      setupOutput,
      finishLog: finishJob ? await cluster.jobLog(EXPERIMENT_NAMESPACE, finishJob.metadata.name) : "",
      promoted: await Promise.all(
        promotion.map(async (manifest) => ({ manifest, stored: await reader.get(manifest.apiVersion, manifest.kind, manifest.metadata.name, manifest.metadata.namespace) })),
      ),
      servedVersion: await servedVersion(spec.stack, (key) => reader.get(key.apiVersion, key.kind, key.name, key.namespace) as Promise<KubeObject | undefined>),
      requests: cluster.requests(),
      refusedRequests: await cluster.refusedRequests(),
      warnings: logLines.filter((l) => (l.level as number) >= 40),
    };
    await close();
    return run;
  } catch (error) {
    const warnings = logLines.filter((l) => (l.level as number) >= 40).map((l) => String(l.msg));
    await close().catch(() => undefined);
    const detail = warnings.length ? ` (controller warnings: ${[...new Set(warnings)].slice(0, 5).join(" | ")})` : "";
    throw new Error(`quickstart ${spec.stack} on ${kind}: ${error instanceof Error ? error.message : String(error)}${detail}`, { cause: error });
  }
}
