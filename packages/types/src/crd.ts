import { yamlModule } from "./yaml-module";
import { z } from "zod";
import { API_GROUP } from "./common";
import { ExperimentSpecSchema, ExperimentStatusSchema } from "./experiment";
import { MetricSpecSchema } from "./metric";
import { ReferenceGrantSpecSchema } from "./reference-grant";
import { toStructuralSchema, type JsonSchemaNode } from "./structural-schema";

/** The command that regenerates the committed CRD files. */
export const CRD_GENERATE_COMMAND = "pnpm -F @iter8ts/types generate";

/** A CustomResourceDefinition manifest (`apiextensions.k8s.io/v1`), as plain data. */
export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; categories: string[] };
    scope: "Namespaced";
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      additionalPrinterColumns: Array<{ name: string; type: string; jsonPath: string; description?: string }>;
      subresources?: { status: Record<string, never> };
      schema: { openAPIV3Schema: JsonSchemaNode };
    }>;
  };
}

/** What a runtime adds to the generated CRDs. */
export interface CrdOptions {
  /**
   * The schema of the Experiment's status subresource; default {@link ExperimentStatusSchema}.
   * A runtime passes the status it writes, e.g. `EngineStatusSchema` of `@iter8ts/engine`, which
   * extends this one with the engine's own fields (this package cannot import the engine).
   */
  experimentStatus?: z.ZodType;
}

/** A generated CRD file: where it is committed and what it contains. */
export interface CrdFile {
  /** Path relative to the package root, e.g. `deploy/crds/experiments.iter8.tools.yaml`. */
  path: string;
  text: string;
}

function openApi(schema: z.ZodType): JsonSchemaNode {
  // "input": a document is validated as written, so defaults are optional fields with a default.
  return z.toJSONSchema(schema, { io: "input", target: "openapi-3.0" }) as JsonSchemaNode;
}

function rootSchema(description: string, spec: z.ZodType, status?: z.ZodType): JsonSchemaNode {
  const properties: JsonSchemaNode = {
    apiVersion: { type: "string", description: "Versioned schema of this object: iter8.tools/v2alpha2." },
    kind: { type: "string", description: "Kind of this object." },
    // The API server owns metadata validation; a CRD may only say that it is an object.
    metadata: { type: "object" },
    spec: toStructuralSchema(openApi(spec), "spec"),
  };
  if (status) properties.status = toStructuralSchema(openApi(status), "status");
  return { description, type: "object", required: ["spec"], properties };
}

function definition(options: {
  kind: string;
  plural: string;
  description: string;
  columns: CustomResourceDefinition["spec"]["versions"][number]["additionalPrinterColumns"];
  spec: z.ZodType;
  status?: z.ZodType;
}): CustomResourceDefinition {
  const version: CustomResourceDefinition["spec"]["versions"][number] = {
    name: "v2alpha2",
    served: true,
    storage: true,
    additionalPrinterColumns: options.columns,
    schema: { openAPIV3Schema: rootSchema(options.description, options.spec, options.status) },
  };
  if (options.status) version.subresources = { status: {} };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${options.plural}.${API_GROUP}`, labels: { "app.kubernetes.io/part-of": "iter8ts", creator: "iter8" } },
    spec: {
      group: API_GROUP,
      names: {
        kind: options.kind,
        listKind: `${options.kind}List`,
        plural: options.plural,
        singular: options.kind.toLowerCase(),
        categories: ["iter8"],
      },
      scope: "Namespaced",
      versions: [version],
    },
  };
}

/**
 * The Experiment, Metric and ReferenceGrant CustomResourceDefinitions, generated from the zod
 * schemas: structural OpenAPI v3 schemas, the printer columns of Iter8 v2alpha2, the status
 * subresource on Experiment, and the Metric defaults (`type: Gauge`, `method: GET`).
 */
export function crdManifests(options: CrdOptions = {}): { experiments: CustomResourceDefinition; metrics: CustomResourceDefinition; referenceGrants: CustomResourceDefinition } {
  return {
    experiments: definition({
      kind: "Experiment",
      plural: "experiments",
      description: "An experiment comparing versions of an app or ML model and rolling out the winner.",
      columns: [
        { name: "type", type: "string", jsonPath: ".spec.strategy.testingPattern" },
        { name: "target", type: "string", jsonPath: ".spec.target" },
        { name: "stage", type: "string", jsonPath: ".status.stage" },
        { name: "completed iterations", type: "integer", jsonPath: ".status.completedIterations" },
        { name: "message", type: "string", jsonPath: ".status.message" },
      ],
      spec: ExperimentSpecSchema,
      status: options.experimentStatus ?? ExperimentStatusSchema,
    }),
    metrics: definition({
      kind: "Metric",
      plural: "metrics",
      description: "How to query one metric for one version of an app or ML model.",
      columns: [
        { name: "type", type: "string", jsonPath: ".spec.type" },
        { name: "description", type: "string", jsonPath: ".spec.description" },
      ],
      spec: MetricSpecSchema,
    }),
    referenceGrants: definition({
      kind: "ReferenceGrant",
      plural: "referencegrants",
      description:
        "Lets Experiments of other namespaces refer to objects of this namespace (Metrics, routing objects). Secrets are never granted.",
      columns: [
        { name: "from", type: "string", jsonPath: ".spec.from[*].namespace" },
        { name: "kinds", type: "string", jsonPath: ".spec.to[*].kind" },
      ],
      spec: ReferenceGrantSpecSchema,
    }),
  };
}

function toYaml(crd: CustomResourceDefinition): string {
  return yamlModule().stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * The generated files, exactly as they are committed under `deploy/crds/`; `header` is their
 * first line (default: generated from this package by {@link CRD_GENERATE_COMMAND}).
 */
export function crdFiles(options: CrdOptions & { header?: string } = {}): CrdFile[] {
  const { experiments, metrics, referenceGrants } = crdManifests(options);
  const header = options.header ?? `# Generated from the zod schemas of @iter8ts/types by \`${CRD_GENERATE_COMMAND}\`; do not edit.\n`;
  return [experiments, metrics, referenceGrants].map((crd) => ({
    path: `deploy/crds/${crd.metadata.name}.yaml`,
    text: header + toYaml(crd),
  }));
}

/** The CRDs as one multi-document YAML text, ready for `kubectl apply -f -`. */
export function crdYaml(options: CrdOptions = {}): string {
  const { experiments, metrics, referenceGrants } = crdManifests(options);
  return [experiments, metrics, referenceGrants].map(toYaml).join("---\n");
}
