/**
 * One quickstart end to end on its own loopback API server, as a user runs it on a cluster:
 * the stack's CRDs, the sample's objects and Metrics applied with kubectl (through client-node),
 * the controller started with its real wiring (informers, status subresource, weight patches,
 * action Jobs), then the Experiment applied. Action Jobs run the built `iter8ctl action run`,
 * and the `kubectl` their finish task calls is the stand-in that applies to the same server.
 * Every write of the routing object and every status of the Experiment is recorded by watches.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiextensionsV1Api, Watch, type KubeConfig } from "@kubernetes/client-node";
import { KubeTestServer, makeKubeConfig, type JsonObject, type RequestRecord } from "@iter8ts/testkit";
import pino from "pino";
import { parseControllerConfig } from "../../src/controller-config";
import { startController, type RunningController } from "../../src/start-controller";
import { expectedQueries, type ExperimentDocument, type MetricDocument } from "./expected-queries";
import { findResource, kubectlApply, readManifests, type ManifestObject } from "./kubectl-apply.mjs";
import { LoopbackMetricsBackend } from "./metrics-backend";
import { METRIC_LEVELS, type QuickstartSpec } from "./quickstart-stacks";

export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..", "..");
export const CLI_PATH = join(REPO_ROOT, "apps", "cli", "dist", "iter8ctl.js");

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
  metadata: { name: string; namespace: string };
  spec: { duration?: { intervalSeconds?: number; iterationsPerLoop?: number } };
  status?: StatusSnapshot & {
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    analysis?: {
      aggregatedMetrics?: { data: Record<string, { data: Record<string, { value?: number | string | null }> }> };
      winnerAssessment?: { data: { winnerFound: boolean; winner?: string } };
    };
  };
}

/** What a quickstart run left behind. */
export interface QuickstartClusterRun {
  spec: QuickstartSpec;
  server: KubeTestServer;
  /** The Experiment as applied (promotion pointed at samples/<stack>/promote, short durations). */
  applied: ExperimentDocument & { spec: Record<string, unknown> };
  /** The Experiment at the end. */
  experiment: StoredExperiment;
  weightFields: WeightField[];
  /** Every status of the Experiment seen, in order. */
  statuses: StatusSnapshot[];
  /** Every state of the routing object seen, in order (the first is the one applied at setup). */
  routingWrites: RoutingWrite[];
  backend: LoopbackMetricsBackend;
  /** kubectl's output while setting up. */
  setupOutput: string[];
  /** The output of the finish action's Job. */
  finishLog: string;
  /** The API requests made once the Experiment was applied: by the controller and its action Jobs. */
  requests: readonly RequestRecord[];
  /** Controller log lines at warn or above. */
  warnings: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const EXPERIMENT_PATH = "/apis/iter8.tools/v2alpha2/namespaces/default/experiments";
// samples/README.md's `sed` pointing the finish actions at other copies of the manifests.
const PROMOTE_URL = /https?:\/\/[^ "']*\/([^/"']*\.ya?ml)/g;
const COMPLETION_TIMEOUT_MS = 50_000;

/** The README's sed: every manifest URL becomes `<base>/<file name>`. */
export function pointPromotionAt(text: string, base: string): string {
  return text.replace(PROMOTE_URL, (_url, file: string) => `${base}/${file}`);
}

function sampleFile(spec: QuickstartSpec, ...parts: string[]): string {
  return join(REPO_ROOT, "samples", spec.stack, ...parts);
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

async function installCustomResources(kubeConfig: KubeConfig, spec: QuickstartSpec): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const r of spec.customResources) {
    await api.createCustomResourceDefinition({
      body: {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${r.plural}.${r.group}` },
        spec: {
          group: r.group,
          names: { kind: r.kind, plural: r.plural, singular: r.kind.toLowerCase(), listKind: `${r.kind}List` },
          scope: "Namespaced",
          versions: [{ name: r.version, served: true, storage: true, schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
  }
}

/** Watches one object (or collection) and hands each event's object over until stopped. */
async function record(kubeConfig: KubeConfig, path: string, name: string, onObject: (type: string, object: JsonObject) => void, failures: string[]): Promise<AbortController> {
  return new Watch(kubeConfig).watch(
    path,
    { fieldSelector: `metadata.name=${name}` },
    (type, object: JsonObject) => onObject(type, object),
    (error: unknown) => {
      if (error && !(error instanceof Error && error.name === "AbortError")) failures.push(`watch of ${path} ended: ${String(error)}`);
    },
  );
}

async function until(check: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function resourceVersionOf(object: unknown): string {
  return String((object as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion ?? "");
}

/**
 * Runs one quickstart to completion on a fresh API server. The caller closes the run (server,
 * backend) after reading what it needs.
 */
export async function runQuickstartInCluster(spec: QuickstartSpec, kubectlFolder: string): Promise<QuickstartClusterRun> {
  const backend = await LoopbackMetricsBackend.start();
  const server = await KubeTestServer.start({
    namespaces: ["default", "kube-system", "iter8-system"],
    jobs: {
      // The action image's `iter8ctl` is the CLI built from this repository.
      mapProcess: ({ argv, env }) => (argv[0] === "iter8ctl" ? { command: process.execPath, args: [CLI_PATH, ...argv.slice(1)], env } : undefined),
      baseEnv: { PATH: `${kubectlFolder}:/usr/local/bin:/usr/bin:/bin`, HOME: process.env.HOME ?? "/tmp" },
    },
  });
  const kubeConfig = makeKubeConfig(server);
  const stops: AbortController[] = [];
  const logLines: Array<Record<string, unknown>> = [];
  let running: RunningController | undefined;
  const close = async () => {
    for (const stop of stops) stop.abort();
    await running?.stop();
    await server.close();
    await backend.close();
  };

  try {
    await installCustomResources(kubeConfig, spec);
    const setupOutput: string[] = [];
    const apply = async (objects: ManifestObject[]) => setupOutput.push(...(await kubectlApply(kubeConfig, objects)));
    for (const [step, files] of spec.setup.entries()) {
      await apply(files.flatMap((file) => readManifests(readFileSync(sampleFile(spec, file), "utf8"), file)));
      spec.afterStep?.(step, server);
    }

    // The samples' Metrics name in-cluster services (prometheus-operated.iter8-system, the mock
    // New Relic); they query the loopback backends here instead, with everything else unchanged.
    const metrics = readManifests(readFileSync(sampleFile(spec, "metrics.yaml"), "utf8"), "metrics.yaml").map((object) => {
      if (object.kind !== "Metric") return object;
      const metricSpec = object.spec as { urlTemplate: string };
      const url = new URL(metricSpec.urlTemplate);
      return { ...object, spec: { ...metricSpec, urlTemplate: `${backend.url}${url.pathname}${url.search}` } };
    });
    await apply(metrics);

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
      throw new Error(`quickstart ${spec.stack}: the versions' weights live in different objects, which this test does not record`);
    }
    const resource = await findResource(kubeConfig, routing.apiVersion, routing.kind);
    const routingPath = `${resource.path}/namespaces/${routing.namespace}/${resource.plural}`;
    const routingWrites: RoutingWrite[] = [];
    stops.push(
      await record(kubeConfig, routingPath, routing.name, (type, object) => {
        routingWrites.push({ type, resourceVersion: resourceVersionOf(object), weights: Object.fromEntries(weightFields.map((f) => [f.version, readValue(object, f.fieldPath)])) });
      }, failures),
    );
    const statuses: StatusSnapshot[] = [];
    let experimentSeen = "";
    stops.push(
      await record(kubeConfig, EXPERIMENT_PATH, applied.metadata.name, (_type, object) => {
        experimentSeen = resourceVersionOf(object);
        const status = (object as unknown as StoredExperiment).status;
        if (status) statuses.push(structuredClone(status));
      }, failures),
    );

    const settings = parseControllerConfig(["--metrics-addr=0", "--health-addr=0", "--workers=2", "--log-level=info", "--action-image=iter8ts/controller:test"], {
      POD_NAME: `iter8-controller-${spec.stack}`,
    });
    if (settings.kind !== "run") throw new Error("the controller settings did not parse");
    running = await startController(settings.config, {
      logger: pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }),
      kubeConfig,
      processMetrics: false,
      engine: { retry: { initialDelayMs: 250, maxDelayMs: 2_000 } },
    });
    await running.controller.waitForSync({ timeoutMs: 10_000 });
    await apply([applied]);
    server.clearRequests();

    const stored = () => server.get("iter8.tools/v2alpha2", "Experiment", applied.metadata.name, "default") as unknown as StoredExperiment;
    const completed = () => stored().status?.conditions?.some((c) => c.type === "Completed" && c.status === "True") ?? false;
    await until(completed, () => `quickstart ${spec.stack} completed; its status says: ${stored().status?.message ?? "(nothing)"}`, COMPLETION_TIMEOUT_MS);
    // Both watches have seen the last write once they show the stored resourceVersions.
    const routingObject = () => server.get(routing.apiVersion, routing.kind, routing.name, routing.namespace);
    await until(
      () => routingWrites.at(-1)?.resourceVersion === resourceVersionOf(routingObject()) && experimentSeen === resourceVersionOf(stored()),
      () => `the watches of quickstart ${spec.stack} caught up (${failures.join("; ") || "no watch failed"})`,
      10_000,
    );
    if (failures.length > 0) throw new Error(failures.join("; "));

    const finishPod = (server.list("v1", "Pod", "iter8-system") as Array<{ metadata: { name: string; annotations?: Record<string, string> } }>).find(
      (p) => p.metadata.annotations?.["iter8/experimentName"] === applied.metadata.name && p.metadata.annotations["iter8/action"] === "finish",
    );
    const finishLog = finishPod ? (server.podLog("iter8-system", finishPod.metadata.name) ?? "") : "";
    await running.stop();
    running = undefined;
    for (const stop of stops.splice(0)) stop.abort();

    return {
      spec,
      server,
      applied,
      experiment: stored(),
      weightFields,
      statuses,
      routingWrites,
      backend,
      setupOutput,
      finishLog,
      requests: server.requests(),
      warnings: logLines.filter((l) => (l.level as number) >= 40),
      close,
    };
  } catch (error) {
    const warnings = logLines.filter((l) => (l.level as number) >= 40).map((l) => String(l.msg));
    await close();
    const detail = warnings.length ? ` (controller warnings: ${[...new Set(warnings)].slice(0, 5).join(" | ")})` : "";
    throw new Error(`quickstart ${spec.stack}: ${error instanceof Error ? error.message : String(error)}${detail}`, { cause: error });
  }
}
