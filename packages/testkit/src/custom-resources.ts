/**
 * Custom resources: turning a CustomResourceDefinition into served resources, the CRDs a cluster
 * running the project has installed (Iter8's Experiment and Metric, and the traffic objects the
 * quickstarts patch), validated against each CRD's schema, and the optional zod checks of the
 * Iter8 kinds.
 */
import { API_GROUP, ExperimentSchema, MetricSchema, crdManifests } from "@iter8ts/types";
import { isJsonObject, type JsonObject } from "./json-value";
import { GenerationPolicy, apiVersionOf, type ResourceType } from "./resource-type";
import { crdSchemaCheck } from "./crd-schema-check";
import { zodSchemaCheck, type SchemaCheck } from "./schema-check";

/**
 * Finds an extra check for a custom kind, run after the CRD's own schema has pruned, defaulted
 * and accepted an object (a real server has none; see {@link iter8SchemaLookup}).
 */
export type SchemaLookup = (group: string, kind: string) => SchemaCheck | undefined;

const iter8Checks: Record<string, SchemaCheck> = {
  Experiment: zodSchemaCheck(ExperimentSchema),
  Metric: zodSchemaCheck(MetricSchema),
};

/**
 * Validates `iter8.tools` Experiments and Metrics with the zod schemas of @iter8ts/types as well,
 * which are stricter than the CRDs generated from them (e.g. non-finite quantities). A real
 * server checks only the CRD, so this is opt-in (`schemaLookup: iter8SchemaLookup`).
 */
export const iter8SchemaLookup: SchemaLookup = (group, kind) => (group === API_GROUP ? iter8Checks[kind] : undefined);

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The resources a CRD serves (one per served version), all backed by one stored collection. */
export function resourceTypesFromCrd(crd: JsonObject, schemaFor: SchemaLookup): ResourceType[] {
  const spec = isJsonObject(crd.spec) ? crd.spec : {};
  const names = isJsonObject(spec.names) ? spec.names : {};
  const group = String(spec.group ?? "");
  const kind = String(names.kind ?? "");
  const plural = String(names.plural ?? "");
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isJsonObject) : [];
  const extra = schemaFor(group, kind);
  return versions
    .filter((v) => v.served !== false)
    .map((v) => {
      const version = String(v.name ?? "");
      const subresources = isJsonObject(v.subresources) ? v.subresources : {};
      const declared = isJsonObject(v.schema) && isJsonObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
      const schema = thenCheck(declared ? crdSchemaCheck(declared) : undefined, extra);
      const printerColumns = (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns.filter(isJsonObject) : []).map((c) => ({
        name: String(c.name ?? ""),
        type: String(c.type ?? "string"),
        jsonPath: String(c.jsonPath ?? ""),
        ...(typeof c.format === "string" ? { format: c.format } : {}),
        ...(typeof c.description === "string" ? { description: c.description } : {}),
        ...(typeof c.priority === "number" ? { priority: c.priority } : {}),
      }));
      return {
        group,
        version,
        apiVersion: apiVersionOf(group, version),
        kind,
        listKind: typeof names.listKind === "string" ? names.listKind : `${kind}List`,
        plural,
        singular: typeof names.singular === "string" && names.singular ? names.singular : kind.toLowerCase(),
        shortNames: strings(names.shortNames),
        categories: strings(names.categories),
        namespaced: spec.scope !== "Cluster",
        statusSubresource: isJsonObject(subresources.status),
        custom: true,
        storage: `${group}/${plural}`,
        behavior: {
          generation: GenerationPolicy.NonMetadata,
          allowUnconditionalUpdate: false,
          allowCreateOnUpdate: false,
          deleteReturnsObject: false,
          orphanDependentsByDefault: false,
          fieldLabels: {},
          ...(schema ? { schema } : {}),
        },
        ...(declared ? { openAPISchema: declared } : {}),
        printerColumns,
      };
    });
}

/** Runs `extra` on what `first` accepted (pruned and defaulted); either may be absent. */
function thenCheck(first: SchemaCheck | undefined, extra: SchemaCheck | undefined): SchemaCheck | undefined {
  if (!first || !extra) return first ?? extra;
  return (obj, options) => {
    const result = first(obj, options);
    if (result.errors.length > 0) return result;
    const more = extra(result.value, options);
    return { unknownFields: [...result.unknownFields, ...more.unknownFields], errors: more.errors, value: more.value };
  };
}

/** The status the API server's CRD controllers give an accepted, established CRD. */
export function establishedCrdStatus(crd: JsonObject, now: string): JsonObject {
  const spec = isJsonObject(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isJsonObject) : [];
  const storage = versions.find((v) => v.storage === true)?.name;
  const condition = (type: string, reason: string, message: string) => ({ type, status: "True", lastTransitionTime: now, reason, message });
  return {
    acceptedNames: spec.names ?? {},
    conditions: [
      condition("NamesAccepted", "NoConflicts", "no conflicts found"),
      condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ],
    storedVersions: storage === undefined ? [] : [storage],
  };
}

interface CrdSpec {
  group: string;
  kind: string;
  plural: string;
  versions: string[];
  status: boolean;
  shortNames?: string[];
  categories?: string[];
}

function crd(spec: CrdSpec): JsonObject {
  const storageVersion = spec.versions[spec.versions.length - 1];
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${spec.plural}.${spec.group}` },
    spec: {
      group: spec.group,
      names: {
        kind: spec.kind,
        listKind: `${spec.kind}List`,
        plural: spec.plural,
        singular: spec.kind.toLowerCase(),
        ...(spec.shortNames ? { shortNames: spec.shortNames } : {}),
        ...(spec.categories ? { categories: spec.categories } : {}),
      },
      scope: "Namespaced",
      versions: spec.versions.map((name) => ({
        name,
        served: true,
        storage: name === storageVersion,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        ...(spec.status ? { subresources: { status: {} } } : {}),
      })),
    },
  };
}

/**
 * The CRDs a cluster running the project has: Iter8's Experiment (with the status subresource),
 * Metric and ReferenceGrant (without) as @iter8ts/types generates them, and Istio VirtualService, Knative
 * Service, KFServing and KServe InferenceService, and Seldon SeldonDeployment with schemas that
 * accept any fields. Objects are validated against their CRD's schema, as a real server does.
 */
export function defaultCustomResourceDefinitions(): JsonObject[] {
  const { experiments, metrics, referenceGrants } = crdManifests();
  return [
    { ...experiments },
    { ...metrics },
    { ...referenceGrants },
    crd({
      group: "networking.istio.io",
      kind: "VirtualService",
      plural: "virtualservices",
      versions: ["v1alpha3", "v1beta1", "v1"],
      status: true,
      shortNames: ["vs"],
      categories: ["istio-io", "networking-istio-io"],
    }),
    crd({ group: "serving.knative.dev", kind: "Service", plural: "services", versions: ["v1"], status: true, shortNames: ["kservice", "ksvc"], categories: ["all", "knative", "serving"] }),
    crd({ group: "serving.kubeflow.org", kind: "InferenceService", plural: "inferenceservices", versions: ["v1beta1"], status: true, shortNames: ["isvc"] }),
    crd({ group: "serving.kserve.io", kind: "InferenceService", plural: "inferenceservices", versions: ["v1beta1"], status: true, shortNames: ["isvc"] }),
    crd({ group: "machinelearning.seldon.io", kind: "SeldonDeployment", plural: "seldondeployments", versions: ["v1"], status: true, shortNames: ["sdep"] }),
  ];
}
