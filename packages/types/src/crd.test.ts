import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { abExperiment, prometheusMetric, withField } from "./__fixtures__/documents";
import { openApiViolations } from "./__fixtures__/openapi-validator";
import { CRD_GENERATE_COMMAND, crdFiles, crdManifests, crdYaml } from "./crd";
import type { JsonSchemaNode } from "./structural-schema";

const packageRoot = join(import.meta.dirname, "..");
const { experiments, metrics, referenceGrants } = crdManifests();
const experimentSchema = experiments.spec.versions[0]!.schema.openAPIV3Schema;
const metricSchema = metrics.spec.versions[0]!.schema.openAPIV3Schema;

function node(schema: JsonSchemaNode, path: string): JsonSchemaNode {
  let cur = schema;
  for (const key of path.split(".")) {
    const next = key === "[]" ? cur.items : key === "*" ? cur.additionalProperties : (cur.properties as Record<string, JsonSchemaNode>)[key];
    if (!next) throw new Error(`no schema at ${path} (stopped at ${key})`);
    cur = next as JsonSchemaNode;
  }
  return cur;
}

/** Every place that breaks a rule of Kubernetes structural schemas. */
function structuralViolations(schema: JsonSchemaNode, path = "(root)"): string[] {
  const out: string[] = [];
  const intOrString = schema["x-kubernetes-int-or-string"] === true;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (schema.type === undefined && !intOrString && !preserve) out.push(`${path}: no type`);
  if ("$ref" in schema) out.push(`${path}: $ref`);
  for (const key of ["oneOf", "allOf", "not"]) if (key in schema) out.push(`${path}: ${key}`);
  if ("anyOf" in schema && !(intOrString && JSON.stringify(schema.anyOf) === '[{"type":"integer"},{"type":"string"}]')) out.push(`${path}: anyOf`);
  if (schema.additionalProperties === false) out.push(`${path}: additionalProperties false`);
  if (schema.additionalProperties !== undefined && schema.properties !== undefined) out.push(`${path}: properties and additionalProperties`);
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchemaNode>)) {
    out.push(...structuralViolations(child, `${path}.${key}`));
  }
  if (schema.items) out.push(...structuralViolations(schema.items as JsonSchemaNode, `${path}[]`));
  if (typeof schema.additionalProperties === "object") out.push(...structuralViolations(schema.additionalProperties as JsonSchemaNode, `${path}.*`));
  return out;
}

