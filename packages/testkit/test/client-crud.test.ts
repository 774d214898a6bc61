import {
  ApiextensionsV1Api,
  ApisApi,
  BatchV1Api,
  CoordinationV1Api,
  CoreApi,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  loadAllYaml,
  type KubernetesObject,
  type V1JSONSchemaProps,
} from "@kubernetes/client-node";
import { crdYaml } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeTestServer, makeKubeConfig } from "../src/index";
import { experiment, experiments, statusOf } from "./kube-fixtures";

let server: KubeTestServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let objects: KubernetesObjectApi;

beforeAll(async () => {
  server = await KubeTestServer.start({ jobs: false });
  const kc = makeKubeConfig(server);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  objects = KubernetesObjectApi.makeApiClient(kc);
});

afterAll(async () => {
  await server.close();
});

describe("core resources through CoreV1Api", () => {
  it("creates, reads, replaces, lists and deletes a ConfigMap", async () => {
    const created = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "settings" }, data: { mode: "a" } } });
    expect(created.metadata?.uid).toBeTruthy();
    const read = await core.readNamespacedConfigMap({ name: "settings", namespace: "default" });
    expect(read.data).toEqual({ mode: "a" });
    const replaced = await core.replaceNamespacedConfigMap({ name: "settings", namespace: "default", body: { ...read, data: { mode: "b" } } });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    const list = await core.listNamespacedConfigMap({ namespace: "default" });
    expect(list.items.map((i) => i.metadata?.name)).toContain("settings");
    const status = await core.deleteNamespacedConfigMap({ name: "settings", namespace: "default" });
    expect(status.status).toBe("Success");
    expect(await statusOf(core.readNamespacedConfigMap({ name: "settings", namespace: "default" }))).toEqual({
      code: 404,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'configmaps "settings" not found',
        reason: "NotFound",
        details: { name: "settings", kind: "configmaps" },
        code: 404,
      },
    });
  });

  it("answers a taken name with 409 AlreadyExists", async () => {
    await core.createNamespacedSecret({ namespace: "default", body: { metadata: { name: "token" }, stringData: { token: "t" } } });
    const { code, body } = await statusOf(core.createNamespacedSecret({ namespace: "default", body: { metadata: { name: "token" } } }));
    expect(code).toBe(409);
    expect(body).toMatchObject({ reason: "AlreadyExists", message: 'secrets "token" already exists' });
  });

  it("records Events and finds them by the object they are about", async () => {
    await core.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { generateName: "exp." },
        involvedObject: { apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", name: "exp", namespace: "default" },
        reason: "StageAdvanced",
        message: "Advanced to Running",
        type: "Normal",
        source: { component: "iter8-controller" },
      },
    });
    const found = await core.listNamespacedEvent({ namespace: "default", fieldSelector: "involvedObject.kind=Experiment,involvedObject.name=exp,reason=StageAdvanced" });
    expect(found.items.map((e) => e.message)).toEqual(["Advanced to Running"]);
    expect((await core.listNamespacedEvent({ namespace: "default", fieldSelector: "involvedObject.name=other" })).items).toEqual([]);
  });

  it("deletes a labelled collection and leaves the rest", async () => {
    for (const [name, app] of [["keep", "other"], ["drop-1", "gone"], ["drop-2", "gone"]] as const) {
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name, labels: { app } } } });
    }
    await core.deleteCollectionNamespacedConfigMap({ namespace: "default", labelSelector: "app=gone" });
    const left = await core.listNamespacedConfigMap({ namespace: "default", labelSelector: "app" });
    expect(left.items.map((c) => c.metadata?.name)).toEqual(["keep"]);
  });

  it("creates namespaces and refuses writes into missing ones", async () => {
    await core.createNamespace({ body: { metadata: { name: "iter8-system" } } });
    const ns = await core.readNamespace({ name: "iter8-system" });
    expect(ns.status?.phase).toBe("Active");
    expect(ns.metadata?.labels).toEqual({ "kubernetes.io/metadata.name": "iter8-system" });
    const { code, body } = await statusOf(core.createNamespacedConfigMap({ namespace: "missing", body: { metadata: { name: "x" } } }));
    expect([code, body.message]).toEqual([404, 'namespaces "missing" not found']);
  });
});

