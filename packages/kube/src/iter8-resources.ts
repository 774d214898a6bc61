import type { ExperimentKey } from "@iter8ts/engine";
import { API_VERSION, parseExperimentSchema, parseMetricSchema, type Experiment, type Metric, type ParseResult } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import type { KubeClients } from "./create-kube-clients";
import { KubeError, KubeErrorCode } from "./kube-error";
import { ResourceInformer, type ResourceInformerOptions } from "./resource-informer";

/** Where Experiments are served. */
export const EXPERIMENT_RESOURCE = { apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", group: "iter8.tools", version: "v2alpha2", plural: "experiments" } as const;
/** Where Metrics are served. */
export const METRIC_RESOURCE = { apiVersion: "iter8.tools/v2alpha2", kind: "Metric", group: "iter8.tools", version: "v2alpha2", plural: "metrics" } as const;

/** Where ReferenceGrants are served. */
export const REFERENCE_GRANT_RESOURCE = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "ReferenceGrant",
  group: "iter8.tools",
  version: "v2alpha2",
  plural: "referencegrants",
} as const;

/** The API path of an Experiment (or of its status subresource). */
export function experimentPath(key: ExperimentKey, subresource?: "status"): string {
  const base = `/apis/${EXPERIMENT_RESOURCE.group}/${EXPERIMENT_RESOURCE.version}/namespaces/${encodeURIComponent(key.namespace)}/${EXPERIMENT_RESOURCE.plural}/${encodeURIComponent(key.name)}`;
  return subresource ? `${base}/${subresource}` : base;
}

/** The API path of a Metric. */
export function metricPath(namespace: string, name: string): string {
  return `/apis/${METRIC_RESOURCE.group}/${METRIC_RESOURCE.version}/namespaces/${encodeURIComponent(namespace)}/${METRIC_RESOURCE.plural}/${encodeURIComponent(name)}`;
}

/** The engine's key of an Experiment object. */
export function experimentKeyOf(object: KubeObject | Experiment): ExperimentKey {
  return { namespace: object.metadata.namespace ?? "default", name: object.metadata.name ?? "" };
}

type InformerScope = Pick<ResourceInformerOptions, "labelSelector" | "initialBackoffMs" | "maxBackoffMs" | "watchTimeoutSeconds" | "pageSize"> & {
  /** Follow one namespace only (default: all). */
  namespace?: string;
};

function scoped(kind: "Experiment" | "Metric" | "ReferenceGrant", scope: InformerScope): ResourceInformerOptions {
  const { namespace, ...rest } = scope;
  const apiVersion = API_VERSION;
  const resource = namespace === undefined ? { apiVersion, kind } : { apiVersion, kind, namespace };
  return { ...rest, resource };
}

/** An informer on Experiments (all namespaces unless one is given); call `start()`. */
export function createExperimentInformer(clients: KubeClients, scope: InformerScope = {}): ResourceInformer {
  return new ResourceInformer(clients, scoped("Experiment", scope));
}

/** An informer on Metrics (all namespaces unless one is given); call `start()`. */
export function createMetricInformer(clients: KubeClients, scope: InformerScope = {}): ResourceInformer {
  return new ResourceInformer(clients, scoped("Metric", scope));
}

/**
 * An informer on ReferenceGrants in every namespace (grants live in the namespaces referred to,
 * which are not the experiments' own); call `start()`.
 */
export function createReferenceGrantInformer(clients: KubeClients, scope: Omit<InformerScope, "namespace"> = {}): ResourceInformer {
  return new ResourceInformer(clients, scoped("ReferenceGrant", scope));
}

function parsed<T>(result: ParseResult<T>, what: string): T {
  if (result.ok) return result.value;
  const problems = result.errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join("; ");
  const more = result.errors.length > 5 ? `; and ${result.errors.length - 5} more` : "";
  throw new KubeError(KubeErrorCode.Invalid, `${what} does not match the iter8.tools/v2alpha2 schema (${problems}${more}); fix it with kubectl edit`, { retryable: false });
}

/**
 * An Experiment as the API server stored it, parsed (`A/B/n` folded into `A/B/N`).
 *
 * @throws KubeError `Invalid` naming the fields that do not match the schema.
 */
export function parseStoredExperiment(object: unknown): Experiment {
  const meta = (object as { metadata?: { namespace?: string; name?: string } } | undefined)?.metadata;
  return parsed(parseExperimentSchema(object), `Experiment ${meta?.namespace ?? "?"}/${meta?.name ?? "?"}`);
}

/**
 * A Metric as the API server stored it, parsed with its defaults.
 *
 * @throws KubeError `Invalid` naming the fields that do not match the schema.
 */
export function parseStoredMetric(object: unknown): Metric {
  const meta = (object as { metadata?: { namespace?: string; name?: string } } | undefined)?.metadata;
  return parsed(parseMetricSchema(object), `Metric ${meta?.namespace ?? "?"}/${meta?.name ?? "?"}`);
}