describe("generated CRDs", () => {
  it("match the committed files (run the generate script when this fails)", () => {
    for (const file of crdFiles()) {
      const committed = readFileSync(join(packageRoot, file.path), "utf8");
      expect(committed, `${file.path} is out of date; run \`${CRD_GENERATE_COMMAND}\``).toBe(file.text);
    }
  });

  it("say in their first line that they are generated and by which command", () => {
    for (const file of crdFiles()) {
      expect(file.text.split("\n")[0]).toBe(`# Generated from the zod schemas of @iter8ts/types by \`${CRD_GENERATE_COMMAND}\`; do not edit.`);
    }
    expect(crdFiles().map((f) => f.path)).toEqual([
      "deploy/crds/experiments.iter8.tools.yaml",
      "deploy/crds/metrics.iter8.tools.yaml",
      "deploy/crds/referencegrants.iter8.tools.yaml",
    ]);
  });

  it("are structural schemas", () => {
    expect(structuralViolations(experimentSchema)).toEqual([]);
    expect(structuralViolations(metricSchema)).toEqual([]);
    expect(structuralViolations(referenceGrants.spec.versions[0]!.schema.openAPIV3Schema)).toEqual([]);
  });

  it("declare ReferenceGrant, namespaced, without a status subresource", () => {
    expect(referenceGrants.metadata.name).toBe("referencegrants.iter8.tools");
    expect(referenceGrants.spec.names).toMatchObject({ kind: "ReferenceGrant", plural: "referencegrants", singular: "referencegrant" });
    expect(referenceGrants.spec.scope).toBe("Namespaced");
    expect(referenceGrants.spec.versions[0]!.subresources).toBeUndefined();
    const spec = node(referenceGrants.spec.versions[0]!.schema.openAPIV3Schema, "spec");
    expect(spec.required).toEqual(["from", "to"]);
  });

  it("declare the iter8.tools/v2alpha2 kinds with Iter8's printer columns", () => {
    expect(experiments.metadata.name).toBe("experiments.iter8.tools");
    expect(experiments.spec.names).toMatchObject({ kind: "Experiment", plural: "experiments", singular: "experiment" });
    expect(experiments.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([["v2alpha2", true, true]]);
    expect(experiments.spec.versions[0]!.additionalPrinterColumns.map((c) => [c.name, c.type, c.jsonPath])).toEqual([
      ["type", "string", ".spec.strategy.testingPattern"],
      ["target", "string", ".spec.target"],
      ["stage", "string", ".status.stage"],
      ["completed iterations", "integer", ".status.completedIterations"],
      ["message", "string", ".status.message"],
    ]);
    expect(metrics.metadata.name).toBe("metrics.iter8.tools");
    expect(metrics.spec.versions[0]!.additionalPrinterColumns.map((c) => [c.name, c.type, c.jsonPath])).toEqual([
      ["type", "string", ".spec.type"],
      ["description", "string", ".spec.description"],
    ]);
  });

  it("enable the status subresource on Experiment only", () => {
    expect(experiments.spec.versions[0]!.subresources).toEqual({ status: {} });
    expect(metrics.spec.versions[0]!.subresources).toBeUndefined();
  });

  it("default Metric type and method, and nothing in an Experiment spec", () => {
    expect(node(metricSchema, "spec.type").default).toBe("Gauge");
    expect(node(metricSchema, "spec.method").default).toBe("GET");
    expect(JSON.stringify(node(experimentSchema, "spec"))).not.toContain('"default"');
  });

  it("keep free JSON where the API holds it", () => {
    for (const path of ["spec.strategy.actions.*.[].with.*", "spec.criteria.strength", "status.analysis.aggregatedBuiltinHists.data"]) {
      expect(node(experimentSchema, path)["x-kubernetes-preserve-unknown-fields"], path).toBe(true);
    }
    expect(node(experimentSchema, "status")["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    expect(node(experimentSchema, "spec")["x-kubernetes-preserve-unknown-fields"]).toBeUndefined();
  });

  it("declare quantities as int-or-string", () => {
    for (const path of [
      "spec.criteria.objectives.[].upperLimit",
      "spec.criteria.objectives.[].lowerLimit",
      "status.analysis.aggregatedMetrics.data.*.data.*.value",
    ]) {
      expect(node(experimentSchema, path)["x-kubernetes-int-or-string"], path).toBe(true);
    }
    expect(node(metricSchema, "spec.mock.[].level")["x-kubernetes-int-or-string"]).toBe(true);
  });

  it("accept A/B/n as well as A/B/N, and int32 weights within 0..100", () => {
    expect(node(experimentSchema, "spec.strategy.testingPattern").enum).toEqual(["Canary", "A/B", "A/B/N", "A/B/n", "Conformance"]);
    expect(node(experimentSchema, "spec.strategy.weights.maxCandidateWeight")).toMatchObject({ type: "integer", format: "int32", minimum: 0, maximum: 100 });
  });

  it("accept valid documents and reject what the document checks reject", () => {
    expect(openApiViolations(experimentSchema, abExperiment())).toEqual([]);
    expect(openApiViolations(metricSchema, prometheusMetric())).toEqual([]);
    expect(openApiViolations(experimentSchema, withField(abExperiment(), "spec.criteria.objectives[0].upperLimit", 0.01))).toEqual([
      "spec.criteria.objectives[0].upperLimit: not an integer or string",
    ]);
    expect(openApiViolations(experimentSchema, withField(abExperiment(), "spec.criteria.objectives[0].upperLimit", "0.01"))).toEqual([]);
    expect(openApiViolations(experimentSchema, withField(abExperiment(), "spec.criteria.objectives[0].upperLimit", "ten"))).toEqual([
      "spec.criteria.objectives[0].upperLimit: pattern",
    ]);
    expect(openApiViolations(experimentSchema, withField(abExperiment(), "spec.duration.maxLoops", 0))).toEqual(["spec.duration.maxLoops: below minimum"]);
    expect(openApiViolations(experimentSchema, withField(abExperiment(), "spec.target", undefined))).toEqual(["spec.target: required"]);
  });

  it("print every manifest as one multi-document YAML", () => {
    const docs = parseAllDocuments(crdYaml()).map((d) => d.toJS() as unknown);
    expect(docs).toEqual([experiments, metrics, referenceGrants]);
  });
});
