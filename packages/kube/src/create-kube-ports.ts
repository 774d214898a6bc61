import type { ActionRunner, EnginePorts } from "@iter8ts/engine";
import { ROUTING_WEIGHT_POLICY, ResourceWeightWriter, type ResourceWeightWriterOptions } from "@iter8ts/weights";
import type { KubeClients } from "./create-kube-clients";
import { JobActionRunner, type JobActionRunnerOptions } from "./job-action-runner";
import { KubeEventSink, type KubeEventSinkOptions } from "./kube-event-sink";
import { KubeExperimentStore } from "./kube-experiment-store";
import { KubeMetricsSource, type KubeMetricsSourceOptions } from "./kube-metrics-source";
import { KubeReferenceGrants } from "./kube-reference-grants";
import { KubeResourceClient } from "./kube-resource-client";
import type { ResourceInformer } from "./resource-informer";

/** Settings of {@link createKubePorts}. */
export interface KubePortsOptions {
  /** Informers the store (and the event sink) read from; without them every read goes to the API. */
  experiments?: ResourceInformer;
  metrics?: ResourceInformer;
  /** ReferenceGrants in every namespace, so checking a reference costs no request. */
  referenceGrants?: ResourceInformer;
  /** How actions run: the Job settings, or a runner of your own. */
  actions: JobActionRunnerOptions | ActionRunner;
  metricsSource?: KubeMetricsSourceOptions;
  /** Event settings, or `false` for no Kubernetes Events. */
  events?: KubeEventSinkOptions | false;
  /** Weight settings; the policy defaults to the known routing kinds (`ROUTING_WEIGHT_POLICY`). */
  weights?: ResourceWeightWriterOptions;
}

/** The engine's ports on one cluster (everything but the clock), and the pieces behind them. */
export interface KubePorts extends Omit<EnginePorts, "clock"> {
  store: KubeExperimentStore;
  metrics: KubeMetricsSource;
  weights: ResourceWeightWriter;
  actions: ActionRunner;
  events?: KubeEventSink;
  references: KubeReferenceGrants;
  /** The ResourceClient the weights go through (tasks can use it too). */
  resources: KubeResourceClient;
}

function isRunner(actions: JobActionRunnerOptions | ActionRunner): actions is ActionRunner {
  return typeof (actions as ActionRunner).start === "function" && typeof (actions as ActionRunner).state === "function";
}

/**
 * Builds every port the engine needs on one cluster (references across namespaces only with a
 * ReferenceGrant, weights only in routing objects):
 * `createEngine({ ...createKubePorts(clients, options), clock: systemClock })`.
 */
export function createKubePorts(clients: KubeClients, options: KubePortsOptions): KubePorts {
  const resources = new KubeResourceClient(clients);
  const storeOptions = { ...(options.experiments ? { experiments: options.experiments } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) };
  const ports: KubePorts = {
    store: new KubeExperimentStore(clients, storeOptions),
    metrics: new KubeMetricsSource(clients, options.metricsSource),
    weights: new ResourceWeightWriter(resources, { policy: ROUTING_WEIGHT_POLICY, ...options.weights }),
    references: new KubeReferenceGrants(clients, options.referenceGrants ? { informer: options.referenceGrants } : {}),
    actions: isRunner(options.actions) ? options.actions : new JobActionRunner(clients, options.actions),
    resources,
  };
  if (options.events !== false) {
    const eventOptions: KubeEventSinkOptions = { ...options.events };
    if (!eventOptions.experiments && options.experiments) eventOptions.experiments = options.experiments;
    ports.events = new KubeEventSink(clients, eventOptions);
  }
  return ports;
}
