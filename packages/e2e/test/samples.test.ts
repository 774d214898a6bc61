// The quickstart folders hold everything their experiment touches, as well-formed Kubernetes
// objects: the namespaces, the apps or models, the routing objects the weightObjRefs point at
// (starting with all traffic on the baseline), and promotion manifests that update those objects.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { experimentNamespace, isDnsLabel, isDnsSubdomain, versionNames } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { readObservedWeights } from "@iter8ts/weights";
import { loadSample, QUICKSTART_STACKS } from "../src/index";

const CLUSTER_SCOPED = new Set(["Namespace"]);

function problemsOf(object: KubeObject): string[] {
  const id = `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;
  const problems: string[] = [];
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(object.apiVersion)) problems.push(`${id}: apiVersion ${object.apiVersion}`);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(object.kind)) problems.push(`${id}: kind`);
  if (!isDnsSubdomain(object.metadata.name)) problems.push(`${id}: metadata.name is not a DNS subdomain`);
  if (CLUSTER_SCOPED.has(object.kind)) {
    if (object.metadata.namespace !== undefined) problems.push(`${id}: a ${object.kind} has no namespace`);
    if (!isDnsLabel(object.metadata.name)) problems.push(`${id}: a namespace name must be a DNS label`);
  } else if (object.metadata.namespace === undefined || !isDnsLabel(object.metadata.namespace)) {
    problems.push(`${id}: metadata.namespace must be set to a DNS label`);
  }
  for (const [k, v] of Object.entries({ ...object.metadata.labels })) {
    if (typeof v !== "string" || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) || v.length > 63) problems.push(`${id}: label ${k}=${String(v)}`);
  }
  if (object.kind === "Deployment") {
    const spec = object.spec as { selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { name?: string; image?: string }[] } } };
    const selector = spec.selector?.matchLabels ?? {};
    const labels = spec.template?.metadata?.labels ?? {};
    if (Object.keys(selector).length === 0) problems.push(`${id}: spec.selector.matchLabels is empty`);
    for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) problems.push(`${id}: the pod template lacks selector label ${k}=${v}`);
    const containers = spec.template?.spec?.containers ?? [];
    if (containers.length === 0 || containers.some((c) => !c.name || !c.image)) problems.push(`${id}: every container needs a name and an image`);
  }
  return problems;
}

function promoteObjects(files: Record<string, string>): Record<string, KubeObject[]> {
  return Object.fromEntries(
    Object.entries(files).map(([name, path]) => [name, parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as KubeObject).filter(Boolean)]),
  );
}

describe.each(QUICKSTART_STACKS)("sample %s", (stack) => {
  const sample = loadSample(stack);
  const namespaces = new Set(["default", ...sample.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)]);

  it("holds well-formed Kubernetes objects, each in a namespace the sample creates", () => {
    const objects = [...sample.objects, ...Object.values(promoteObjects(sample.promoteFiles)).flat()];
    expect(objects.flatMap(problemsOf)).toEqual([]);
    const homeless = objects.filter((o) => o.metadata.namespace !== undefined && !namespaces.has(o.metadata.namespace));
    expect(homeless.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([]);
    for (const metric of sample.metrics) expect(namespaces, `Metric ${metric.metadata?.name}`).toContain(metric.metadata?.namespace);
  });

  it("routes every version through its weightObjRef, all traffic on the baseline", async () => {
    const client = new InMemoryResourceClient(sample.objects);
    const weights = await readObservedWeights(client, sample.experiment);
    const [baseline, ...candidates] = versionNames(sample.experiment);
    expect(weights).toEqual([{ name: baseline, value: 100 }, ...candidates.map((name) => ({ name, value: 0 }))]);
    const refs = [sample.experiment.spec.versionInfo?.baseline, ...(sample.experiment.spec.versionInfo?.candidates ?? [])].map((v) => v?.weightObjRef);
    for (const ref of refs) expect(namespaces).toContain(ref?.namespace ?? experimentNamespace(sample.experiment));
  });

  it("promotes by updating objects of the sample, never by creating others", () => {
    const known = new Set(sample.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`));
    const promote = promoteObjects(sample.promoteFiles);
    expect(Object.keys(promote).length).toBe(2);
    for (const [file, objects] of Object.entries(promote)) {
      expect(objects.length, file).toBeGreaterThan(0);
      for (const o of objects) expect(known, `${file}: ${o.kind} ${o.metadata.name}`).toContain(`${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    }
  });
});
