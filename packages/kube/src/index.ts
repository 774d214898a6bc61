/**
 * The Kubernetes adapter of iter8ts on @kubernetes/client-node: the engine's ports (store,
 * metrics, actions as Jobs, events), the weights package's `ResourceClient`, informers with a
 * local cache, and Lease-based leader election.
 */
export { createKubeClients } from "./create-kube-clients";
export type { KubeClients, KubeClientsOptions } from "./create-kube-clients";
export { KubeApi } from "./kube-api";
export type { KubeApiOptions, KubeRequest } from "./kube-api";
export { KubeError, KubeErrorCode, isKubeError, toResourceError } from "./kube-error";
export type { KubeErrorCause, KubeErrorInit } from "./kube-error";
export { toKubeError, kubeErrorFromResponse } from "./to-kube-error";
export { ResourceMapper, describeCoordinates } from "./resource-mapper";
export type { ResourceCoordinates, PathTarget } from "./resource-mapper";
export { KubeResourceClient } from "./kube-resource-client";
export type { KubeResourceClientOptions } from "./kube-resource-client";
export { watchStream, watchEventError } from "./watch-stream";
export type { RawWatchEvent } from "./watch-stream";
export { ResourceInformer, InformerEventType } from "./resource-informer";
export type { InformerEvent, InformerStats, ResourceInformerOptions } from "./resource-informer";
export {
  EXPERIMENT_RESOURCE,
  METRIC_RESOURCE,
  REFERENCE_GRANT_RESOURCE,
  createReferenceGrantInformer,
  experimentPath,
  metricPath,
  experimentKeyOf,
  createExperimentInformer,
  createMetricInformer,
  parseStoredExperiment,
  parseStoredMetric,
} from "./iter8-resources";
export { KubeExperimentStore } from "./kube-experiment-store";
export type { KubeExperimentStoreOptions } from "./kube-experiment-store";
export { KubeSecretCache } from "./kube-secret-cache";
export type { KubeSecretCacheOptions, LoadedSecrets } from "./kube-secret-cache";
export { KubeMetricsSource, metricSecretRef, refusedMetricSecret } from "./kube-metrics-source";
export { KubeReferenceGrants } from "./kube-reference-grants";
export type { KubeReferenceGrantsOptions } from "./kube-reference-grants";
export type { KubeMetricsSourceOptions, MetricsQueryReport } from "./kube-metrics-source";
export { KubeEventSink } from "./kube-event-sink";
export type { KubeEventSinkOptions } from "./kube-event-sink";
export { LeaderElector, microTime } from "./leader-elector";
export type { LeaderElectorOptions } from "./leader-elector";
export { ShardCoordinator, SHARD_GROUP_LABEL, shardOf, shardOwner } from "./shard-coordinator";
export type { ShardCoordinatorOptions } from "./shard-coordinator";
export { statusPatch } from "./status-patch";
export { actionJobName, labelValue } from "./action-job-name";
export { JobActionRunner, ActionJobLabel, DEFAULT_ACTION_RESOURCES, DEFAULT_ACTION_SERVICE_ACCOUNT, createActionJobInformer, experimentKeyOfJob } from "./job-action-runner";
export type { JobActionRunnerOptions } from "./job-action-runner";
export { createKubePorts } from "./create-kube-ports";
export type { KubePorts, KubePortsOptions } from "./create-kube-ports";
export { apiServerAddresses } from "./api-server-addresses";
export { runClusterAction, clusterSecretSource, updateStatusWithRetry, jobFetch, jobExecRefusal } from "./job-action-runtime";
export type { ClusterActionRequest, ClusterActionResult } from "./job-action-runtime";