describe("custom resources through CustomObjectsApi", () => {
  it("keeps spec writes and status writes apart", async () => {
    const created = await custom.createNamespacedCustomObject({ ...experiments, body: { ...experiment("split"), status: { stage: "Completed" } } });
    expect(created.status).toBeUndefined();
    expect(created.metadata.generation).toBe(1);
    const withStatus = await custom.replaceNamespacedCustomObjectStatus({
      ...experiments,
      name: "split",
      body: { ...created, spec: { ...created.spec, target: "ignored" }, status: { stage: "Running", completedIterations: 1 } },
    });
    expect(withStatus.spec.target).toBe("default/sample-app");
    expect(withStatus.status).toEqual({ stage: "Running", completedIterations: 1 });
    expect(withStatus.metadata.generation).toBe(1);
    const respec = await custom.replaceNamespacedCustomObject({
      ...experiments,
      name: "split",
      body: { ...withStatus, spec: { ...withStatus.spec, target: "default/other" }, status: { stage: "Completed" } },
    });
    expect(respec.status).toEqual({ stage: "Running", completedIterations: 1 });
    expect(respec.metadata.generation).toBe(2);
  });

  it("answers a stale update with 409 Conflict", async () => {
    const created = await custom.createNamespacedCustomObject({ ...experiments, body: experiment("stale") });
    await custom.replaceNamespacedCustomObject({ ...experiments, name: "stale", body: { ...created, spec: { ...created.spec, target: "a/b" } } });
    const { code, body } = await statusOf(custom.replaceNamespacedCustomObject({ ...experiments, name: "stale", body: created }));
    expect(code).toBe(409);
    expect(body).toMatchObject({
      reason: "Conflict",
      message: 'Operation cannot be fulfilled on experiments.iter8.tools "stale": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "stale", group: "iter8.tools", kind: "experiments" },
    });
  });

  it("validates Experiments with 422 Invalid and one cause per field", async () => {
    const { code, body } = await statusOf(
      custom.createNamespacedCustomObject({
        ...experiments,
        body: experiment("bad", { strategy: { testingPattern: "Canary", weights: { maxCandidateWeight: 101 } }, criteria: { objectives: [{ upperLimit: "1x" }] } }),
      }),
    );
    expect(code).toBe(422);
    expect(body.reason).toBe("Invalid");
    expect(body.message).toMatch(/^Experiment\.iter8\.tools "bad" is invalid: \[/);
    // The CRD's schema decides (as on a real server, which lists sibling fields in random order).
    const causes = (body.details as { causes: { field: string; reason: string }[] }).causes;
    expect(causes).toHaveLength(3);
    expect(causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "spec.strategy.weights.maxCandidateWeight", reason: "FieldValueInvalid" }),
        expect.objectContaining({ field: "spec.criteria.objectives[0].metric", reason: "FieldValueRequired" }),
        expect.objectContaining({ field: "spec.criteria.objectives[0].upperLimit", reason: "FieldValueInvalid" }),
      ]),
    );
  });

  it("refuses unknown fields when the client asks for Strict validation", async () => {
    const body = { ...experiment("typo"), spec: { ...experiment("typo").spec, strategi: {} } };
    const strict = await statusOf(custom.createNamespacedCustomObject({ ...experiments, body, fieldValidation: "Strict" }));
    expect([strict.code, strict.body.message]).toEqual([400, 'Experiment in version "v2alpha2" cannot be handled as a Experiment: strict decoding error: unknown field "spec.strategi"']);
    const pruned = await custom.createNamespacedCustomObject({ ...experiments, body });
    expect(pruned.spec).not.toHaveProperty("strategi");
  });

  it("defaults Metric fields as the CRD does", async () => {
    const metric = await custom.createNamespacedCustomObject({
      group: "iter8.tools",
      version: "v2alpha2",
      namespace: "default",
      plural: "metrics",
      body: { apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name: "request-count" }, spec: { provider: "prometheus", jqExpression: ".data" } },
    });
    expect(metric.spec).toMatchObject({ type: "Gauge", method: "GET" });
  });
});

describe("other typed clients", () => {
  it("creates Jobs with the batch/v1 defaults", async () => {
    const batch = makeKubeConfig(server).makeApiClient(BatchV1Api);
    const job = await batch.createNamespacedJob({
      namespace: "default",
      body: {
        metadata: { name: "default-exp-start" },
        spec: { backoffLimit: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "task", image: "iter8/taskrunner:0.1.37" }] } } },
      },
    });
    expect(job.spec?.completions).toBe(1);
    expect(job.spec?.template.metadata?.labels?.["job-name"]).toBe("default-exp-start");
    expect(job.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe("IfNotPresent");
  });

  it("supports leader election on a Lease: a holder renews, a stale contender gets 409", async () => {
    const coordination = makeKubeConfig(server).makeApiClient(CoordinationV1Api);
    const lease = await coordination.createNamespacedLease({
      namespace: "default",
      body: { metadata: { name: "leader.iter8.tools" }, spec: { holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: new Date(), renewTime: new Date() } },
    });
    const renewed = await coordination.replaceNamespacedLease({ name: "leader.iter8.tools", namespace: "default", body: { ...lease, spec: { ...lease.spec, renewTime: new Date() } } });
    expect(renewed.spec?.holderIdentity).toBe("a");
    const takeover = coordination.replaceNamespacedLease({ name: "leader.iter8.tools", namespace: "default", body: { ...lease, spec: { ...lease.spec, holderIdentity: "b" } } });
    expect((await statusOf(takeover)).code).toBe(409);
  });

  it("serves discovery so KubernetesObjectApi can find any kind, and CRDs add kinds", async () => {
    const kc = makeKubeConfig(server);
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(["iter8.tools", "batch", "coordination.k8s.io", "networking.istio.io", "apiextensions.k8s.io"]));
    expect(groups.groups.find((g) => g.name === "networking.istio.io")?.preferredVersion?.version).toBe("v1");
    expect((await kc.makeApiClient(CoreApi).getAPIVersions()).versions).toEqual(["v1"]);
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
      body: {
        metadata: { name: "trafficsplits.split.smi-spec.io" },
        spec: {
          group: "split.smi-spec.io",
          names: { kind: "TrafficSplit", plural: "trafficsplits" },
          scope: "Namespaced",
          versions: [{ name: "v1alpha2", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } as V1JSONSchemaProps } }],
        },
      },
    });
    const split = await objects.create({ apiVersion: "split.smi-spec.io/v1alpha2", kind: "TrafficSplit", metadata: { name: "split", namespace: "default" }, spec: { backends: [] } } as KubernetesObject);
    expect(split.metadata?.uid).toBeTruthy();
  });

  it("round-trips Experiments through KubernetesObjectApi, merge-patching them", async () => {
    await objects.create(experiment("generic") as KubernetesObject);
    const read = (await objects.read({ apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name: "generic", namespace: "default" } })) as KubernetesObject & { spec: { target: string } };
    expect(read.spec.target).toBe("default/sample-app");
    const patch = { apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name: "generic", namespace: "default" }, spec: { target: "default/patched" } };
    // KubernetesObjectApi.patch defaults to strategic merge patch, which custom resources refuse.
    expect((await statusOf(objects.patch(patch))).code).toBe(415);
    const patched = (await objects.patch(patch, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch)) as KubernetesObject & { spec: { target: string } };
    expect(patched.spec.target).toBe("default/patched");
    const list = await objects.list("iter8.tools/v2alpha2", "Experiment", "default");
    expect(list.items.map((i) => i.metadata?.name)).toContain("generic");
    await objects.delete({ apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name: "generic", namespace: "default" } });
    expect(server.find("iter8.tools/v2alpha2", "Experiment", "generic")).toBeUndefined();
  });
});

describe("installing the generated CRDs", () => {
  it("serves and validates Experiments only once the install manifests are applied", async () => {
    const empty = await KubeTestServer.start({ jobs: false, installCustomResourceDefinitions: false });
    try {
      const kc = makeKubeConfig(empty);
      const api = KubernetesObjectApi.makeApiClient(kc);
      const customApi = kc.makeApiClient(CustomObjectsApi);
      expect((await statusOf(customApi.listNamespacedCustomObject(experiments))).code).toBe(404);
      for (const crd of loadAllYaml(crdYaml()) as KubernetesObject[]) await api.create(crd);
      const crds = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
      expect(crds.items.map((c) => c.metadata?.name).sort()).toEqual(["experiments.iter8.tools", "metrics.iter8.tools", "referencegrants.iter8.tools"]);
      expect(crds.items.every((c) => c.status?.conditions?.some((x) => x.type === "Established" && x.status === "True"))).toBe(true);
      await api.create(experiment("installed") as KubernetesObject);
      const invalid = await statusOf(api.create({ ...experiment("broken"), spec: { target: "" } } as KubernetesObject));
      expect(invalid.code).toBe(422);
    } finally {
      await empty.close();
    }
  });
});
